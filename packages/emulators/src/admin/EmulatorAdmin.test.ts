import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { startKubeEmulator, type KubeEmulator } from '../kube/KubeEmulator';
import { waitFor } from '../kube/waitFor';
import { startEmulatorAdmin, type EmulatorAdmin } from './EmulatorAdmin';

describe('emulator admin endpoint', () => {
  let kube: KubeEmulator;
  let admin: EmulatorAdmin;
  let core: CoreV1Api;
  let kc: KubeConfig;

  beforeAll(async () => {
    kube = await startKubeEmulator({ scenarios: { enabled: false } });
    admin = await startEmulatorAdmin({ kube, token: kube.token, port: 0 });
    kc = new KubeConfig();
    kc.loadFromString(kube.kubeconfig());
    core = kc.makeApiClient(CoreV1Api);
  });
  afterAll(async () => {
    await admin.stop();
    await kube.stop();
  });

  const call = (
    method: string,
    path: string,
    body?: unknown,
    token: string | null = kube.token,
  ) =>
    fetch(`${admin.url}${path}`, {
      method,
      headers: {
        ...(token && { Authorization: `Bearer ${token}` }),
        ...(body !== undefined && { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('listens on loopback only and answers only the emulators’ token', async () => {
    expect(new URL(admin.url).hostname).toBe('127.0.0.1');
    expect((await call('DELETE', '/kube/rules', undefined, null)).status).toBe(
      401,
    );
    expect(
      (await call('DELETE', '/kube/rules', undefined, 'wrong')).status,
    ).toBe(401);
  });

  it('refuses malformed rules, naming what is wrong', async () => {
    const extra = await call('POST', '/kube/faults', {
      status: 500,
      shell: 'x',
    });
    expect(extra.status).toBe(400);
    expect((await extra.json()).error).toContain('additional properties');
    const badStatus = await call('POST', '/kube/faults', { status: 200 });
    expect(badStatus.status).toBe(400);
    expect((await badStatus.json()).error).toContain('status');
    const badPattern = await call('POST', '/kube/watches/drop', {
      pathPattern: '(',
    });
    expect(badPattern.status).toBe(400);
    expect((await badPattern.json()).error).toContain('pathPattern');
    expect((await call('DELETE', '/kube/rules/999')).status).toBe(404);
  });

  it('denies a kind with the API server’s 403, drops its watches, and clears the rule', async () => {
    const ended: unknown[] = [];
    await new Watch(kc).watch(
      '/api/v1/pods',
      {},
      () => undefined,
      err => ended.push(err ?? 'ended'),
    );
    const forbid = await call('POST', '/kube/forbid', {
      verb: ['list', 'watch'],
      resource: 'pods',
    });
    expect(forbid.status).toBe(201);
    const { id } = await forbid.json();
    await expect(core.listPodForAllNamespaces()).rejects.toMatchObject({
      code: 403,
      body: expect.stringContaining(
        'pods is forbidden: User \\"emulator-admin\\" cannot list resource \\"pods\\"',
      ),
    });
    const drop = await call('POST', '/kube/watches/drop', {
      pathPattern: '^/api/v1/pods$',
    });
    expect(await drop.json()).toEqual({ dropped: 1 });
    await waitFor(() => ended.length === 1, 5000, 'the watch to end');

    expect((await call('DELETE', `/kube/rules/${id}`)).status).toBe(204);
    await expect(core.listPodForAllNamespaces()).resolves.toBeDefined();
  });

  it('adds faults that match on the query, and clears them all', async () => {
    const added = await call('POST', '/kube/faults', {
      pathPattern: '^/api/v1/pods$',
      query: { fieldSelector: null },
      status: 503,
    });
    expect(added.status).toBe(201);
    await expect(core.listPodForAllNamespaces()).rejects.toMatchObject({
      code: 503,
    });
    await expect(
      core.listPodForAllNamespaces({ fieldSelector: 'status.phase=Running' }),
    ).resolves.toBeDefined();
    expect((await call('DELETE', '/kube/rules')).status).toBe(204);
    await expect(core.listPodForAllNamespaces()).resolves.toBeDefined();
  });
});
