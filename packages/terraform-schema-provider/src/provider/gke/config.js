'use strict';

/*
 * The optional GKE backend's configuration, from the plugin process environment (Terraform passes
 * its own environment to providers). Unset: container resources are simulated like every other
 * resource. Set: they are created, updated, read and deleted in a GKE emulator.
 *
 *   TF_SCHEMA_PROVIDER_GKE_ENDPOINT     host:port of the ClusterManager emulator (loopback only)
 *   TF_SCHEMA_PROVIDER_GKE_CA_FILE      PEM of the CA its TLS certificate chains to (else plaintext)
 *   TF_SCHEMA_PROVIDER_GKE_TOKEN        bearer token it accepts (or _TOKEN_FILE: a file holding it)
 *   TF_SCHEMA_PROVIDER_GKE_POLL_MS      operation polling interval (default 1000)
 *   TF_SCHEMA_PROVIDER_GKE_TIMEOUT_SECONDS  per operation (default 1800, the provider's 30 min)
 */

const fs = require('node:fs');

const ENV = {
  endpoint: 'TF_SCHEMA_PROVIDER_GKE_ENDPOINT',
  caFile: 'TF_SCHEMA_PROVIDER_GKE_CA_FILE',
  token: 'TF_SCHEMA_PROVIDER_GKE_TOKEN',
  tokenFile: 'TF_SCHEMA_PROVIDER_GKE_TOKEN_FILE',
  pollMs: 'TF_SCHEMA_PROVIDER_GKE_POLL_MS',
  timeoutSeconds: 'TF_SCHEMA_PROVIDER_GKE_TIMEOUT_SECONDS',
};

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

class GkeBackendConfigError extends Error {}

function positive(name, text, fallback) {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new GkeBackendConfigError(
      `${name} must be a positive number, got "${text}"`,
    );
  }
  return value;
}

/**
 * The backend configuration, or undefined when none is set. Throws GkeBackendConfigError naming
 * the variable when a value is unusable: the endpoint must be a loopback address, because the
 * backend sends a bearer token to it and is only ever meant for a local emulator.
 */
function gkeBackendConfig(env = process.env) {
  const endpoint = env[ENV.endpoint];
  if (!endpoint) return undefined;
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(endpoint);
  const host = m && (m[1] || m[2]);
  const port = m && Number(m[3]);
  if (!m || !(port > 0 && port < 65536)) {
    throw new GkeBackendConfigError(
      `${ENV.endpoint} must be host:port (e.g. 127.0.0.1:8443), got "${endpoint}"`,
    );
  }
  if (!LOOPBACK.has(host)) {
    throw new GkeBackendConfigError(
      `${ENV.endpoint} must be a loopback address (127.0.0.1, ::1 or localhost): the GKE backend only talks to a local emulator, got "${host}"`,
    );
  }
  const caFile = env[ENV.caFile];
  let caPem;
  if (caFile) {
    try {
      caPem = fs.readFileSync(caFile, 'utf8');
    } catch (error) {
      throw new GkeBackendConfigError(
        `${ENV.caFile}: cannot read "${caFile}" (${
          error.code || error.message
        })`,
      );
    }
  }
  let token = env[ENV.token] || undefined;
  const tokenFile = env[ENV.tokenFile];
  if (!token && tokenFile) {
    try {
      token = fs.readFileSync(tokenFile, 'utf8').trim();
    } catch (error) {
      throw new GkeBackendConfigError(
        `${ENV.tokenFile}: cannot read "${tokenFile}" (${
          error.code || error.message
        })`,
      );
    }
  }
  return {
    host,
    port,
    caPem,
    token,
    pollMs: positive(ENV.pollMs, env[ENV.pollMs], 1000),
    timeoutMs:
      positive(ENV.timeoutSeconds, env[ENV.timeoutSeconds], 1800) * 1000,
  };
}

module.exports = {
  gkeBackendConfig,
  GkeBackendConfigError,
  GKE_BACKEND_ENV: ENV,
};
