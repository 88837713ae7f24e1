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
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { writeStackFiles } from '../render';
import { NCCL_TEST_JOB_NAME } from '../manifests';
import { emulatedNodePools } from '../__testUtils__/emulatedNodePools';
import { applyManifestPlan } from './applyPlan';

/**
 * The cross-area check of issue 7: the default stack, rendered by the product's own renderer
 * (what `gpu-cluster render` writes) and applied with the real kubectl the way `gpu-cluster
 * apply` does, on an emulated cluster with the stack's node pools as GKE creates them. The
 * emulated Kueue, kube-scheduler, KubeRay, Job controller and DWS autoscaler then run; the Ray
 * head and workers and the NCCL verification Job must all be admitted and their pods
 * schedulable on some pool.
 */

const VALUES = {
  identity: {
    projectId: 'stack-admission-1',
    namePrefix: 'adm',
    owner: 'group:default/ml-platform',
  },
};

const KUEUE = 'kueue.x-k8s.io/v1beta2';

describe('the default stack on the emulated cluster', () => {
  let emu: KubeEmulator;
  let dir: string;
  let spec: GpuStackSpec;

  beforeAll(async () => {
    spec = assertGpuStackSpec(VALUES);
    emu = await startKubeEmulator({
      fixtures: 'empty',
      clock: new ManualClock(),
      scenarios: {
        nodePools: emulatedNodePools(spec).map(gkeNodePool),
        timings: { deploymentReadyMs: 0 },
        tickIntervalMs: 50,
      },
    });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stack-admission-'));
    const { applyPlan } = await writeStackFiles(spec, path.join(dir, 'stack'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    await emu.writeKubeconfig(kubeconfig);
    await applyManifestPlan(applyPlan, {
      kubeconfig,
      env: { ...process.env, KUBECACHEDIR: path.join(dir, 'kube-cache') },
      manifestsDir: path.join(dir, 'stack', 'manifests'),
      kueueManifest: await writeKueueReleaseStandIn(
        path.join(dir, 'kueue.yaml'),
      ),
      timeoutMs: 60_000,
    });
    // Long enough for DWS to provision (60 s), pods to start and the Job to finish.
    emu.scenarios.engine.runFor(5 * 60_000);
  }, 180_000);
  afterAll(async () => {
    await emu?.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  const cond = (o: any, type: string) =>
    o?.status?.conditions?.find((c: any) => c.type === type);

  /** Each workload's admission and each of its pods' scheduling, as `kubectl describe` shows them. */
  function admissionReport(owner: { kind: string; name: string; ns: string }) {
    const wl = emu.client
      .list(KUEUE, 'Workload', owner.ns)
      .find(w =>
        w.metadata.ownerReferences?.some(
          (r: any) => r.kind === owner.kind && r.name === owner.name,
        ),
      );
    const quota = cond(wl, 'QuotaReserved');
    return {
      workload: wl ? 'exists' : 'missing',
      admitted:
        cond(wl, 'Admitted')?.status === 'True'
          ? 'Admitted'
          : `${quota?.reason ?? 'NotEvaluated'}: ${quota?.message ?? ''}`,
    };
  }

  function podReport(label: string, value: string, ns: string) {
    const pods = emu.client
      .list('v1', 'Pod', ns)
      .filter(p => p.metadata.labels?.[label] === value);
    return pods.length === 0
      ? ['no pods']
      : pods.map(p => {
          const scheduled = cond(p, 'PodScheduled');
          return scheduled?.status === 'True'
            ? `${p.metadata.labels?.['ray.io/node-type'] ?? 'pod'} scheduled`
            : `${p.metadata.labels?.['ray.io/node-type'] ?? 'pod'} pending: ${
                scheduled?.message ?? 'not scheduled'
              }`;
        });
  }

  it('applied the stack: Kueue made Workloads of the RayCluster and the verification Job and evaluated them', () => {
    const ns = spec.kueue.namespace;
    for (const owner of [
      { kind: 'RayCluster', name: spec.ray.name, ns: spec.ray.namespace },
      { kind: 'Job', name: NCCL_TEST_JOB_NAME, ns },
    ]) {
      const report = admissionReport(owner);
      expect(report.workload).toBe('exists');
      expect(report.admitted).not.toMatch(/^NotEvaluated/);
    }
  });

  // Issue 7, defects 2 and 3: the CPU-only head must not be pinned to the queued GPU pool, and the
  // Ray workers must leave GPU quota for the verification Job.
  it('admits the Ray head and workers and the NCCL verification Job, and schedules their pods on some pool', () => {
    const ray = spec.ray;
    const ns = spec.kueue.namespace;
    const observed = {
      rayCluster: admissionReport({
        kind: 'RayCluster',
        name: ray.name,
        ns: ray.namespace,
      }),
      rayPods: podReport('ray.io/cluster', ray.name, ray.namespace),
      ncclJob: admissionReport({
        kind: 'Job',
        name: NCCL_TEST_JOB_NAME,
        ns,
      }),
      ncclPods: podReport('job-name', NCCL_TEST_JOB_NAME, ns),
    };
    expect(observed).toEqual({
      rayCluster: { workload: 'exists', admitted: 'Admitted' },
      rayPods: observed.rayPods.map(p =>
        p.replace(/ pending: .*/, ' scheduled'),
      ),
      ncclJob: { workload: 'exists', admitted: 'Admitted' },
      ncclPods: observed.ncclPods.map(p =>
        p.replace(/ pending: .*/, ' scheduled'),
      ),
    });
    expect(observed.rayPods).not.toContain('no pods');
    expect(observed.ncclPods).not.toContain('no pods');
  });
});
