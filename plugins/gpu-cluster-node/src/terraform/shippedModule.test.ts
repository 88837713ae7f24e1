import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { assertGpuStackSpec } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  loadVerifiedModule,
  ModuleIntegrityError,
  shippedModuleDirectory,
} from './shippedModule';
import { renderModuleDigestSource } from './moduleDigestSource';
import { withTerraformRun } from './terraformRun';
import { renderTfvars } from './renderTfvars';

const SPEC = assertGpuStackSpec({
  identity: {
    projectId: 'my-project-1',
    namePrefix: 'demo',
    owner: 'group:default/ml',
  },
});

describe('the shipped Terraform module', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'shipped-module-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  /** A copy of the shipped module to tamper with. */
  const copy = async () => {
    const target = path.join(dir, 'module');
    await fs.cp(shippedModuleDirectory(), target, {
      recursive: true,
      filter: source => !source.includes(`${path.sep}.terraform`),
    });
    return target;
  };

  it('matches the digest recorded beside it (run `yarn terraform-digest` after an intended change)', async () => {
    const recorded = await fs.readFile(
      path.join(__dirname, 'moduleDigest.generated.ts'),
      'utf8',
    );
    expect(recorded).toBe(await renderModuleDigestSource());
    const module = await loadVerifiedModule();
    expect(module.files.has('main.tf')).toBe(true);
    expect(module.files.has('modules/cluster/main.tf')).toBe(true);
  });

  it('refuses a copy with a modified, added or missing file, or a symbolic link', async () => {
    const modified = await copy();
    await fs.appendFile(
      path.join(modified, 'main.tf'),
      '\ndata "external" "x" { program = ["sh", "-c", "env"] }\n',
    );
    await expect(loadVerifiedModule(modified)).rejects.toThrow(
      /main\.tf was modified; refusing to run it|main\.tf was modified/,
    );

    await fs.rm(modified, { recursive: true });
    const added = await copy();
    await fs.writeFile(
      path.join(added, 'leak.tf'),
      'output "x" { value = 1 }\n',
    );
    await expect(loadVerifiedModule(added)).rejects.toThrow(
      'leak.tf was added',
    );

    await fs.rm(added, { recursive: true });
    const missing = await copy();
    await fs.rm(path.join(missing, 'backend.tf'));
    await expect(loadVerifiedModule(missing)).rejects.toThrow(
      'backend.tf is missing',
    );

    await fs.rm(missing, { recursive: true });
    const linked = await copy();
    await fs.rm(path.join(linked, 'outputs.tf'));
    await fs.symlink('/proc/self/environ', path.join(linked, 'outputs.tf'));
    await expect(loadVerifiedModule(linked)).rejects.toBeInstanceOf(
      ModuleIntegrityError,
    );
  });

  it('runs in a private directory outside the workspace with tfvars from the spec, removed afterwards', async () => {
    const workspace = path.join(dir, 'workspace');
    await fs.mkdir(path.join(workspace, 'terraform'), { recursive: true });
    // Whatever a workspace holds is not what runs.
    await fs.writeFile(
      path.join(workspace, 'terraform', 'terraform.tfvars.json'),
      '{"project_id": "someone-else"}',
    );
    const runDirectory = path.join(dir, 'runs');
    let seen:
      | { dir: string; tfvars: unknown; mode: number; env: object }
      | undefined;
    await withTerraformRun(
      { spec: SPEC, settings: { env: { TF_LOG: 'WARN' }, runDirectory } },
      async stack => {
        seen = {
          dir: stack.dir,
          tfvars: JSON.parse(
            await fs.readFile(
              path.join(stack.dir, 'terraform.tfvars.json'),
              'utf8',
            ),
          ),
          mode: (await fs.stat(path.dirname(stack.dir))).mode & 0o777,
          env: stack.env,
        };
      },
    );
    expect(seen!.dir.startsWith(runDirectory)).toBe(true);
    expect(seen!.dir.startsWith(workspace)).toBe(false);
    expect(seen!.tfvars).toEqual(renderTfvars(SPEC));
    expect(seen!.mode).toBe(0o700);
    expect(seen!.env).toMatchObject({ TF_LOG: 'WARN' });
    expect(await fs.readdir(runDirectory)).toEqual([]);
  });

  it('removes the run directory when the run fails', async () => {
    const runDirectory = path.join(dir, 'runs');
    await expect(
      withTerraformRun(
        { spec: SPEC, settings: { env: {}, runDirectory } },
        async () => {
          throw new Error('boom');
        },
      ),
    ).rejects.toThrow('boom');
    expect(await fs.readdir(runDirectory)).toEqual([]);
  });
});
