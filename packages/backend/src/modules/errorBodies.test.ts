import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mockServices } from '@backstage/backend-test-utils';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { answerOversizedRequests, withoutStackTraces } from './errorBodies';

/**
 * The root router's additions around Backstage's own error handler (the one every plugin router
 * and the root router use), on a server of their own.
 */
describe('error bodies of the backend', () => {
  const nodeEnv = process.env.NODE_ENV;
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    // `yarn start` runs the backend in development, where Backstage adds stack traces.
    process.env.NODE_ENV = 'development';
    const middleware = MiddlewareFactory.create({
      config: mockServices.rootConfig(),
      logger: mockServices.logger.mock(),
    });
    const router = Router();
    router.get('/api/failing/fail', async () => {
      throw new InputError('bad input');
    });
    const app = express();
    app.use(withoutStackTraces);
    app.use(router);
    app.use(middleware.error());
    server = http.createServer(app);
    answerOversizedRequests(server);
    await new Promise<void>(resolve =>
      server.listen(0, '127.0.0.1', () => resolve()),
    );
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    process.env.NODE_ENV = nodeEnv;
    await new Promise(resolve => server.close(resolve));
  });

  it('carry no stack trace, in development either', async () => {
    const res = await fetch(`${base}/api/failing/fail`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as any;
    expect(body.error).toEqual({ name: 'InputError', message: 'bad input' });
  });

  it('answer an oversized URL with 414 and a JSON body, not a reset', async () => {
    const res = await fetch(
      `${base}/api/gpu-cluster/clusters/default/${'a'.repeat(70_000)}/status`,
    );
    expect(res.status).toBe(414);
    expect(((await res.json()) as any).error.name).toBe('UriTooLongError');
  });
});
