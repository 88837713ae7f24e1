import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Makes google-auth-library unable to find or fetch real credentials, so a misconfigured
 * client fails instead of reaching the metadata server or oauth2.googleapis.com: ADC points
 * at a file that does not exist, metadata-server detection is off, and the metadata host is
 * a closed loopback port. Call it at the top of a test file, before creating clients.
 */
export function denyGoogleCredentialDiscovery(): void {
  process.env.GOOGLE_APPLICATION_CREDENTIALS = path.join(
    os.tmpdir(),
    'gke-emulator-no-such-credentials.json',
  );
  process.env.METADATA_SERVER_DETECTION = 'none';
  process.env.GCE_METADATA_HOST = '127.0.0.1:9';
  process.env.GCE_METADATA_IP = '127.0.0.1:9';
  process.env.CLOUDSDK_CONFIG = path.join(
    os.tmpdir(),
    'gke-emulator-no-gcloud-config',
  );
  delete process.env.GOOGLE_CLOUD_UNIVERSE_DOMAIN;
}
