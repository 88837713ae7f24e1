import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  KubeConfig,
  KubernetesObjectApi,
  type KubernetesObject,
} from '@kubernetes/client-node';
import {
  ManualClock,
  startKubeEmulator,
  type KubeEmulator,
  writeKueueReleaseStandIn,
} from '@gpu-platform/emulators';
import { assertGpuStackSpec } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  renderManifests,
  serializeManifest,
  type ApplyStep,
  type KubeObject,
} from '../manifests';
import { generateVariantMatrix } from '../manifests/variantMatrix';
import {
  applyManifestPlan,
  deleteManifestPlan,
  KubectlError,
  runKubectl,
  type ApplyManifestsOptions,
} from '.';

/** The real kubectl against the Kubernetes API emulator. */

const FLAVOR = `apiVersion: kueue.x-k8s.io/v1beta2
kind: ResourceFlavor
metadata:
  name: h200-dws
spec:
  nodeLabels:
    cloud.google.com/gke-nodepool: h200-dws
`;
const QUEUE = `apiVersion: kueue.x-k8s.io/v1beta2
kind: LocalQueue
metadata:
  name: dws-local-queue
  namespace: default
spec:
  clusterQueue: dws-cluster-queue
`;

const PLAN: ApplyStep[] = [
  {
    type: 'kueue-install',
    install: {
      version: 'v0.19.2',
      // Never fetched: the test passes the fixture as kueueManifest, as --kueue-manifest does.
      manifestUrl:
        'https://github.com/kubernetes-sigs/kueue/releases/download/v0.19.2/manifests.yaml',
      namespace: 'kueue-system',
      waitForDeployment: 'kueue-controller-manager',
    },
  },
  { type: 'manifest', path: '50-flavor.yaml' },
  { type: 'manifest', path: '51-queue.yaml' },
];

type Obj = KubernetesObject & Record<string, any>;
const flavor: Obj = {
  apiVersion: 'kueue.x-k8s.io/v1beta2',
  kind: 'ResourceFlavor',
  metadata: { name: 'h200-dws' },
};
const queue: Obj = {
  apiVersion: 'kueue.x-k8s.io/v1beta2',
  kind: 'LocalQueue',
  metadata: { name: 'dws-local-queue', namespace: 'default' },
};
const kueueDeployment: Obj = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'kueue-controller-manager', namespace: 'kueue-system' },
};

describe('applyManifestPlan with the real kubectl', () => {
  let emu: KubeEmulator;
  let dir: string;
  let options: ApplyManifestsOptions;
  let objects: KubernetesObjectApi;

  beforeAll(async () => {
    // Kueue's controller becomes available one scripted minute after its Deployment is applied;
    // the test moves that clock. Immediate reactions run on the emulator's 50 ms ticker.
    emu = await startKubeEmulator({
      fixtures: 'empty',
      clock: new ManualClock(),
      scenarios: { timings: { deploymentReadyMs: 60_000 }, tickIntervalMs: 50 },
    });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'apply-plan-'));
    const manifestsDir = path.join(dir, 'manifests');
    await fs.mkdir(manifestsDir);
    await fs.writeFile(path.join(manifestsDir, '50-flavor.yaml'), FLAVOR);
    await fs.writeFile(path.join(manifestsDir, '51-queue.yaml'), QUEUE);
    const kubeconfig = path.join(dir, 'kubeconfig');
    await emu.writeKubeconfig(kubeconfig);
    options = {
      kubeconfig,
      env: { ...process.env, KUBECACHEDIR: path.join(dir, 'kube-cache') },
      manifestsDir,
      kueueManifest: await writeKueueReleaseStandIn(
        path.join(dir, 'kueue.yaml'),
      ),
      timeoutMs: 60_000,
    };
    const kc = new KubeConfig();
    kc.loadFromString(emu.kubeconfig());
    objects = KubernetesObjectApi.makeApiClient(kc);
  });
  afterAll(async () => {
    await emu?.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  const read = (o: Obj) =>
    objects.read({
      apiVersion: o.apiVersion,
      kind: o.kind,
      metadata: { name: o.metadata!.name!, namespace: o.metadata?.namespace },
    }) as Promise<Obj>;
  const appliedBy = async (o: Obj) =>
    (await read(o)).metadata?.managedFields
      ?.filter(m => m.operation === 'Apply')
      .map(m => m.manager);

  it('installs Kueue first and applies no manifest until its controller has rolled out', async () => {
    const error = await applyManifestPlan(PLAN, {
      ...options,
      kueueReadyTimeoutSeconds: 2,
    }).catch(e => e);
    expect(error).toBeInstanceOf(KubectlError);
    expect(error.args).toEqual(
      expect.arrayContaining([
        'rollout',
        'deployment/kueue-controller-manager',
      ]),
    );
    expect(error.message).toContain('timed out waiting for the condition');
    expect(await appliedBy(kueueDeployment)).toEqual(['gpu-platform']);
    await expect(read(flavor)).rejects.toMatchObject({ code: 404 });
    await expect(read(queue)).rejects.toMatchObject({ code: 404 });
  }, 60_000);

  it('then applies each file server-side in order, and re-applying changes nothing', async () => {
    emu.scenarios.engine.runFor(60_000);
    await applyManifestPlan(PLAN, options);
    expect(await appliedBy(flavor)).toEqual(['gpu-platform']);
    expect(await appliedBy(queue)).toEqual(['gpu-platform']);
    emu.scenarios.engine.tick();

    const versions = async () =>
      Promise.all(
        [kueueDeployment, flavor, queue].map(
          async o => (await read(o)).metadata?.resourceVersion,
        ),
      );
    const before = await versions();
    await applyManifestPlan(PLAN, options);
    emu.scenarios.engine.tick();
    expect(await versions()).toEqual(before);
  }, 60_000);

  it('does not overwrite a field another manager changed (server-side apply conflict)', async () => {
    const edited = path.join(dir, 'edited-flavor.yaml');
    await fs.writeFile(
      edited,
      FLAVOR.replace('gke-nodepool: h200-dws', 'gke-nodepool: other-pool'),
    );
    await runKubectl(
      [
        'apply',
        '--server-side',
        '--field-manager=someone-else',
        '--force-conflicts',
        '-f',
        edited,
      ],
      options,
    );
    const error = await applyManifestPlan(PLAN, options).catch(e => e);
    expect(error).toBeInstanceOf(KubectlError);
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain('conflict with "someone-else"');
    expect((await read(flavor)).spec.nodeLabels).toEqual({
      'cloud.google.com/gke-nodepool': 'other-pool',
    });
  }, 60_000);

  it('reports a refused request with the exit code and the API server message', async () => {
    const allow = emu.authorizer.forbid({
      verb: 'delete',
      group: 'kueue.x-k8s.io',
      resource: 'localqueues',
    });
    try {
      const error = await deleteManifestPlan(PLAN, options).catch(e => e);
      expect(error).toBeInstanceOf(KubectlError);
      expect(error.exitCode).toBe(1);
      expect(error.stderr).toContain(
        'localqueues.kueue.x-k8s.io "dws-local-queue" is forbidden: User "emulator-admin" cannot delete resource "localqueues" in API group "kueue.x-k8s.io" in the namespace "default"',
      );
      // Reverse order: the queue file (last applied) is deleted first, so the flavor is untouched.
      expect((await read(flavor)).metadata?.name).toBe('h200-dws');
    } finally {
      allow();
    }
  }, 60_000);

  it('deletes the manifests in reverse order and leaves Kueue installed', async () => {
    await deleteManifestPlan(PLAN, options);
    await expect(read(queue)).rejects.toMatchObject({ code: 404 });
    await expect(read(flavor)).rejects.toMatchObject({ code: 404 });
    expect((await read(kueueDeployment)).status?.availableReplicas).toBe(1);
    // Deleting what is already gone is not an error (--ignore-not-found).
    await expect(deleteManifestPlan(PLAN, options)).resolves.toBeUndefined();
  }, 60_000);
  it('applies one object of every kind the variant matrix renders, server-side', async () => {
    const byKind = new Map<string, Obj>();
    const namespaces = new Set<string>();
    for (const variant of generateVariantMatrix()) {
      for (const file of renderManifests(assertGpuStackSpec(variant.input))) {
        for (const o of file.objects as Obj[]) {
          const key = `${o.apiVersion} ${o.kind}`;
          if (o.metadata?.namespace) namespaces.add(o.metadata.namespace);
          if (!byKind.has(key)) byKind.set(key, o);
        }
      }
    }
    // GKE's Ingress add-ons have no vendored CRD in the emulator (known gap, see the README).
    const unserved = [
      'cloud.google.com/v1 BackendConfig',
      'networking.gke.io/v1 ManagedCertificate',
    ];
    const served = [...byKind.entries()].filter(([k]) => !unserved.includes(k));
    const file = path.join(dir, 'every-kind.yaml');
    await fs.writeFile(
      file,
      serializeManifest([
        ...[...namespaces].map<KubeObject>(name => ({
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name },
        })),
        ...served
          .map(([, o]) => o as KubeObject)
          .filter(o => o.kind !== 'Namespace'),
      ]),
    );
    const applied = await runKubectl(
      ['apply', '--server-side', '--field-manager=gpu-platform', '-f', file],
      options,
    );
    for (const [, o] of served) {
      expect((await read(o)).metadata?.managedFields?.[0]?.manager).toBe(
        'gpu-platform',
      );
    }
    expect(applied.stdout).toContain('computeclass.cloud.google.com/');
    expect(served.map(([k]) => k)).toEqual(
      expect.arrayContaining([
        'cloud.google.com/v1 ComputeClass',
        'networking.k8s.io/v1 Ingress',
        'ray.io/v1 RayCluster',
        'batch/v1 Job',
      ]),
    );
  }, 60_000);
});
