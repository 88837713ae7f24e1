import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startKubeEmulator, type KubeEmulator } from './KubeEmulator';

const run = promisify(execFile);
const KUBECTL = '/usr/bin/kubectl';

const MANIFEST = `apiVersion: kueue.x-k8s.io/v1beta2
kind: ResourceFlavor
metadata:
  name: a3-ultra
spec:
  nodeLabels:
    cloud.google.com/gke-accelerator: nvidia-h200-141gb
---
apiVersion: kueue.x-k8s.io/v1beta2
kind: LocalQueue
metadata:
  name: team-queue
  namespace: default
spec:
  clusterQueue: dws-cluster-queue
`;

describe('real kubectl against the emulator', () => {
  let emu: KubeEmulator;
  let dir: string;
  let kubectl: (
    ...args: string[]
  ) => Promise<{ stdout: string; stderr: string }>;

  beforeAll(async () => {
    emu = await startKubeEmulator({ scenarios: { enabled: true } });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kube-emulator-'));
    await emu.writeKubeconfig(path.join(dir, 'kubeconfig'));
    await fs.writeFile(path.join(dir, 'manifest.yaml'), MANIFEST);
    kubectl = (...args) =>
      run(KUBECTL, ['--kubeconfig', path.join(dir, 'kubeconfig'), ...args], {
        timeout: 20_000,
      });
  });
  afterAll(async () => {
    await emu.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('applies server-side, re-applies as a no-op, gets, waits and deletes', async () => {
    const applied = await kubectl(
      'apply',
      '--server-side',
      '-f',
      path.join(dir, 'manifest.yaml'),
    );
    expect(applied.stdout).toContain(
      'resourceflavor.kueue.x-k8s.io/a3-ultra serverside-applied',
    );
    const rv1 = (
      await kubectl(
        'get',
        'rf',
        'a3-ultra',
        '-o',
        'jsonpath={.metadata.resourceVersion}',
      )
    ).stdout;
    await kubectl(
      'apply',
      '--server-side',
      '-f',
      path.join(dir, 'manifest.yaml'),
    );
    expect(
      (
        await kubectl(
          'get',
          'rf',
          'a3-ultra',
          '-o',
          'jsonpath={.metadata.resourceVersion}',
        )
      ).stdout,
    ).toBe(rv1);

    const table = (await kubectl('get', 'localqueues', '-n', 'default')).stdout;
    expect(table).toMatch(/NAME\s+CLUSTERQUEUE/);
    expect(table).toContain('team-queue');

    // The scripted Kueue controller marks a LocalQueue whose ClusterQueue is missing inactive.
    const waited = kubectl(
      'wait',
      '--for=condition=Active=False',
      'localqueue/team-queue',
      '-n',
      'default',
      '--timeout=15s',
    );
    await expect(waited).resolves.toMatchObject({
      stdout: expect.stringContaining('condition met'),
    });

    await fs.writeFile(
      path.join(dir, 'invalid.yaml'),
      'apiVersion: kueue.x-k8s.io/v1beta2\nkind: ClusterQueue\nmetadata:\n  name: bad\nspec:\n  admissionChecksStrategy:\n    admissionChecks:\n    - onFlavors: [a3-ultra]\n',
    );
    await expect(
      kubectl('apply', '--server-side', '-f', path.join(dir, 'invalid.yaml')),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining(
        'spec.admissionChecksStrategy.admissionChecks[0].name: Required value',
      ),
    });

    const deleted = await kubectl(
      'delete',
      '-f',
      path.join(dir, 'manifest.yaml'),
    );
    expect(deleted.stdout).toContain('"a3-ultra" deleted');
    await expect(kubectl('get', 'rf', 'a3-ultra')).rejects.toMatchObject({
      stderr: expect.stringContaining('NotFound'),
    });
  }, 60_000);
});
