import { MachineTypesClient, RegionsClient } from '@google-cloud/compute';
import { ProjectsClient } from '@google-cloud/resource-manager';
import { ServiceUsageClient } from '@google-cloud/service-usage';
import { OAuth2Client } from 'google-auth-library';

/**
 * Where preflight's Google REST APIs (Compute Engine, Service Usage, Resource Manager) are
 * reached: Google's endpoints in production; a URL such as `http://127.0.0.1:8990` (the local
 * emulator) in development and tests. Only ever from configuration.
 *
 * @public
 */
export interface GoogleApisEndpoint {
  url: string;
  /** Static bearer token (the emulator's); never logged. Unset: Application Default Credentials. */
  token?: string;
}

/** An auth client sending a fixed access token (an emulator's), through Node's own fetch. */
function staticTokenClient(token: string): OAuth2Client {
  const client = new OAuth2Client({
    transporterOptions: { fetchImplementation: fetch },
  });
  // Far in the future: the client never tries to refresh a token it cannot refresh.
  client.setCredentials({
    access_token: token,
    expiry_date: Date.now() + 100 * 365 * 86400_000,
  });
  return client;
}

/**
 * An auth client of google-auth-library (anything with `getRequestHeaders` and `fetch`). Unset:
 * Application Default Credentials (Workload Identity on GKE; the emulators' metadata server in
 * the embedded default).
 *
 * @public
 */
export type PreflightAuthClient = object;

/** The official clients preflight uses. @public */
export interface PreflightClients {
  machineTypes: MachineTypesClient;
  regions: RegionsClient;
  serviceUsage: ServiceUsageClient;
  projects: ProjectsClient;
  close(): Promise<void>;
}

/**
 * Client options: REST transport (`fallback: true`: HTTP/1.1 and JSON, the one transport all
 * three APIs share), and with an endpoint override its host, port and scheme.
 */
function clientOptions(
  endpoint: GoogleApisEndpoint | undefined,
  authClient: PreflightAuthClient | undefined,
): Record<string, unknown> {
  const options: Record<string, unknown> = { fallback: true };
  if (authClient) options.authClient = authClient;
  else if (endpoint?.token)
    options.authClient = staticTokenClient(endpoint.token);
  if (endpoint) {
    const url = new URL(endpoint.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error(
        `Google APIs endpoint ${url.origin} must be an http(s) URL`,
      );
    options.apiEndpoint = url.hostname.replace(/^\[|\]$/g, '');
    options.port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    options.protocol = url.protocol.replace(':', '');
    // Given explicitly so the client does not derive it from credentials it may not have yet.
    options.universeDomain = 'googleapis.com';
  }
  return options;
}

/** The clients for Google (ADC) or the configured endpoint. Close them with `close()`. @public */
export function createPreflightClients(
  endpoint?: GoogleApisEndpoint,
  authClient?: PreflightAuthClient,
): PreflightClients {
  const options = clientOptions(endpoint, authClient) as any;
  const clients = {
    machineTypes: new MachineTypesClient(options),
    regions: new RegionsClient(options),
    serviceUsage: new ServiceUsageClient(options),
    projects: new ProjectsClient(options),
  };
  return {
    ...clients,
    close: async () => {
      await Promise.allSettled(Object.values(clients).map(c => c.close()));
    },
  };
}
