'use strict';

/*
 * The GKE backend's ClusterManager client: the official @google-cloud/container client over gRPC
 * to the configured (loopback) endpoint, with its CA and a static bearer token, and the
 * operation wait the google provider does after every mutating call.
 */

const grpc = require('@grpc/grpc-js');
const { ClusterManagerClient } = require('@google-cloud/container');

const isIpAddress = host => /^[\d.]+$/.test(host) || host.includes(':');

function clientOptions(config) {
  // google-gax joins servicePath and port with a colon, so IPv6 literals need brackets.
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let creds = config.caPem
    ? grpc.credentials.createSsl(Buffer.from(config.caPem))
    : grpc.credentials.createInsecure();
  const token = config.token;
  if (config.caPem && token) {
    creds = grpc.credentials.combineChannelCredentials(
      creds,
      grpc.credentials.createFromMetadataGenerator((_params, callback) => {
        const metadata = new grpc.Metadata();
        metadata.set('authorization', `Bearer ${token}`);
        callback(null, metadata);
      }),
    );
  }
  const options = {
    servicePath: host,
    apiEndpoint: host,
    port: config.port,
    fallback: false,
    // Given explicitly so the client never looks for Application Default Credentials.
    universeDomain: 'googleapis.com',
    sslCreds: creds,
  };
  if (config.caPem && isIpAddress(config.host)) {
    // SNI cannot carry an IP address; verify the certificate's localhost name instead.
    options['grpc.ssl_target_name_override'] = 'localhost';
  }
  if (!config.caPem && token) {
    // grpc-js refuses call credentials over plaintext; add the header per call instead.
    options['grpc.callInvocationTransformer'] = properties => {
      properties.metadata.set('authorization', `Bearer ${token}`);
      return properties;
    };
  }
  return options;
}

function createClient(config) {
  return new ClusterManagerClient(clientOptions(config));
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Waits for a long-running operation as the google provider's ContainerOperationWait does:
 * polls GetOperation until DONE (bounded by the timeout), and fails with the operation's error.
 */
async function waitForOperation(client, operation, location, config, what) {
  const name = `projects/${location.project}/locations/${location.location}/operations/${operation.name}`;
  const deadline = Date.now() + config.timeoutMs;
  let current = operation;
  while (String(current.status) !== 'DONE') {
    if (Date.now() > deadline) {
      throw new Error(
        `timeout while waiting for operation ${operation.name} (${what}) to complete`,
      );
    }
    await sleep(config.pollMs);
    [current] = await client.getOperation({ name });
  }
  if (current.error && current.error.message) {
    throw new Error(`Error waiting for ${what}: ${current.error.message}`);
  }
  return current;
}

module.exports = { createClient, clientOptions, waitForOperation, sleep };
