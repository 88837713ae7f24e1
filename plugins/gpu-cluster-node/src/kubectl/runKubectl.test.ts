import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { applyManifestPlan, KubectlError, runKubectl } from '.';

// A stand-in kubectl that records its argv (one JSON line per call) and fails on demand.
const FAKE = `#!/usr/bin/env node
const fs = require('node:fs');
fs.appendFileSync(process.env.FAKE_LOG, JSON.stringify(process.argv.slice(2)) + '\\n');
if (process.argv.includes('--fail')) { process.stderr.write('error: the server has asked for the client to provide credentials'); process.exit(1); }
process.stdout.write('ok');
`;

describe('kubectl runner', () => {
  let dir: string;
  let kubectlPath: string;
  let log: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubectl-'));
    kubectlPath = path.join(dir, 'kubectl');
    log = path.join(dir, 'calls.log');
    await fs.writeFile(kubectlPath, FAKE, { mode: 0o755 });
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));
  const calls = async () =>
    (await fs.readFile(log, 'utf8'))
      .trim()
      .split('\n')
      .map(l => JSON.parse(l));
  const env = () => ({ ...process.env, FAKE_LOG: log });

  it('passes arguments as an array (no shell) with the kubeconfig', async () => {
    await fs.rm(log, { force: true });
    const hostile = 'x; rm -rf / $(id)';
    await runKubectl(['get', 'ns', hostile], {
      kubectlPath,
      kubeconfig: '/tmp/kc',
      env: env(),
    });
    expect(await calls()).toEqual([
      ['--kubeconfig', '/tmp/kc', 'get', 'ns', hostile],
    ]);
  });

  it('reports failures with the exit code and stderr', async () => {
    const error = await runKubectl(['get', '--fail'], {
      kubectlPath,
      env: env(),
    }).catch(e => e);
    expect(error).toBeInstanceOf(KubectlError);
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain('provide credentials');
  });

  it('reports a missing binary clearly', async () => {
    const error = await runKubectl(['version'], {
      kubectlPath: path.join(dir, 'nope'),
    }).catch(e => e);
    expect(error.message).toContain('not found');
  });

  it('applies the plan in order: Kueue, rollout wait, then each file server-side', async () => {
    await fs.rm(log, { force: true });
    await applyManifestPlan(
      [
        {
          type: 'kueue-install',
          install: {
            version: 'v0.19.2',
            manifestUrl: 'https://example.invalid/kueue.yaml',
            namespace: 'kueue-system',
            waitForDeployment: 'kueue-controller-manager',
          },
        },
        { type: 'manifest', path: '10-networks.yaml' },
      ],
      {
        kubectlPath,
        env: env(),
        manifestsDir: '/stack/manifests',
        kueueManifest: '/vendor/kueue.yaml',
      },
    );
    expect(await calls()).toEqual([
      [
        'apply',
        '--server-side',
        '--field-manager=gpu-platform',
        '--force-conflicts',
        '-f',
        '/vendor/kueue.yaml',
      ],
      [
        'rollout',
        'status',
        '--namespace',
        'kueue-system',
        'deployment/kueue-controller-manager',
        '--timeout=300s',
      ],
      [
        'apply',
        '--server-side',
        '--field-manager=gpu-platform',
        '-f',
        '/stack/manifests/10-networks.yaml',
      ],
    ]);
  });
});
