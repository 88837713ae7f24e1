import { GoogleAuth, Impersonated } from 'google-auth-library';
import {
  GOOGLE_CLOUD_PLATFORM_SCOPE,
  gkeClusterManagerOptions,
  googleAccessToken,
  type ClusterManagerClientOptions,
  type GkeEndpointOverride,
} from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import type { StatusCredentialsConfig } from './config';

/**
 * The Google identity the status API reads GKE and discovered clusters with: read-only
 * (roles/container.clusterViewer and Kubernetes `view`), distinct from the identity that
 * provisions (terraform, kubectl). From `gpuCluster.statusCredentials`: a key file, or a service
 * account impersonated with the backend's credentials; without it, the backend's own
 * Application Default Credentials.
 */
export interface StatusIdentity {
  /** Whether a separate read-only identity is configured. */
  readonly separate: boolean;
  getAccessToken(): Promise<string>;
  /** ClusterManagerClient options: the emulator override, else Google with this identity. */
  clusterManagerOptions(
    endpoint?: GkeEndpointOverride,
  ): Promise<ClusterManagerClientOptions>;
}

export function createStatusIdentity(
  credentials: StatusCredentialsConfig | undefined,
): StatusIdentity {
  let auth: Promise<GoogleAuth> | undefined;
  const googleAuth = () =>
    (auth ??= (async () => {
      if (credentials?.keyFile) {
        return new GoogleAuth({
          keyFilename: credentials.keyFile,
          scopes: [GOOGLE_CLOUD_PLATFORM_SCOPE],
        });
      }
      const source = await new GoogleAuth({
        scopes: [GOOGLE_CLOUD_PLATFORM_SCOPE],
      }).getClient();
      return new GoogleAuth({
        authClient: new Impersonated({
          sourceClient: source as any,
          targetPrincipal: credentials!.impersonateServiceAccount!,
          targetScopes: [GOOGLE_CLOUD_PLATFORM_SCOPE],
          lifetime: 3600,
        }),
      });
    })());
  const separate = Boolean(
    credentials?.keyFile || credentials?.impersonateServiceAccount,
  );
  if (!separate) {
    return {
      separate,
      getAccessToken: googleAccessToken,
      clusterManagerOptions: async endpoint =>
        gkeClusterManagerOptions(endpoint),
    };
  }
  return {
    separate,
    async getAccessToken() {
      const token = await (await googleAuth()).getAccessToken();
      if (!token) throw new Error('The status identity returned no token');
      return token;
    },
    async clusterManagerOptions(endpoint) {
      if (endpoint) return gkeClusterManagerOptions(endpoint);
      return { auth: await googleAuth() } as ClusterManagerClientOptions;
    },
  };
}
