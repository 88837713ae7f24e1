import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { denyGoogleCredentialDiscovery } from '@gpu-platform/emulators';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import request from 'supertest';
import { gpuClusterPlugin } from './plugin';
import { spec } from './schema/openapi/generated';

denyGoogleCredentialDiscovery();
jest.setTimeout(60_000);

/** A value each path parameter accepts. */
const sample = (name: string) =>
  name === 'namespace' ||
  name === 'workloadNamespace' ||
  name === 'rayNamespace'
    ? 'default'
    : 'x';

const operations = Object.entries(spec.paths).flatMap(([route, item]) =>
  Object.keys(item)
    .filter(method => ['get', 'post', 'put', 'delete'].includes(method))
    .map(method => ({
      method: method as 'get' | 'post' | 'put' | 'delete',
      route,
      url: `/api/gpu-cluster${route.replace(/\{(\w+)\}/g, (_, p) =>
        sample(p),
      )}`,
    })),
);

describe('the API router generated from openapi.yaml', () => {
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  beforeAll(async () => {
    backend = await startTestBackend({
      features: [
        gpuClusterPlugin,
        mockServices.rootConfig.factory({ data: { gpuCluster: {} } }),
        catalogServiceMock.factory({ entities: [] }),
      ],
    });
  });
  afterAll(() => backend.stop());

  it('is up to date with the spec', () => {
    const result = spawnSync(
      process.execPath,
      [path.join(__dirname, '../scripts/generate-openapi.mjs'), '--check'],
      {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('serves every operation of the spec (none answers as an unknown route)', async () => {
    const unknown = await request(backend.server).get(
      '/api/gpu-cluster/no-such-route',
    );
    expect(unknown.status).toBe(404);
    expect(operations.length).toBeGreaterThan(15);
    for (const { method, route, url } of operations) {
      const res = await request(backend.server)[method](url).send({});
      // A documented route answers for itself: 2xx, its own 4xx, or 503 (no cluster here).
      expect({ route, method, status: res.status, body: res.body }).not.toEqual(
        {
          route,
          method,
          status: unknown.status,
          body: unknown.body,
        },
      );
    }
  });

  it.each([
    [
      'an unknown query parameter',
      'get',
      '/clusters/default/x/workloads?limit=5&sort=name&debug=1',
      "query.debug: Unknown query parameter 'debug'",
    ],
    [
      'a query value outside its enum',
      'get',
      '/clusters/default/x/workloads?state=Sleeping',
      'query.state: must be equal to one of the allowed values',
    ],
    [
      'a limit above the page size',
      'get',
      '/clusters/default/x/nodes?limit=100000',
      'query.limit: must be <= 500',
    ],
    [
      'a body that is not an object of values',
      'post',
      '/stack/preview',
      'body.values: must be object',
    ],
  ] as const)(
    'refuses %s by field before any handler runs',
    async (_c, method, url, message) => {
      const call = request(backend.server)[method](`/api/gpu-cluster${url}`);
      const res = await (method === 'post' ? call.send({ values: [] }) : call);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ name: 'InputError' });
      expect(res.body.error.message).toContain(message);
    },
  );

  it('keeps the body parser’s 413 for an oversized body', async () => {
    const res = await request(backend.server)
      .post('/api/gpu-cluster/stack/preview')
      .send({ values: { blob: 'x'.repeat(150_000) } });
    expect(res.status).toBe(413);
  });
});
