/**
 * The `gpu-cluster` command as an adopter gets it: gpu-cluster-common and gpu-cluster-node are
 * built and packed (`yarn pack`, which runs Backstage's prepack), installed with npm into a
 * directory outside the repository, and run from there: built `dist`, no TypeScript transform.
 * npm runs offline: the packages' third-party dependencies are the repository's installed ones,
 * linked into the adopter's node_modules, so nothing is fetched.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { SHIPPED_MODULE_DIGEST } from '../terraform/moduleDigest.generated';

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../../../..');
const PACKAGES = ['gpu-cluster-common', 'gpu-cluster-node'];
const STEP_TIMEOUT = 180_000;

jest.setTimeout(600_000);

// Packing runs Backstage's prepack, which rewrites the two packages' package.json for a moment:
// a Jest worker resolving them at that moment would read the packed layout. So this test runs
// in a phase of its own (`yarn test:packed`, called by scripts/test.sh after the parallel run).
const inPackagingPhase = process.env.GPU_CLUSTER_PACKAGING_TEST === '1';

(inPackagingPhase ? describe : describe.skip)(
  'the packed gpu-cluster command',
  () => {
    let dir: string;
    let adopter: string;
    const tarballs: Record<string, string> = {};

    /** What the installed command gets: a PATH for node, a HOME of its own, nothing else. */
    const env = () => ({
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
    });
    const bin = () => path.join(adopter, 'node_modules/.bin/gpu-cluster');

    beforeAll(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gpu-cluster-packed-'));
      adopter = path.join(dir, 'adopter');

      for (const name of PACKAGES) {
        const packageDir = path.join(repoRoot, 'plugins', name);
        // The declarations come from the repository's `yarn tsc` (dist-types), as when publishing.
        await run(
          process.execPath,
          [
            require.resolve('@backstage/cli/bin/backstage-cli'),
            'package',
            'build',
          ],
          { cwd: packageDir, timeout: STEP_TIMEOUT },
        );
        tarballs[name] = path.join(dir, `${name}.tgz`);
        await run('yarn', ['pack', '--out', tarballs[name]], {
          cwd: packageDir,
          timeout: STEP_TIMEOUT,
        });
      }

      // The adopter's project: the packages' own third-party dependencies linked from the
      // repository's node_modules, then the two tarballs installed offline.
      await fs.mkdir(path.join(adopter, 'node_modules'), { recursive: true });
      await fs.writeFile(
        path.join(adopter, 'package.json'),
        JSON.stringify({ name: 'adopter', version: '1.0.0', private: true }),
      );
      const thirdParty = new Set<string>();
      for (const name of PACKAGES) {
        const manifest = JSON.parse(
          await fs.readFile(
            path.join(repoRoot, 'plugins', name, 'package.json'),
            'utf8',
          ),
        );
        for (const dep of Object.keys(manifest.dependencies ?? {})) {
          if (!dep.startsWith('@gpu-platform/')) thirdParty.add(dep);
        }
      }
      for (const dep of thirdParty) {
        const link = path.join(adopter, 'node_modules', dep);
        await fs.mkdir(path.dirname(link), { recursive: true });
        await fs.symlink(path.join(repoRoot, 'node_modules', dep), link);
      }
      await run(
        'npm',
        [
          'install',
          '--offline',
          '--no-audit',
          '--no-fund',
          '--no-package-lock',
          '--ignore-scripts',
          '--loglevel=error',
          tarballs['gpu-cluster-common'],
          tarballs['gpu-cluster-node'],
        ],
        {
          cwd: adopter,
          timeout: STEP_TIMEOUT,
          env: { ...env(), npm_config_cache: path.join(dir, 'npm-cache') },
        },
      );
    });

    afterAll(async () => {
      if (dir) await fs.rm(dir, { recursive: true, force: true });
    });

    it('packs dist, the bin, the Terraform module and the config schema; no sources or tests', async () => {
      const list = async (tarball: string) =>
        (await run('tar', ['-tzf', tarball])).stdout.trim().split('\n');
      const node = await list(tarballs['gpu-cluster-node']);
      expect(node).toEqual(
        expect.arrayContaining([
          'package/package.json',
          'package/dist/index.cjs.js',
          'package/dist/index.d.ts',
          'package/bin/gpu-cluster',
          'package/config.schema.json',
          'package/terraform/main.tf',
          'package/terraform/modules/node-pool/main.tf',
        ]),
      );
      const common = await list(tarballs['gpu-cluster-common']);
      expect(common).toEqual(
        expect.arrayContaining(['package/dist/index.cjs.js']),
      );
      for (const file of [...node, ...common]) {
        expect(file).not.toMatch(
          /^package\/src\/|\.test\.|^package\/bin\/run-ts/,
        );
      }
    });

    it('installs as built JavaScript with the workspace ranges resolved', async () => {
      const installed = path.join(
        adopter,
        'node_modules/@gpu-platform/backstage-plugin-gpu-cluster-node',
      );
      const manifest = JSON.parse(
        await fs.readFile(path.join(installed, 'package.json'), 'utf8'),
      );
      expect(manifest.main).toBe('dist/index.cjs.js');
      expect(
        manifest.dependencies[
          '@gpu-platform/backstage-plugin-gpu-cluster-common'
        ],
      ).toMatch(/^\^\d+\.\d+\.\d+$/);
      await expect(fs.stat(path.join(installed, 'src'))).rejects.toThrow(
        'ENOENT',
      );
    });

    it('validates a values file outside the repository', async () => {
      const values = path.join(dir, 'values.yaml');
      await fs.writeFile(
        values,
        'identity:\n  projectId: my-project-1\n  namePrefix: demo\n  owner: group:default/ml\n',
      );
      const { stdout } = await run(bin(), ['validate', '--values', values], {
        cwd: dir,
        env: env(),
        timeout: 60_000,
      });
      expect(stdout).toBe('valid: demo-gke in my-project-1\n');

      await fs.writeFile(
        values,
        'identity:\n  projectId: BAD_project\n  namePrefix: demo\n  owner: group:default/ml\n',
      );
      const refused = await run(bin(), ['validate', '--values', values], {
        cwd: dir,
        env: env(),
        timeout: 60_000,
      }).catch(error => error);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('identity.projectId');
    });

    it('renders tfvars and manifests from the installed package', async () => {
      const values = path.join(dir, 'render.yaml');
      await fs.writeFile(
        values,
        'identity:\n  projectId: my-project-1\n  namePrefix: demo\n  owner: group:default/ml\n',
      );
      const out = path.join(dir, 'out');
      await run(bin(), ['render', '--values', values, '--out', out], {
        cwd: dir,
        env: env(),
        timeout: 60_000,
      });
      const tfvars = JSON.parse(
        await fs.readFile(
          path.join(out, 'terraform/terraform.tfvars.json'),
          'utf8',
        ),
      );
      expect(tfvars.project_id).toBe('my-project-1');
      const queues = parseAllDocuments(
        await fs.readFile(
          path.join(out, 'manifests/50-kueue-queues.yaml'),
          'utf8',
        ),
      ).map(d => d.toJSON());
      expect(queues.map(o => o.kind)).toEqual(
        expect.arrayContaining(['ClusterQueue', 'LocalQueue']),
      );
      const ray = parseYaml(
        await fs.readFile(
          path.join(out, 'manifests/60-ray-cluster.yaml'),
          'utf8',
        ),
      );
      expect(ray).toBeTruthy();
    });

    it('finds its Terraform module inside the installed package and it matches the recorded digest', async () => {
      const { stdout } = await run(
        process.execPath,
        [
          '-e',
          `const node = require('@gpu-platform/backstage-plugin-gpu-cluster-node');
         node.loadVerifiedModule().then(m => console.log(JSON.stringify({
           dir: node.shippedModuleDirectory(), digest: m.digest, files: m.files.size })));`,
        ],
        { cwd: adopter, env: env(), timeout: 60_000 },
      );
      const result = JSON.parse(stdout);
      expect(result.dir).toBe(
        path.join(
          await fs.realpath(adopter),
          'node_modules/@gpu-platform/backstage-plugin-gpu-cluster-node/terraform',
        ),
      );
      expect(result.digest).toBe(SHIPPED_MODULE_DIGEST.digest);
      expect(result.files).toBe(
        Object.keys(SHIPPED_MODULE_DIGEST.files).length,
      );
    });
  },
);
