import * as grpc from '@grpc/grpc-js';
import fs from 'node:fs';
import { ClusterManagerClient } from '@google-cloud/container';

/** Options of the official ClusterManagerClient. @public */
export type ClusterManagerClientOptions = NonNullable<
  ConstructorParameters<typeof ClusterManagerClient>[0]
>;

/**
 * A ClusterManager endpoint override (the local GKE emulator): reached over TLS trusting `caData`
 * with a static bearer token, or plaintext without `caData`. Production leaves it unset and uses
 * Google's endpoint with Application Default Credentials.
 *
 * @public
 */
export interface GkeEndpointOverride {
  host: string;
  port: number;
  /** PEM of the CA that signed the endpoint's certificate; plaintext when absent. */
  caData?: string;
  /** Static bearer token (the emulator's); never logged. */
  token?: string;
}

/** The part of Backstage's `Config` the endpoint reader needs (keeps this library config-free). @public */
export interface GkeEndpointConfigReader {
  getString(key: string): string;
  getNumber(key: string): number;
  getOptionalString(key: string): string | undefined;
}

/**
 * Reads `{ host, port, caData | caFile, token }` — the one shape of every GKE endpoint override
 * in `gpuCluster.*` config (`gpuCluster.gke.endpoint`, `gpuCluster.clusters[].gke.endpoint`).
 * `caFile` is read relative to the working directory, as Backstage's own paths are.
 *
 * @public
 */
export function readGkeEndpointOverride(
  config: GkeEndpointConfigReader | undefined,
): GkeEndpointOverride | undefined {
  if (!config) return undefined;
  const caFile = config.getOptionalString('caFile');
  return {
    host: config.getString('host'),
    port: config.getNumber('port'),
    caData:
      config.getOptionalString('caData') ??
      (caFile ? fs.readFileSync(caFile, 'utf8') : undefined),
    token: config.getOptionalString('token'),
  };
}

const isIpAddress = (host: string) =>
  /^[\d.]+$/.test(host) || host.includes(':');

/**
 * Client options: none (Google's endpoint, Application Default Credentials — Workload Identity on
 * GKE) without an override; otherwise gRPC to the override with its CA and bearer token.
 *
 * @public
 */
export function gkeClusterManagerOptions(
  endpoint: GkeEndpointOverride | undefined,
): ClusterManagerClientOptions {
  if (!endpoint) return {};
  // google-gax joins servicePath and port with a colon, so IPv6 literals need brackets.
  const host =
    endpoint.host.includes(':') && !endpoint.host.startsWith('[')
      ? `[${endpoint.host}]`
      : endpoint.host;
  let creds = endpoint.caData
    ? grpc.credentials.createSsl(Buffer.from(endpoint.caData))
    : grpc.credentials.createInsecure();
  const token = endpoint.token;
  if (endpoint.caData && token) {
    creds = grpc.credentials.combineChannelCredentials(
      creds,
      grpc.credentials.createFromMetadataGenerator((_params, callback) => {
        const metadata = new grpc.Metadata();
        metadata.set('authorization', `Bearer ${token}`);
        callback(null, metadata);
      }),
    );
  }
  const options: Record<string, unknown> = {
    servicePath: host,
    apiEndpoint: host,
    port: endpoint.port,
    fallback: false,
    // Given explicitly so the client does not look for Application Default Credentials.
    universeDomain: 'googleapis.com',
    sslCreds: creds,
  };
  if (endpoint.caData && isIpAddress(endpoint.host)) {
    // SNI cannot carry an IP address; verify the certificate's localhost name instead.
    options['grpc.ssl_target_name_override'] = 'localhost';
  }
  if (!endpoint.caData && token) {
    // grpc-js refuses call credentials over plaintext; add the header per call instead.
    const authorization = `Bearer ${token}`;
    options['grpc.callInvocationTransformer'] = (
      properties: grpc.CallProperties<unknown, unknown>,
    ) => {
      properties.metadata.set('authorization', authorization);
      return properties;
    };
  }
  return options as ClusterManagerClientOptions;
}

/** A ClusterManagerClient for Google (ADC) or the override. Close it with `close()`. @public */
export function createClusterManagerClient(
  endpoint?: GkeEndpointOverride,
): ClusterManagerClient {
  return new ClusterManagerClient(gkeClusterManagerOptions(endpoint));
}
