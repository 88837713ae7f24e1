import https from 'node:https';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startKubeEmulator, type KubeEmulator } from '../KubeEmulator';
import { DEMO } from '../../demo/names';

const HEAD_SVC = `${DEMO.rayCluster}-head-svc`;

function get(
  emu: KubeEmulator,
  path: string,
  method = 'GET',
  token = emu.token,
) {
  return new Promise<{ status: number; type?: string; body: string }>(
    (resolve, reject) => {
      const req = https.request(
        new URL(path, emu.url),
        {
          method,
          ca: emu.caPem,
          headers: { Authorization: `Bearer ${token}`, Accept: 'text/html' },
          timeout: 5000,
        },
        res => {
          let body = '';
          res.on('data', c => (body += c));
          res.on('end', () =>
            resolve({
              status: res.statusCode!,
              type: res.headers['content-type'],
              body,
            }),
          );
        },
      );
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error('client timeout')));
      req.end();
    },
  );
}

describe('services/proxy', () => {
  let emu: KubeEmulator;
  beforeAll(async () => {
    emu = await startKubeEmulator({
      fixtures: 'demo',
      users: { 'viewer-token': 'viewer' },
      forbid: [{ user: 'viewer', resource: 'services' }],
    });
  });
  afterAll(() => emu?.stop());

  const proxy = (id: string, path: string) =>
    `/api/v1/namespaces/${DEMO.rayNamespace}/services/${id}/proxy${path}`;

  it("answers the Ray head's dashboard Jobs API through the real client", async () => {
    const kc = new KubeConfig();
    kc.loadFromString(emu.kubeconfig());
    const core = kc.makeApiClient(CoreV1Api);
    // The client parses the JSON the dashboard answers.
    const jobs = (await core.connectGetNamespacedServiceProxyWithPath({
      name: `${HEAD_SVC}:dashboard`,
      namespace: DEMO.rayNamespace,
      path: 'api/jobs/',
    })) as unknown;
    expect(jobs).toEqual([
      expect.objectContaining({
        type: 'SUBMISSION',
        submission_id: expect.stringMatching(new RegExp(`^${DEMO.rayJob}-`)),
        status: 'RUNNING',
        metadata: { 'ray.io/rayjob': DEMO.rayJob },
      }),
    ]);
    const version = await get(emu, proxy(`${HEAD_SVC}:8265`, '/api/version'));
    expect(version.status).toBe(200);
    expect(JSON.parse(version.body)).toHaveProperty('ray_version');
    const page = await get(emu, proxy(`http:${HEAD_SVC}:8265`, '/'));
    expect(page.type).toContain('text/html');
    expect(page.body).toContain('Ray Dashboard (emulated)');
  });

  it('refuses as the API server does: unknown service, port without endpoints, forbidden user', async () => {
    const missing = await get(emu, proxy('nope:8265', '/api/jobs/'));
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      message: 'services "nope" not found',
    });
    const badPort = await get(emu, proxy(`${HEAD_SVC}:9999`, '/'));
    expect(badPort.status).toBe(503);
    expect(JSON.parse(badPort.body)).toMatchObject({
      reason: 'ServiceUnavailable',
      message: `no endpoints available for service "${HEAD_SVC}:9999"`,
    });
    // The head's other ports have a ready pod but nothing emulated behind them.
    const client = await get(emu, proxy(`${HEAD_SVC}:client`, '/'));
    expect(client.status).toBe(503);
    expect(JSON.parse(client.body).message).toMatch(
      /^error trying to reach service: dial tcp [\d.]+:10001: connect: connection refused$/,
    );
    const forbidden = await get(
      emu,
      proxy(`${HEAD_SVC}:dashboard`, '/api/jobs/'),
      'GET',
      'viewer-token',
    );
    expect(forbidden.status).toBe(403);
    expect(JSON.parse(forbidden.body).message).toContain(
      'cannot get resource "services/proxy"',
    );
    const unauthenticated = await get(
      emu,
      proxy(`${HEAD_SVC}:dashboard`, '/'),
      'GET',
      'wrong',
    );
    expect(unauthenticated.status).toBe(401);
  });

  it('does not model job submission through the dashboard', async () => {
    const post = await get(
      emu,
      proxy(`${HEAD_SVC}:dashboard`, '/api/jobs/'),
      'POST',
    );
    expect(post.status).toBe(405);
  });
});
