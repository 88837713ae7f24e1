/**
 * What of the operator's shell the CLI hands to terraform and kubectl: where binaries and the
 * home directory are, locale, proxies, Google and kubectl credentials/settings, and Terraform's
 * own `TF_*` settings. Everything else (other tools' tokens, database URLs, …) stays out.
 */
export const CLI_PASSED_ENV = [
  'PATH',
  'HOME',
  'USER',
  'LANG',
  'LC_ALL',
  'TMPDIR',
  'TZ',
  'KUBECONFIG',
  'KUBECACHEDIR',
  'USE_GKE_GCLOUD_AUTH_PLUGIN',
  'GOOGLE_APPLICATION_CREDENTIALS',
  'GOOGLE_CLOUD_PROJECT',
  'GOOGLE_IMPERSONATE_SERVICE_ACCOUNT',
  // An access token the operator hands Terraform's google provider and gcs backend on purpose.
  'GOOGLE_OAUTH_ACCESS_TOKEN',
  // Cloud Storage's emulator switch, honoured by Terraform's gcs backend and the storage client.
  'STORAGE_EMULATOR_HOST',
  'CLOUDSDK_CONFIG',
  'CLOUDSDK_CORE_PROJECT',
  'HTTPS_PROXY',
  'HTTP_PROXY',
  'NO_PROXY',
  'https_proxy',
  'http_proxy',
  'no_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
];
/** Terraform's settings (TF_CLI_CONFIG_FILE, TF_PLUGIN_CACHE_DIR, TF_LOG, …). */
const PASSED_PREFIXES = ['TF_'];

/** The environment of the tools the CLI runs: the allow-listed part of `env`. */
export function cliToolEnvironment(
  env: Record<string, string | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (
      CLI_PASSED_ENV.includes(key) ||
      PASSED_PREFIXES.some(prefix => key.startsWith(prefix))
    )
      out[key] = value;
  }
  return out;
}
