import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  ListWatch,
  PatchStrategy,
  setHeaderOptions,
  Watch,
  type KubernetesObject,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import https from 'node:https';
import { startKubeEmulator, type KubeEmulator } from './KubeEmulator';
import { waitFor } from './waitFor';

/** A client-node KubeConfig loaded from the emulator's kubeconfig (CA trusted, bearer token). */
function kubeConfigFor(emulator: KubeEmulator): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(emulator.kubeconfig());
  return kc;
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const KUEUE = { group: 'kueue.x-k8s.io', version: 'v1beta2' };

/** Raw HTTPS request trusting the emulator CA (for status codes and headers client-node hides). */
function raw(
  emu: KubeEmulator,
  method: string,
  path: string,
  opts: {
    token?: string | null;
    body?: unknown;
    contentType?: string;
    accept?: string;
    timeoutMs?: number;
  } = {},
) {
  return new Promise<{
    status: number;
    headers: Record<string, any>;
    body: any;
  }>((resolve, reject) => {
    const url = new URL(path, emu.url);
    const headers: Record<string, string> = {
      Accept: opts.accept ?? 'application/json',
    };
    if (opts.token !== null)
      headers.Authorization = `Bearer ${opts.token ?? emu.token}`;
    if (opts.body !== undefined)
      headers['Content-Type'] = opts.contentType ?? 'application/json';
    const req = https.request(
      url,
      { method, ca: emu.caPem, headers, timeout: opts.timeoutMs ?? 5000 },
      res => {
        let text = '';
        res.on('data', c => (text += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            body:
              text && res.headers['content-type']?.includes('json')
                ? JSON.parse(text)
                : text,
          }),
        );
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    if (opts.body !== undefined)
      req.write(
        typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
      );
    req.end();
  });
}

describe('Kubernetes API emulator', () => {
  let emu: KubeEmulator;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;

  beforeAll(async () => {
    emu = await startKubeEmulator({
      users: { 'viewer-token': 'viewer' },
      bookmarkIntervalMs: 50,
      scenarios: { enabled: false },
    });
    const kc = kubeConfigFor(emu);
    core = kc.makeApiClient(CoreV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
  });
  afterAll(async () => {
    await emu.stop();
  });
  afterEach(() => {
    emu.faults.clear();
    emu.authorizer.clear();
  });

  it('authenticates bearer tokens and authorizes with forbid rules', async () => {
    const missing = await raw(emu, 'GET', '/api/v1/namespaces', {
      token: null,
    });
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Unauthorized',
      code: 401,
    });
    expect(
      (await raw(emu, 'GET', '/api/v1/namespaces', { token: 'wrong' })).status,
    ).toBe(401);
    emu.authorizer.forbid({
      user: 'viewer',
      verb: ['create', 'delete'],
      group: 'kueue.x-k8s.io',
      resource: 'workloads',
      namespace: 'default',
    });
    const denied = await raw(
      emu,
      'POST',
      '/apis/kueue.x-k8s.io/v1beta2/namespaces/default/workloads',
      { token: 'viewer-token', body: {} },
    );
    expect(denied.status).toBe(403);
    expect(denied.body.message).toBe(
      'workloads.kueue.x-k8s.io is forbidden: User "viewer" cannot create resource "workloads" in API group "kueue.x-k8s.io" in the namespace "default"',
    );
    expect(
      (
        await raw(
          emu,
          'GET',
          '/apis/kueue.x-k8s.io/v1beta2/namespaces/default/workloads',
          { token: 'viewer-token' },
        )
      ).status,
    ).toBe(200);
  });

  it('serves discovery; protobuf for built-in kinds, 406 for protobuf-only reads of custom resources', async () => {
    const groups = (await raw(emu, 'GET', '/apis')).body;
    const kueue = groups.groups.find((g: any) => g.name === 'kueue.x-k8s.io');
    expect(kueue.preferredVersion.version).toBe('v1beta2');
    expect(kueue.versions.map((v: any) => v.version)).toEqual([
      'v1beta2',
      'v1beta1',
    ]);
    const resources = (await raw(emu, 'GET', '/apis/autoscaling.x-k8s.io/v1'))
      .body;
    expect(resources.resources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'provisioningrequests',
          namespaced: true,
          kind: 'ProvisioningRequest',
          shortNames: ['provreq', 'provreqs'],
        }),
        expect.objectContaining({ name: 'provisioningrequests/status' }),
      ]),
    );
    const networks = (
      await raw(emu, 'GET', '/apis/networking.gke.io/v1')
    ).body.resources.find((r: any) => r.name === 'networks');
    expect(networks.namespaced).toBe(false);
    expect((await raw(emu, 'GET', '/version')).body.gitVersion).toMatch(
      /^v1\.32/,
    );
    const protobuf = await raw(emu, 'GET', '/api/v1/namespaces/default', {
      accept: 'application/vnd.kubernetes.protobuf',
    });
    expect(protobuf.status).toBe(200);
    expect(protobuf.headers['content-type']).toBe(
      'application/vnd.kubernetes.protobuf',
    );
    expect(protobuf.body.startsWith('k8s\u0000')).toBe(true);
    const crd = await raw(
      emu,
      'GET',
      '/apis/kueue.x-k8s.io/v1beta2/clusterqueues',
      { accept: 'application/vnd.kubernetes.protobuf' },
    );
    expect(crd.status).toBe(406);
    expect(crd.body.message).toBe(
      'only the following media types are accepted: application/json, application/yaml',
    );
    const garbage = await raw(emu, 'POST', '/api/v1/namespaces', {
      body: 'not a protobuf body',
      contentType: 'application/vnd.kubernetes.protobuf',
    });
    expect(garbage.status).toBe(400);
    expect(garbage.body.message).toContain(
      'provided data does not appear to be a protobuf message',
    );
  });

  it('creates, reads, updates with optimistic concurrency and deletes core objects', async () => {
    const created = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: {
        metadata: { name: 'crud', labels: { app: 'x' } },
        data: { a: '1' },
      },
    });
    expect(created.metadata?.uid).toBeDefined();
    expect(created.metadata?.creationTimestamp).toBeDefined();
    const rv = Number(created.metadata!.resourceVersion);
    const updated = await core.replaceNamespacedConfigMap({
      name: 'crud',
      namespace: 'default',
      body: { ...created, data: { a: '2' } },
    });
    expect(Number(updated.metadata!.resourceVersion)).toBeGreaterThan(rv);
    await expect(
      core.replaceNamespacedConfigMap({
        name: 'crud',
        namespace: 'default',
        body: { ...created, data: { a: '3' } },
      }),
    ).rejects.toMatchObject({ code: 409 });
    await expect(
      core.createNamespacedConfigMap({
        namespace: 'nope',
        body: { metadata: { name: 'x' } },
      }),
    ).rejects.toMatchObject({ code: 404 });
    await expect(
      core.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'crud' } },
      }),
    ).rejects.toMatchObject({ code: 409 });
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    expect(list.kind).toBe('ConfigMapList');
    expect(list.metadata?.resourceVersion).toBeDefined();
    await core.deleteNamespacedConfigMap({
      name: 'crud',
      namespace: 'default',
    });
    await expect(
      core.readNamespacedConfigMap({ name: 'crud', namespace: 'default' }),
    ).rejects.toMatchObject({ code: 404 });
  });

  it('validates CRD writes: 422 with causes, strict field validation, pruning and defaulting', async () => {
    const bad = await raw(
      emu,
      'POST',
      '/apis/kueue.x-k8s.io/v1beta2/clusterqueues',
      {
        body: {
          apiVersion: 'kueue.x-k8s.io/v1beta2',
          kind: 'ClusterQueue',
          metadata: { name: 'bad' },
          spec: {
            admissionChecksStrategy: {
              admissionChecks: [{ onFlavors: ['a3-ultra'] }],
            },
          },
        },
      },
    );
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({
      kind: 'Status',
      reason: 'Invalid',
      code: 422,
      details: {
        name: 'bad',
        group: 'kueue.x-k8s.io',
        kind: 'ClusterQueue',
        causes: [
          {
            reason: 'FieldValueRequired',
            message: 'Required value',
            field: 'spec.admissionChecksStrategy.admissionChecks[0].name',
          },
        ],
      },
    });
    const strict = await raw(
      emu,
      'POST',
      '/apis/kueue.x-k8s.io/v1beta2/clusterqueues?fieldValidation=Strict',
      {
        body: {
          apiVersion: 'kueue.x-k8s.io/v1beta2',
          kind: 'ClusterQueue',
          metadata: { name: 'cq1' },
          spec: { bogus: true },
        },
      },
    );
    expect(strict.status).toBe(400);
    expect(strict.body.message).toContain('unknown field "spec.bogus"');
    const warn = await raw(
      emu,
      'POST',
      '/apis/kueue.x-k8s.io/v1beta2/clusterqueues',
      {
        body: {
          apiVersion: 'kueue.x-k8s.io/v1beta2',
          kind: 'ClusterQueue',
          metadata: { name: 'cq1' },
          spec: { bogus: true },
        },
      },
    );
    expect(warn.status).toBe(201);
    expect(warn.headers.warning).toContain('unknown field \\"spec.bogus\\"');
    expect(warn.body.spec.bogus).toBeUndefined();
    expect(warn.body.spec.queueingStrategy).toBe('BestEffortFIFO'); // schema default
    await custom.deleteClusterCustomObject({
      ...KUEUE,
      plural: 'clusterqueues',
      name: 'cq1',
    });
  });

  it('server-side apply is idempotent and the status subresource is separate', async () => {
    const path =
      '/apis/kueue.x-k8s.io/v1beta2/admissionchecks/dws-prov?fieldManager=test&fieldValidation=Strict';
    const config =
      'apiVersion: kueue.x-k8s.io/v1beta2\nkind: AdmissionCheck\nmetadata:\n  name: dws-prov\nspec:\n  controllerName: kueue.x-k8s.io/provisioning-request\n';
    const first = await raw(emu, 'PATCH', path, {
      body: config,
      contentType: 'application/apply-patch+yaml',
    });
    expect(first.status).toBe(201);
    const again = await raw(emu, 'PATCH', path, {
      body: config,
      contentType: 'application/apply-patch+yaml',
    });
    expect(again.status).toBe(200);
    expect(again.body.metadata.resourceVersion).toBe(
      first.body.metadata.resourceVersion,
    );
    expect(again.body.metadata.managedFields[0]).toMatchObject({
      manager: 'test',
      operation: 'Apply',
      fieldsV1: { 'f:spec': { 'f:controllerName': {} } },
    });
    // Writes to the main resource ignore status; writes to /status ignore spec.
    await custom.patchClusterCustomObject(
      {
        ...KUEUE,
        plural: 'admissionchecks',
        name: 'dws-prov',
        body: {
          spec: { controllerName: 'changed' },
          status: { conditions: [] },
        },
      },
      mergePatch,
    );
    let ac: any = await custom.getClusterCustomObject({
      ...KUEUE,
      plural: 'admissionchecks',
      name: 'dws-prov',
    });
    expect(ac.spec.controllerName).toBe('changed');
    expect(ac.metadata.generation).toBe(2);
    expect(ac.status).toBeUndefined();
    const cond = {
      type: 'Active',
      status: 'True',
      reason: 'Active',
      message: 'ok',
      lastTransitionTime: '2026-09-01T08:00:00Z',
    };
    await custom.patchClusterCustomObjectStatus(
      {
        ...KUEUE,
        plural: 'admissionchecks',
        name: 'dws-prov',
        body: {
          spec: { controllerName: 'ignored' },
          status: { conditions: [cond] },
        },
      },
      mergePatch,
    );
    ac = await custom.getClusterCustomObject({
      ...KUEUE,
      plural: 'admissionchecks',
      name: 'dws-prov',
    });
    expect(ac.spec.controllerName).toBe('changed');
    expect(ac.status.conditions).toEqual([cond]);
    expect(ac.metadata.generation).toBe(2);
  });

  it('filters with label and field selectors and paginates with limit/continue', async () => {
    for (const [name, tier] of [
      ['sel-a', 'gpu'],
      ['sel-b', 'cpu'],
      ['sel-c', 'gpu'],
      ['sel-d', undefined],
    ] as const) {
      await core.createNamespacedConfigMap({
        namespace: 'default',
        body: {
          metadata: {
            name,
            labels: tier ? { tier, sel: 'yes' } : { sel: 'yes' },
          },
        },
      });
    }
    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (
        await core.listNamespacedConfigMap({
          namespace: 'default',
          labelSelector,
          fieldSelector,
        })
      ).items.map(i => i.metadata!.name);
    expect(await names('sel,tier=gpu')).toEqual(['sel-a', 'sel-c']);
    expect(await names('sel,tier!=gpu')).toEqual(['sel-b', 'sel-d']);
    expect(await names('tier in (cpu,gpu)')).toEqual([
      'sel-a',
      'sel-b',
      'sel-c',
    ]);
    expect(await names('sel,tier notin (gpu)')).toEqual(['sel-b', 'sel-d']);
    expect(await names('sel,!tier')).toEqual(['sel-d']);
    expect(await names(undefined, 'metadata.name=sel-b')).toEqual(['sel-b']);
    expect(
      (
        await core.listConfigMapForAllNamespaces({
          fieldSelector: 'metadata.namespace=default,metadata.name!=sel-a',
          labelSelector: 'sel',
        })
      ).items,
    ).toHaveLength(3);
    const page1 = await core.listNamespacedConfigMap({
      namespace: 'default',
      labelSelector: 'sel',
      limit: 3,
    });
    expect(page1.items).toHaveLength(3);
    expect(page1.metadata?.remainingItemCount).toBe(1);
    const page2 = await core.listNamespacedConfigMap({
      namespace: 'default',
      labelSelector: 'sel',
      limit: 3,
      _continue: page1.metadata!._continue,
    });
    expect(page2.items.map(i => i.metadata!.name)).toEqual(['sel-d']);
    expect(page2.metadata?._continue).toBeUndefined();
  });

  it('watches with bookmarks, resumes from a resourceVersion and answers 410 when it expired', async () => {
    const watch = new Watch(kubeConfigFor(emu));
    const seen: { type: string; name?: string; rv?: string }[] = [];
    const start = (await core.listNamespacedConfigMap({ namespace: 'default' }))
      .metadata!.resourceVersion!;
    const req = await watch.watch(
      '/api/v1/namespaces/default/configmaps',
      { resourceVersion: start, allowWatchBookmarks: true },
      (type, obj: V1ConfigMap) =>
        seen.push({
          type,
          name: obj.metadata?.name,
          rv: obj.metadata?.resourceVersion,
        }),
      () => undefined,
    );
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'w1' } },
    });
    await core.patchNamespacedConfigMap(
      { name: 'w1', namespace: 'default', body: { data: { x: 'y' } } },
      mergePatch,
    );
    await core.deleteNamespacedConfigMap({ name: 'w1', namespace: 'default' });
    await waitFor(
      () =>
        seen.some(e => e.type === 'DELETED') &&
        seen.some(e => e.type === 'BOOKMARK'),
      5000,
      'events',
    );
    req.abort();
    expect(
      seen.filter(e => e.type !== 'BOOKMARK').map(e => `${e.type} ${e.name}`),
    ).toEqual(['ADDED w1', 'MODIFIED w1', 'DELETED w1']);

    // Replaying from the ADDED event's version yields the two later events.
    const replay: string[] = [];
    const req2 = await watch.watch(
      '/api/v1/namespaces/default/configmaps',
      { resourceVersion: seen.find(e => e.type === 'ADDED')!.rv },
      type => replay.push(type),
      () => undefined,
    );
    await waitFor(() => replay.length >= 2, 5000, 'replay');
    req2.abort();
    expect(replay).toEqual(['MODIFIED', 'DELETED']);

    // Shrink the retained window: the old version is gone.
    emu.store.watchWindow = 1;
    emu.store.compact();
    const errors: any[] = [];
    let done = false;
    await watch.watch(
      '/api/v1/namespaces/default/configmaps',
      { resourceVersion: seen.find(e => e.type === 'ADDED')!.rv },
      (type, obj) => type === 'ERROR' && errors.push(obj),
      () => (done = true),
    );
    await waitFor(() => done, 5000, 'watch end');
    expect(errors[0]).toMatchObject({
      kind: 'Status',
      code: 410,
      reason: 'Expired',
    });
    emu.store.watchWindow = 1000;
  });

  it('informer watch resumes after a drop, and re-lists after 410', async () => {
    const kc = kubeConfigFor(emu);
    let lists = 0;
    const listFn = () => {
      lists++;
      return core.listNamespacedConfigMap({
        namespace: 'default',
        labelSelector: 'informer',
      });
    };
    const watchPath = '/api/v1/namespaces/default/configmaps';
    emu.faults.add({
      method: 'GET',
      path: watchPath,
      dropWatchAfterMs: 150,
      times: 1,
    });
    const informer = new ListWatch<V1ConfigMap>(
      watchPath,
      new Watch(kc),
      listFn,
      false,
      'informer',
    );
    const added: string[] = [];
    informer.on('add', (o: KubernetesObject) => added.push(o.metadata!.name!));
    informer.on('error', () => undefined);
    await informer.start();
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'inf-1', labels: { informer: 'y' } } },
    });
    await waitFor(() => added.includes('inf-1'), 5000, 'inf-1');
    await new Promise(r => setTimeout(r, 400)); // the first watch is dropped at 150 ms
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'inf-2', labels: { informer: 'y' } } },
    });
    await waitFor(() => added.includes('inf-2'), 5000, 'inf-2 after drop');
    expect(lists).toBe(1); // resumed from its resourceVersion, no re-list

    // Drop again while the history it needs is compacted away: the resume gets 410 and re-lists.
    await informer.stop();
    emu.store.watchWindow = 0;
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'inf-3', labels: { informer: 'y' } } },
    });
    emu.store.watchWindow = 1000;
    const stale = informer.latestResourceVersion();
    expect(Number(stale)).toBeLessThan(emu.store.oldestWatchableRevision);
    (informer as any).stopped = false;
    await (informer as any).doneHandler(null);
    await waitFor(() => added.includes('inf-3'), 5000, 'inf-3 after re-list');
    expect(lists).toBe(2);
    await informer.stop();
  }, 20_000);

  it('injects latency, 5xx, 429 with Retry-After, resets and hangs', async () => {
    // A namespace of its own: watches left over from other tests must not consume the rules.
    await core.createNamespace({ body: { metadata: { name: 'faults' } } });
    const faultPath = '/api/v1/namespaces/faults/configmaps';
    emu.faults.add({
      path: faultPath,
      status: 429,
      retryAfterSeconds: 3,
      times: 1,
    });
    const limited = await raw(emu, 'GET', faultPath);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('3');
    expect(limited.body).toMatchObject({
      kind: 'Status',
      reason: 'TooManyRequests',
      details: { retryAfterSeconds: 3 },
    });
    expect((await raw(emu, 'GET', faultPath)).status).toBe(200);

    emu.faults.add({ path: faultPath, status: 503, times: 1 });
    await expect(
      core.listNamespacedConfigMap({ namespace: 'faults' }),
    ).rejects.toMatchObject({ code: 503 });

    emu.faults.add({ path: faultPath, reset: true, times: 1 });
    await expect(raw(emu, 'GET', faultPath)).rejects.toThrow(
      /socket hang up|ECONNRESET/,
    );

    emu.faults.add({ path: faultPath, hang: true, times: 1 });
    await expect(
      raw(emu, 'GET', faultPath, {
        timeoutMs: 500,
      }),
    ).rejects.toThrow('client timeout');

    emu.faults.add({ path: faultPath, latencyMs: 100, times: 1 });
    const started = Date.now();
    expect((await raw(emu, 'GET', faultPath)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  }, 15_000);
});
