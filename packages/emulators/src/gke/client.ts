import * as grpc from '@grpc/grpc-js';
import { ClusterManagerClient } from '@google-cloud/container';

export type ClusterManagerClientOptions = NonNullable<
  ConstructorParameters<typeof ClusterManagerClient>[0]
>;

/** What a client needs to reach an emulator (a started GkeEmulator satisfies it). */
export interface GkeEmulatorEndpoint {
  host: string;
  port: number;
  token?: string;
  /** Trust anchor when the emulator serves TLS; plaintext when absent. */
  caCertPem?: string;
}

/**
 * Channel credentials carrying a static bearer token. Over TLS this is plain gRPC call
 * credentials, exactly how Google credentials travel; over plaintext grpc-js refuses call
 * credentials, so the token is added by `bearerTokenChannelOptions` instead.
 */
export function emulatorChannelCredentials(
  endpoint: GkeEmulatorEndpoint,
): grpc.ChannelCredentials {
  if (!endpoint.caCertPem) {
    return grpc.credentials.createInsecure();
  }
  const tls = grpc.credentials.createSsl(Buffer.from(endpoint.caCertPem));
  const { token } = endpoint;
  if (!token) {
    return tls;
  }
  return grpc.credentials.combineChannelCredentials(
    tls,
    grpc.credentials.createFromMetadataGenerator((_params, callback) => {
      const metadata = new grpc.Metadata();
      metadata.set('authorization', `Bearer ${token}`);
      callback(null, metadata);
    }),
  );
}

const isIpAddress = (host: string) =>
  /^[\d.]+$/.test(host) || host.includes(':');

/**
 * Options for the official ClusterManagerClient that talk to the emulator over gRPC only:
 * no REST fallback, no Application Default Credentials lookup (the universe domain is given,
 * and `sslCreds` replaces google-auth entirely), no network beyond the emulator.
 */
export function emulatorClientOptions(
  endpoint: GkeEmulatorEndpoint,
  overrides: ClusterManagerClientOptions = {},
): ClusterManagerClientOptions {
  // google-gax joins servicePath and port with a colon, so IPv6 literals need brackets.
  const servicePath =
    endpoint.host.includes(':') && !endpoint.host.startsWith('[')
      ? `[${endpoint.host}]`
      : endpoint.host;
  const options: ClusterManagerClientOptions = {
    servicePath,
    apiEndpoint: servicePath,
    port: endpoint.port,
    fallback: false,
    universeDomain: 'googleapis.com',
    sslCreds: emulatorChannelCredentials(endpoint),
    ...overrides,
  };
  if (endpoint.caCertPem && isIpAddress(endpoint.host)) {
    // TLS SNI may not carry an IP address (RFC 6066; Node warns); verify the certificate
    // against its `localhost` name instead, which the emulator's certificate also holds.
    (options as Record<string, unknown>)['grpc.ssl_target_name_override'] ??=
      'localhost';
  }
  if (!endpoint.caCertPem && endpoint.token) {
    // grpc-js hands every call's properties to this transformer before sending it; google-gax
    // forwards the option to the channel (it is one of the grpc-gcp options it un-prefixes).
    const authorization = `Bearer ${endpoint.token}`;
    (options as Record<string, unknown>)['grpc.callInvocationTransformer'] = (
      properties: grpc.CallProperties<unknown, unknown>,
    ) => {
      properties.metadata.set('authorization', authorization);
      return properties;
    };
  }
  return options;
}

/** A ready ClusterManagerClient bound to the emulator. Close it with `client.close()`. */
export function createEmulatorClusterManagerClient(
  endpoint: GkeEmulatorEndpoint,
  overrides?: ClusterManagerClientOptions,
): ClusterManagerClient {
  return new ClusterManagerClient(emulatorClientOptions(endpoint, overrides));
}
