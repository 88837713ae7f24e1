import type {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';

/** What the status API needs to trust a cluster entity the template registered. @public */
export interface ClusterRegistration {
  entityRef: string;
  projectId: string;
  location: string;
  clusterName: string;
  owner: string;
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

  async record(registration: ClusterRegistration): Promise<boolean> {
    const { auth, discovery, logger } = this.options;
    const baseUrl = await discovery.getBaseUrl('gpu-cluster');
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: 'gpu-cluster',
    });
    const response = await (this.options.fetch ?? fetch)(
      `${baseUrl}/registrations`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(registration),
      },
    ).catch(error => ({ ok: false, status: 0, error } as const));
    if (!response.ok) {
      logger.warn(
        `Could not record ${registration.entityRef} with the gpu-cluster status backend (HTTP ${response.status}): its status tab stays empty until the template runs again`,
      );
      return false;
    }
    return true;
  }
}
