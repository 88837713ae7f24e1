import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { SHIPPED_MODULE_DIGEST } from './moduleDigest.generated';

/**
 * The Terraform root module this package ships (`terraform/` beside `package.json`). It is the
 * only Terraform the gpu-cluster tools ever run: never files from a task workspace, a dry-run
 * request or a template someone registered.
 *
 * @public
 */
export function shippedModuleDirectory(): string {
  return path.join(
    path.dirname(
      require.resolve(
        '@gpu-platform/backstage-plugin-gpu-cluster-node/package.json',
      ),
    ),
    'terraform',
  );
}

/** Files that make up a module (everything Terraform would load or test). */
const MODULE_FILE =
  /\.(?:tf|tf\.json|tftest\.hcl|tftest\.json|tfvars|tfvars\.json)$/;

/** What a module directory may hold besides its files: Terraform's own working data. */
const IGNORED = new Set(['.terraform', '.terraform.lock.hcl']);
const IGNORED_FILE =
  /\.tfstate(?:\.backup)?$|^\.terraform\.tfstate\.lock\.info$/;

/** A module whose content is not what was recorded. @public */
export class ModuleIntegrityError extends Error {
  readonly name = 'ModuleIntegrityError';
}

const sha256 = (data: Buffer | string) =>
  createHash('sha256').update(data).digest('hex');

/** The digest of a whole module: of its sorted `path sha256` lines. @public */
export function moduleDigest(files: Record<string, string>): string {
  return sha256(
    Object.keys(files)
      .sort()
      .map(file => `${file} ${files[file]}\n`)
      .join(''),
  );
}

/**
 * Reads a module directory: the content of every module file by POSIX-relative path. Symbolic
 * links and other special files are refused (they could point anywhere).
 *
 * @public
 */
export async function readModuleFiles(
  dir: string,
): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const walk = async (rel: string) => {
    const entries = await fs.readdir(path.join(dir, rel), {
      withFileTypes: true,
    });
    for (const entry of entries) {
      if (IGNORED.has(entry.name) || IGNORED_FILE.test(entry.name)) continue;
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isSymbolicLink()) {
        throw new ModuleIntegrityError(
          `The Terraform module holds a symbolic link (${child}); refusing to run it`,
        );
      }
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile() && MODULE_FILE.test(entry.name))
        files.set(child, await fs.readFile(path.join(dir, rel, entry.name)));
    }
  };
  await walk('');
  return files;
}

/** sha256 of each file, by path. */
export function fileDigests(
  files: Map<string, Buffer>,
): Record<string, string> {
  return Object.fromEntries(
    [...files.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([file, content]) => [file, sha256(content)]),
  );
}

/** The verified content of the shipped module. @public */
export interface VerifiedModule {
  /** Content by POSIX-relative path; exactly the recorded files. */
  files: Map<string, Buffer>;
  /** The recorded digest it matched. */
  digest: string;
}

/**
 * Reads the shipped module and checks it against the digest recorded when it was committed
 * (`src/terraform/moduleDigest.generated.ts`, written by `yarn terraform-digest`): every recorded
 * file present with its content, and no other module file. A modified copy is refused. The
 * returned bytes are what gets written to the run directory, so nothing can change between the
 * check and the run.
 *
 * @public
 */
export async function loadVerifiedModule(
  dir: string = shippedModuleDirectory(),
  recorded: {
    digest: string;
    files: Record<string, string>;
  } = SHIPPED_MODULE_DIGEST,
): Promise<VerifiedModule> {
  const files = await readModuleFiles(dir).catch(error => {
    if (error instanceof ModuleIntegrityError) throw error;
    throw new ModuleIntegrityError(
      `The shipped Terraform module cannot be read: ${
        (error as NodeJS.ErrnoException).code ?? (error as Error).message
      }`,
    );
  });
  const actual = fileDigests(files);
  const problems: string[] = [];
  for (const [file, digest] of Object.entries(recorded.files)) {
    if (!(file in actual)) problems.push(`${file} is missing`);
    else if (actual[file] !== digest) problems.push(`${file} was modified`);
  }
  for (const file of Object.keys(actual)) {
    if (!(file in recorded.files)) problems.push(`${file} was added`);
  }
  if (problems.length > 0 || moduleDigest(actual) !== recorded.digest) {
    throw new ModuleIntegrityError(
      `The Terraform module does not match the digest recorded for this release (${problems.join(
        ', ',
      )}); refusing to run it. Reinstall the package, or run \`yarn terraform-digest\` in gpu-cluster-node after an intended change.`,
    );
  }
  return { files, digest: recorded.digest };
}

/** Writes a verified module into `dir` (created, owner-only). @public */
export async function writeModule(
  module: VerifiedModule,
  dir: string,
): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  for (const [file, content] of module.files) {
    const target = path.join(dir, ...file.split('/'));
    await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    await fs.writeFile(target, content, { mode: 0o600, flag: 'wx' });
  }
}
