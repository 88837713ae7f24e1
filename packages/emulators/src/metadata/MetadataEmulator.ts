import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A GCE / GKE metadata server emulator: the source of Application Default Credentials on Google
 * Cloud (Workload Identity on GKE), so the product's real credential path —
 * google-auth-library → metadata server → access token — runs unchanged in the embedded default.
 * Clients find it through `GCE_METADATA_HOST` (gcp-metadata's documented override). It hands out
 * the emulators' bearer token as the access token, and answers only what ADC asks for.
 *
 * Rules of the real server (https://cloud.google.com/compute/docs/metadata/querying-metadata):
 * every request must carry `Metadata-Flavor: Google` (403 otherwise), requests carrying
 * `X-Forwarded-For` are refused (403), and every answer carries `Metadata-Flavor: Google`.
 */
export interface MetadataEmulatorOptions {
  /** Loopback by default. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The access token to hand out (the emulators' token). */
  accessToken: string;
  /** Project of the "instance" (project/project-id). */
  projectId?: string;
  /** Email of the default service account. */
  serviceAccountEmail?: string;
  /** Seconds the token is said to live (default 3599, as GCE answers). */
  expiresInSeconds?: number;
}

export interface MetadataEmulator {
  /** `host:port`, the value of GCE_METADATA_HOST. */
  address: string;
  url: string;
  stop(): Promise<void>;
}

const BASE = '/computeMetadata/v1';

export async function startMetadataEmulator(
  options: MetadataEmulatorOptions,
): Promise<MetadataEmulator> {
  const host = options.host ?? '127.0.0.1';
  const projectId = options.projectId ?? 'emulated-project';
  const email =
    options.serviceAccountEmail ??
    `emulated-backend@${projectId}.iam.gserviceaccount.com`;
  const account = {
    aliases: ['default'],
    email,
    scopes: ['https://www.googleapis.com/auth/cloud-platform'],
  };
  const text: Record<string, string> = {
    [`${BASE}/`]: 'instance/\nproject/\nuniverse/\n',
    [`${BASE}/instance`]: 'service-accounts/\n',
    [`${BASE}/instance/`]: 'service-accounts/\n',
    [`${BASE}/instance/service-accounts/`]: `default/\n${email}/\n`,
    [`${BASE}/instance/service-accounts/default/email`]: email,
    [`${BASE}/project/project-id`]: projectId,
    [`${BASE}/project/numeric-project-id`]: '100000000001',
    [`${BASE}/universe/universe-domain`]: 'googleapis.com',
  };

  const server = http.createServer((req, res) => {
    const reply = (status: number, body: string, type = 'text/plain') => {
      res.writeHead(status, {
        'Metadata-Flavor': 'Google',
        'Content-Type': type,
        'Content-Length': Buffer.byteLength(body),
      });
      res.end(body);
    };
    if (req.method !== 'GET') {
      reply(405, 'Method not allowed.');
      return;
    }
    if (req.headers['x-forwarded-for']) {
      reply(403, 'Request contained X-Forwarded-For header, rejecting.');
      return;
    }
    if (req.headers['metadata-flavor'] !== 'Google') {
      reply(403, 'Missing Metadata-Flavor:Google header.');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://metadata.google.internal');
    const path = url.pathname;
    if (
      path === `${BASE}/instance/service-accounts/default/token` ||
      path === `${BASE}/instance/service-accounts/${email}/token`
    ) {
      reply(
        200,
        JSON.stringify({
          access_token: options.accessToken,
          expires_in: options.expiresInSeconds ?? 3599,
          token_type: 'Bearer',
        }),
        'application/json',
      );
      return;
    }
    if (
      path === `${BASE}/instance/service-accounts/default/` ||
      path === `${BASE}/instance/service-accounts/default`
    ) {
      if (url.searchParams.get('recursive') === 'true') {
        reply(200, JSON.stringify(account), 'application/json');
      } else {
        reply(200, 'aliases\nemail\nidentity\nscopes\ntoken\n');
      }
      return;
    }
    const body = text[path];
    if (body === undefined) {
      reply(404, 'Not Found');
      return;
    }
    reply(200, body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    address,
    url: `http://${address}`,
    stop: () =>
      new Promise<void>(resolve => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
