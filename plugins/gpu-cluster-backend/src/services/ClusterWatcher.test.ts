import { mockServices } from '@backstage/backend-test-utils';
import {
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import {
  DEMO,
  startKubeEmulator,
  type KubeEmulator,
} from '@gpu-platform/emulators';
import { buildClusterStatus } from './buildStatus';
import {
  ClusterWatcher,
  LIVE_PODS_FIELD_SELECTOR,
  type ClusterSnapshot,
} from './ClusterWatcher';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

async function eventually(check: () => boolean, what: string, ms = 10_000) {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 50));
  }
}

describe('ClusterWatcher pods', () => {
  let kube: KubeEmulator;
  let core: CoreV1Api;
  let watcher: ClusterWatcher;

  beforeAll(async () => {
    kube = await startKubeEmulator({
      fixtures: 'demo',
      scenarios: { enabled: false },
    });
    const kc = new KubeConfig();
    kc.loadFromString(kube.kubeconfig());
    core = kc.makeApiClient(CoreV1Api);
  });
  afterEach(() => watcher?.stop());
  afterAll(() =>
    Promise.race([
      kube?.stop(),
      new Promise(resolve => setTimeout(resolve, 3000).unref()),
    ]),
  );

  const startWatcher = async () => {
    watcher = new ClusterWatcher({
      clusterName: DEMO.cluster,
      connection: { url: kube.url, caData: kube.caPem, token: kube.token },
      logger: mockServices.logger.mock(),
    });
    await watcher.ready();
    return watcher;
  };

  const statusOf = (snapshot: ClusterSnapshot) =>
    buildClusterStatus({
      entityRef: `resource:default/${DEMO.cluster}`,
      clusterName: DEMO.cluster,
      snapshot,
      sources: [{ name: 'kubernetes', ok: true }],
      now: Date.parse('2026-11-29T12:00:00Z'),
    });

  /** A pod bound to `node` asking for `gpus`, in `phase`. */
  async function gpuPod(
    name: string,
    node: string,
    gpus: number,
    phase: string,
  ) {
    await core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name, namespace: 'default' },
        spec: {
          nodeName: node,
          restartPolicy: 'Never',
          containers: [
            {
              name: 'train',
              image: 'busybox',
              resources: {
                requests: { 'nvidia.com/gpu': String(gpus) },
                limits: { 'nvidia.com/gpu': String(gpus) },
              },
            },
          ],
        },
      },
    });
    await core.patchNamespacedPodStatus(
      { name, namespace: 'default', body: { status: { phase } } },
      mergePatch,
    );
  }

  it('lists and watches live pods only, and the status figures are those of all pods', async () => {
    const gpuNode = (await core.listNode()).items.find(
      n => Number(n.status?.capacity?.['nvidia.com/gpu'] ?? 0) > 0,
    )!.metadata!.name!;
    // A finished pod on a GPU node: it holds no GPU, and the live-pods informer never sees it.
    await gpuPod('finished-on-gpu-node', gpuNode, 8, 'Succeeded');
    const before = kube.faults.requests.length;
    await startWatcher();

    const podRequests = () =>
      kube.faults.requests
        .slice(before)
        .filter(r => /^\/api\/v1\/(namespaces\/[^/]+\/)?pods$/.test(r.path));
    // The watch follows the list (ready() resolves once listed).
    await eventually(
      () => podRequests().some(r => r.query.watch === 'true'),
      'the pods watch',
    );
    // One list and one watch, both with the live-pods selector; no cluster-wide read.
    expect(podRequests().length).toBe(2);
    for (const r of podRequests())
      expect(r.query.fieldSelector).toBe(LIVE_PODS_FIELD_SELECTOR);

    const snapshot = watcher.snapshot();
    const all = (await core.listPodForAllNamespaces()).items;
    expect(all.some(p => p.status?.phase === 'Succeeded')).toBe(true);
    expect(
      snapshot.pods.some(p =>
        ['Succeeded', 'Failed'].includes(p.status?.phase),
      ),
    ).toBe(false);
    expect(snapshot.pods.length).toBe(
      all.filter(p => !['Succeeded', 'Failed'].includes(p.status?.phase!))
        .length,
    );

    // What the status says with the live pods equals what it says with every pod.
    const live = statusOf(snapshot);
    const everything = statusOf({ ...snapshot, pods: all });
    expect(live.summary).toEqual(everything.summary);
    expect(live.nodes).toEqual(everything.nodes);
    expect(live.explanations).toEqual(everything.explanations);
    expect(live.flags).toEqual(everything.flags);
    expect(live.fabric).toEqual(everything.fabric);
  });

  it('drops a pod from GPUs in use when it finishes (the selected watch sends DELETED)', async () => {
    const gpuNode = (await core.listNode()).items.find(
      n => Number(n.status?.capacity?.['nvidia.com/gpu'] ?? 0) > 0,
    )!.metadata!.name!;
    await startWatcher();
    const inUse = () =>
      statusOf(watcher.snapshot()).nodes.find(n => n.name === gpuNode)!.gpus
        .inUse;
    const start = inUse();
    await gpuPod('running-on-gpu-node', gpuNode, 2, 'Running');
    await eventually(() => inUse() === start + 2, 'the running pod counted');
    await core.patchNamespacedPodStatus(
      {
        name: 'running-on-gpu-node',
        namespace: 'default',
        body: { status: { phase: 'Failed' } },
      },
      mergePatch,
    );
    await eventually(() => inUse() === start, 'the finished pod dropped');
    expect(
      watcher
        .snapshot()
        .pods.some(p => p.metadata.name === 'running-on-gpu-node'),
    ).toBe(false);
  });
});
