import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RequestHandler } from 'express';
import { rootHttpRouterServiceFactory } from '@backstage/backend-defaults/rootHttpRouter';

/**
 * Drops `error.stack` from every JSON error body before it is sent. Backstage's error handlers
 * include stack traces when NODE_ENV is development (as `yarn start` sets it); they show the
 * backend's file system and code paths to any signed-in user. Logs keep them.
 */
export const withoutStackTraces: RequestHandler = (_req, res, next) => {
  const json = res.json.bind(res);
  res.json = (body?: any) => {
    if (
      body &&
      typeof body === 'object' &&
      body.error &&
      typeof body.error === 'object' &&
      'stack' in body.error
    ) {
      const { stack: _stack, ...error } = body.error;
      return json({ ...body, error });
    }
    return json(body);
  };
  next();
};

/**
 * Answers a request whose request line or headers exceed Node's limit (16 KB; e.g. a 70 kB entity
 * name in a URL) with a 414 and a JSON error body, instead of the bare 431 and connection
 * close Node sends by default, which clients (and proxies) see as a reset.
 */
export function answerOversizedRequests(server: Server) {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code !== 'HPE_HEADER_OVERFLOW' || !socket.writable) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify({
      error: {
        name: 'UriTooLongError',
        message:
          'The request line or headers are too long (at most 16 KB); entity names have at most 63 characters',
      },
      response: { statusCode: 414 },
    });
    socket.on('error', () => {});
    socket.end(
      `HTTP/1.1 414 URI Too Long\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(
        body,
      )}\r\nConnection: close\r\n\r\n${body}`,
    );
    // Read what the client still sends, so closing does not reset the connection.
    socket.resume();
  });
}

/**
 * The root HTTP router with Backstage's defaults, behind {@link withoutStackTraces} and
 * {@link answerOversizedRequests}.
 */
export const rootHttpRouterWithoutStackTraces = rootHttpRouterServiceFactory({
  configure({ app, server, applyDefaults }) {
    answerOversizedRequests(server);
    app.use(withoutStackTraces);
    applyDefaults();
  },
});
