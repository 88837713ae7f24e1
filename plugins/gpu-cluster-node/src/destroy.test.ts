import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { assertGpuStackSpec } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { destroyStack, isTransientDestroyError } from './destroy';
import { TerraformError } from './terraform';

// A stand-in terraform recording its argv (one JSON line per call). `destroy` fails the first
// FAIL_TIMES runs with FAIL_MESSAGE on stderr and exit code 1, as terraform does when GCP refuses
// a deletion. The real terraform's destroy against the GKE emulator is in cli.e2e.test.ts.
const FAKE = `#!/usr/bin/env node
const fs = require('node:fs');
const args = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_LOG, JSON.stringify(args) + '\\n');
if (args[0] === 'destroy') {
  const runs = fs.readFileSync(process.env.FAKE_LOG, 'utf8').split('\\n')
    .filter(line => line.startsWith('["destroy"')).length;
  if (runs <= Number(process.env.FAIL_TIMES)) {
    process.stderr.write('Error: ' + process.env.FAIL_MESSAGE + '\\n');
    process.exit(1);
  }
}
process.exit(0);
`;

/** GCE's words when a VPC still has subnetworks being deleted (seed 000's slow network deletions). */
const IN_USE =
  "Error waiting for Deleting Network: The network resource 'projects/e2e-project-1/global/networks/e2e-gvnic-net' is already being used by 'projects/e2e-project-1/regions/us-central1/subnetworks/e2e-gvnic-sub', resourceInUseByAnotherResource";

const SPEC = assertGpuStackSpec({
  identity: {
    projectId: 'e2e-project-1',
    namePrefix: 'e2e',
    owner: 'group:default/ml-platform',
  },
});

describe('destroyStack: terraform destroy while GCP is still deleting', () => {
  let dir: string;
  let terraformPath: string;
  let log: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'destroy-retry-'));
    terraformPath = path.join(dir, 'terraform');
    log = path.join(dir, 'calls.log');
    await fs.writeFile(terraformPath, FAKE, { mode: 0o755 });
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  const destroy = (failTimes: number, message: string, attempts = 3) => {
    const warnings: string[] = [];
    const run = destroyStack({
      spec: SPEC,
      terraform: {
        dir,
        terraformPath,
        env: {
          PATH: process.env.PATH ?? '',
          FAKE_LOG: log,
          FAIL_TIMES: String(failTimes),
          FAIL_MESSAGE: message,
        },
      },
      manifestsDir: path.join(dir, 'manifests'),
      skipReason: 'test: no cluster',
      destroyRetry: { attempts, delayMs: 1, maxDelayMs: 5 },
      logger: { info: () => {}, warn: m => warnings.push(m) },
    });
    return { run, warnings };
  };
  const destroyRuns = async () =>
    (await fs.readFile(log, 'utf8'))
      .trim()
      .split('\n')
      .map(line => JSON.parse(line) as string[])
      .filter(args => args[0] === 'destroy').length;

  it('runs destroy again while a network is still in use, then succeeds', async () => {
    const { run, warnings } = destroy(2, IN_USE);
    const report = await run;
    expect(await destroyRuns()).toBe(3);
    expect(warnings.filter(w => w.includes('running it again'))).toHaveLength(
      2,
    );
    expect(warnings.join('\n')).toContain('resourceInUseByAnotherResource');
    expect(report.kept.map(kept => kept.resource)).toContain(
      'APIs of project e2e-project-1',
    );
  });

  it('gives up after the bounded number of runs with the last error', async () => {
    const { run } = destroy(10, IN_USE, 3);
    await expect(run).rejects.toThrow(/already being used by/);
    expect(await destroyRuns()).toBe(3);
  });

  it('does not retry other failures', async () => {
    const { run } = destroy(
      1,
      'googleapi: Error 403: Required "container.clusters.delete" permission, forbidden',
    );
    await expect(run).rejects.toThrow(/forbidden/);
    expect(await destroyRuns()).toBe(1);
  });
});

describe('isTransientDestroyError', () => {
  const failed = (stderr: string, failure: 'exit-code' | 'cancelled') =>
    new TerraformError('terraform destroy failed', failure, 1, '', stderr);

  it.each([
    IN_USE,
    "Error: The resource 'projects/p/regions/r/subnetworks/s' is not ready, resourceNotReady",
    'Error: googleapi: Error 400: Operation operation-1 is currently deleting node pool gpu. Please wait and try again.',
    'Error: Producer services (e.g. CloudSQL, Cloud Memstore, etc.) are still using this connection.',
  ])('retries %s', stderr => {
    expect(isTransientDestroyError(failed(stderr, 'exit-code'))).toBe(true);
  });

  it('never retries a cancelled run or another error', () => {
    expect(isTransientDestroyError(failed(IN_USE, 'cancelled'))).toBe(false);
    expect(isTransientDestroyError(new Error(IN_USE))).toBe(false);
    expect(
      isTransientDestroyError(failed('Error: Invalid value', 'exit-code')),
    ).toBe(false);
  });
});
