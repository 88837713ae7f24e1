import https from 'node:https';
import {
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  Watch,
  type V1Pod,
} from '@kubernetes/client-node';
import { startKubeEmulator, type KubeEmulator } from '../KubeEmulator';
import { waitFor } from '../waitFor';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function get(emu: KubeEmulator, path: string) {
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = https.request(
      new URL(path, emu.url),
      {
        ca: emu.caPem,
        headers: {
          Authorization: `Bearer ${emu.token}`,
          Accept: 'application/json',
        },
        timeout: 5000,
      },
      res => {
        let text = '';
        res.on('data', c => (text += c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, body: JSON.parse(text) }),
        );
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.end();
  });
}

const pod = (name: string, phase: string, nodeName?: string): V1Pod => ({
  metadata: { name, namespace: 'default', labels: { sel: 'fields' } },
  spec: {
    ...(nodeName && { nodeName }),
    restartPolicy: 'Never',
    containers: [{ name: 'c', image: 'busybox' }],
  },
  status: { phase },
});

describe('field selectors (the API server rules)', () => {
  let emu: KubeEmulator;
  let core: CoreV1Api;
  let kc: KubeConfig;

  beforeAll(async () => {
    emu = await startKubeEmulator({ scenarios: { enabled: false } });
    kc = new KubeConfig();
    kc.loadFromString(emu.kubeconfig());
    core = kc.makeApiClient(CoreV1Api);
    for (const [name, phase, node] of [
      ['fs-running', 'Running', 'node-a'],
      ['fs-pending', 'Pending', undefined],
      ['fs-done', 'Succeeded', 'node-a'],
      ['fs-failed', 'Failed', 'node-b'],
    ] as const) {
      const created = await core.createNamespacedPod({
        namespace: 'default',
        body: pod(name, phase, node),
      });
      // status is a subresource: set the phase through it.
      await core.patchNamespacedPodStatus(
        {
          name: created.metadata!.name!,
          namespace: 'default',
          body: { status: { phase } },
        },
        mergePatch,
      );
    }
  });
  afterAll(async () => {
    await emu.stop();
  });

  const podNames = async (fieldSelector: string) =>
    (
      await core.listPodForAllNamespaces({
        fieldSelector,
        labelSelector: 'sel=fields',
      })
    ).items
      .map(p => p.metadata!.name!)
      .sort();

  it('selects pods by the fields pods support', async () => {
    expect(
      await podNames('status.phase!=Succeeded,status.phase!=Failed'),
    ).toEqual(['fs-pending', 'fs-running']);
    expect(await podNames('spec.nodeName=node-a')).toEqual([
      'fs-done',
      'fs-running',
    ]);
    // An unset field selects as "" (fields.Set), so `=` with no value finds unscheduled pods.
    expect(await podNames('spec.nodeName=')).toEqual(['fs-pending']);
    expect(await podNames('spec.hostNetwork=false')).toHaveLength(4);
    expect(await podNames('spec.restartPolicy==Never')).toHaveLength(4);
    expect(
      await podNames('metadata.namespace=default,metadata.name=fs-failed'),
    ).toEqual(['fs-failed']);
    // The v1beta3-era alias the Pod conversion keeps.
    expect(await podNames('spec.host=node-b')).toEqual(['fs-failed']);
  });

  it.each([
    [
      '/api/v1/pods?fieldSelector=status.hostIP%3D10.0.0.1',
      'field label not supported: status.hostIP',
    ],
    [
      '/api/v1/nodes?fieldSelector=metadata.namespace%3Ddefault',
      'field label not supported: metadata.namespace',
    ],
    [
      '/api/v1/namespaces/default/configmaps?fieldSelector=data.x%3Dy',
      '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"',
    ],
    [
      '/apis/kueue.x-k8s.io/v1beta2/clusterqueues?fieldSelector=metadata.namespace%3Dx',
      'field label not supported: metadata.namespace',
    ],
    [
      '/apis/kueue.x-k8s.io/v1beta2/workloads?fieldSelector=spec.queueName%3Dx',
      'field label not supported: spec.queueName',
    ],
    [
      '/api/v1/pods?fieldSelector=status.phase%20in%20(Running,Pending)',
      "invalid selector: 'status.phase in (Running,Pending)'; can't understand 'status.phase in (Running'",
    ],
    [
      '/api/v1/pods?fieldSelector=status.phase',
      "invalid selector: 'status.phase'; can't understand 'status.phase'",
    ],
  ])('refuses %s with 400 BadRequest', async (path, message) => {
    for (const p of [path, `${path}&watch=true`]) {
      const res = await get(emu, p);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        kind: 'Status',
        status: 'Failure',
        reason: 'BadRequest',
        code: 400,
        message,
      });
    }
  });

  it("accepts a CRD version's selectableFields and a namespaced CRD's metadata.namespace", async () => {
    for (const selector of [
      'status.admission.clusterQueue=dws-cluster-queue',
      'metadata.namespace=default',
    ]) {
      const res = await get(
        emu,
        `/apis/kueue.x-k8s.io/v1beta2/workloads?fieldSelector=${encodeURIComponent(
          selector,
        )}`,
      );
      expect(res.status).toBe(200);
    }
  });

  it('moves objects into and out of a selected watch as ADDED and DELETED', async () => {
    const seen: string[] = [];
    const watch = await new Watch(kc).watch(
      '/api/v1/pods',
      {
        labelSelector: 'sel=fields',
        fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed',
        resourceVersion: (
          await core.listPodForAllNamespaces({ limit: 1 })
        ).metadata!.resourceVersion,
      },
      (type, obj: V1Pod) =>
        seen.push(`${type} ${obj.metadata?.name} ${obj.status?.phase}`),
      () => undefined,
    );
    try {
      // Pending → Running: matched before and after.
      await core.patchNamespacedPodStatus(
        {
          name: 'fs-pending',
          namespace: 'default',
          body: { status: { phase: 'Running' } },
        },
        mergePatch,
      );
      // Running → Succeeded: leaves the selection; DELETED carries the last matching state.
      await core.patchNamespacedPodStatus(
        {
          name: 'fs-running',
          namespace: 'default',
          body: { status: { phase: 'Succeeded' } },
        },
        mergePatch,
      );
      // A finished pod changing again stays invisible.
      await core.patchNamespacedPod(
        {
          name: 'fs-done',
          namespace: 'default',
          body: { metadata: { annotations: { touched: 'yes' } } },
        },
        mergePatch,
      );
      // Failed → Pending (a test-only transition): enters the selection.
      await core.patchNamespacedPodStatus(
        {
          name: 'fs-failed',
          namespace: 'default',
          body: { status: { phase: 'Pending' } },
        },
        mergePatch,
      );
      await core.deleteNamespacedPod({ name: 'fs-done', namespace: 'default' });
      await core.deleteNamespacedPod({
        name: 'fs-failed',
        namespace: 'default',
      });
      await waitFor(
        () => seen.some(e => e.startsWith('DELETED fs-failed')),
        5000,
        'events',
      );
    } finally {
      watch.abort();
    }
    expect(seen).toEqual([
      'MODIFIED fs-pending Running',
      'DELETED fs-running Running',
      'ADDED fs-failed Pending',
      'DELETED fs-failed Pending',
    ]);
  });

  it('records requests with their query, and faults can tell a selected list from a cluster-wide one', async () => {
    emu.faults.add({
      path: '/api/v1/pods',
      query: { fieldSelector: null },
      status: 403,
    });
    try {
      const before = emu.faults.requests.length;
      await expect(core.listPodForAllNamespaces()).rejects.toMatchObject({
        code: 403,
      });
      await expect(
        core.listPodForAllNamespaces({ fieldSelector: 'status.phase=Running' }),
      ).resolves.toBeDefined();
      expect(emu.faults.requests.slice(before)).toEqual([
        { method: 'GET', path: '/api/v1/pods', query: {} },
        {
          method: 'GET',
          path: '/api/v1/pods',
          query: { fieldSelector: 'status.phase=Running' },
        },
      ]);
    } finally {
      emu.faults.clear();
    }
  });
});
