import type {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';

/** What the status API needs to trust a cluster entity the template registered. @public */
export interface ClusterRegistration {
  entityRef: string;
  projectId: string;
  location: string;
  clusterName: string;
  owner: string;
  /** The validated stack spec the template applied (what `gpu-cluster:destroy` tears down). */
  spec?: Record<string, unknown>;
}

/**
 * Records, in the gpu-cluster backend's database, that the template registered `entityRef` for
 * a GKE cluster. The status API reads discovered clusters only for entities recorded here, so an
 * entity anyone registers with the same annotations gets no status. Service-to-service: only
 * this module's plugin (scaffolder) may record.
 *
 * @public
 */
export class ClusterRegistrationClient {
  constructor(
    private readonly options: {
      auth: AuthService;
      discovery: DiscoveryService;
      logger: LoggerService;
      fetch?: typeof fetch;
    },
  ) {}

  /** A service token of this plugin (scaffolder) for the gpu-cluster backend. */
  private async call(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
  ) {
    const { auth, discovery } = this.options;
    const baseUrl = await discovery.getBaseUrl('gpu-cluster');
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: 'gpu-cluster',
    });
    return (this.options.fetch ?? fetch)(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  }

  async record(registration: ClusterRegistration): Promise<boolean> {
    const response = await this.call(
      'POST',
      '/registrations',
      registration,
    ).catch(error => ({ ok: false, status: 0, error } as const));
    if (!response.ok) {
      this.options.logger.warn(
        `Could not record ${registration.entityRef} with the gpu-cluster status backend (HTTP ${response.status}): its status tab stays empty until the template runs again`,
      );
      return false;
    }
    return true;
  }

  /** What the template recorded for `entityRef`; undefined when it registered no such entity. */
  async get(entityRef: string): Promise<ClusterRegistration | undefined> {
    const response = await this.call('GET', registrationPath(entityRef));
    if (response.status === 404) return undefined;
    if (!response.ok) {
      throw new Error(
        `The gpu-cluster backend did not answer the registration of ${entityRef} (HTTP ${response.status})`,
      );
    }
    return (await response.json()) as ClusterRegistration;
  }

  /** Forgets the registration of a destroyed cluster (its status tab then says so). */
  async remove(entityRef: string): Promise<void> {
    const response = await this.call('DELETE', registrationPath(entityRef));
    if (!response.ok) {
      throw new Error(
        `The gpu-cluster backend did not forget the registration of ${entityRef} (HTTP ${response.status})`,
      );
    }
  }
}

/** `resource:<namespace>/<name>` → `/registrations/<namespace>/<name>`. */
function registrationPath(entityRef: string): string {
  const { namespace, name } = parseEntityRef(entityRef);
  return `/registrations/${encodeURIComponent(namespace)}/${encodeURIComponent(
    name,
  )}`;
}
