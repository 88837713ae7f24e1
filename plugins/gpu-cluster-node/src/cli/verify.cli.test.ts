import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  gkeNodePool,
  ManualClock,
  startKubeEmulator,
  writeKueueReleaseStandIn,
  type KubeEmulator,
} from '@gpu-platform/emulators';
import {
  assertGpuStackSpec,
  verificationPool,
  type FabricVerificationRun,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { stringify } from 'yaml';
import { writeStackFiles } from '../render';
import { applyManifestPlan } from '../kubectl';
import { emulatedNodePools } from '../__testUtils__/emulatedNodePools';
import { runCli } from './cli';

/**
 * `gpu-cluster verify` against the emulated cluster with the default stack applied by the real
 * kubectl: the verification Job runs again through Kueue and DWS, the CLI reads rank 0's log
 * through `kubectl logs` and judges it; then the pool's RDMA fabric is degraded (NCCL's Socket
 * fallback) and verify exits 1.
 */

jest.setTimeout(180_000);

const VALUES = {
  identity: {
    projectId: 'verify-cli-1',
    namePrefix: 'ver',
    owner: 'group:default/ml-platform',
  },
};

describe('gpu-cluster verify', () => {
  let emu: KubeEmulator;
  let dir: string;
  let kubeconfig: string;
  let valuesFile: string;
  const spec = assertGpuStackSpec(VALUES);

  beforeAll(async () => {
    emu = await startKubeEmulator({
      fixtures: 'empty',
      clock: new ManualClock(),
      scenarios: {
        nodePools: emulatedNodePools(spec).map(gkeNodePool),
        timings: { deploymentReadyMs: 0 },
        tickIntervalMs: 50,
      },
    });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'verify-cli-'));
    valuesFile = path.join(dir, 'values.yaml');
    await fs.writeFile(valuesFile, stringify(VALUES));
    const { applyPlan } = await writeStackFiles(spec, path.join(dir, 'stack'));
    kubeconfig = path.join(dir, 'kubeconfig');
    await emu.writeKubeconfig(kubeconfig);
    await applyManifestPlan(applyPlan, {
      kubeconfig,
      // kubectl gets what it needs, not this process's whole environment.
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        KUBECACHEDIR: path.join(dir, 'kube-cache'),
      },
      manifestsDir: path.join(dir, 'stack', 'manifests'),
      kueueManifest: await writeKueueReleaseStandIn(
        path.join(dir, 'kueue.yaml'),
      ),
      timeoutMs: 60_000,
    });
  });
  afterAll(async () => {
    await emu?.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  /** Runs the CLI while emulated time moves on (DWS provisioning, pod start, the test's run). */
  async function verify(extra: string[] = []) {
    let stdout = '';
    let stderr = '';
    const ticker = setInterval(
      () => emu.scenarios.engine.runFor(20_000, 5000),
      25,
    );
    try {
      const code = await runCli(
        [
          'verify',
          '--values',
          valuesFile,
          '--kubeconfig',
          kubeconfig,
          '--poll-interval',
          '0.1',
          '--timeout',
          '120',
          ...extra,
        ],
        {
          stdout: t => (stdout += t),
          stderr: t => (stderr += t),
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '',
            KUBECACHEDIR: path.join(dir, 'kube-cache'),
          },
        },
      );
      return { code, stdout, stderr };
    } finally {
      clearInterval(ticker);
    }
  }

  it('re-runs the verification on the healthy fabric and prints the result as JSON', async () => {
    const first = await verify(['--json']);
    expect(first.stderr).toContain('nccl-allgather-test Complete');
    expect(first.code).toBe(0);
    const run: FabricVerificationRun = JSON.parse(first.stdout);
    expect(run).toMatchObject({
      jobOutcome: 'Complete',
      verdict: 'pass',
      machineType: verificationPool(spec)!.machineType,
      transport: { name: 'NET/gIB', kind: 'rdma' },
      thresholdGBps: 240,
      largestSizeBytes: 8589934592,
    });
    expect(run.sizes).toHaveLength(24);

    // A second run replaces the first Job (a new uid).
    const second = await verify(['--json']);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout).jobUid).not.toBe(run.jobUid);
  });

  it('exits 1 with the table when NCCL falls back to TCP sockets', async () => {
    for (const pool of emulatedNodePools(spec))
      emu.scenarios.controllers!.setRdmaFabric(pool.name, 'socket-fallback');
    const result = await verify();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^NCCL all_gather default\/nccl-allgather-test: fail \(Job Failed\)$/m,
    );
    expect(result.stdout).toContain('transport: NET/Socket');
    expect(result.stdout).toMatch(/^ +8 GiB +\d+(\.\d+)?$/m);
    expect(result.stderr).toContain('fabric verification fail');
  });

  it('refuses a bad --timeout before touching the cluster', async () => {
    const result = await verify(['--timeout', '-5']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--timeout must be a number of seconds');
  });
});
