import { execFile } from 'node:child_process';
import {
  startMetadataEmulator,
  type MetadataEmulator,
} from './MetadataEmulator';

/**
 * google-auth-library (11, as gpu-cluster-node uses it) in its own Node process: its HTTP client
 * loads with a dynamic import that Jest's VM cannot run, and a separate process with an explicit
 * environment is how the backend meets it anyway.
 */
function adcInChildProcess(env: NodeJS.ProcessEnv): Promise<string> {
  const script = `
    const { GoogleAuth } = require(${JSON.stringify(
      require.resolve('google-auth-library'),
    )});
    const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
    Promise.all([auth.getAccessToken(), auth.getProjectId()]).then(
      ([token, project]) => process.stdout.write(JSON.stringify({ token, project })),
      error => { process.stderr.write(String(error)); process.exit(1); },
    );`;
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['-e', script],
      { env, timeout: 30_000 },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`${error.message}: ${stderr}`))
          : resolve(stdout),
    ),
  );
}

describe('GCE metadata server emulator', () => {
  let metadata: MetadataEmulator;

  beforeAll(async () => {
    metadata = await startMetadataEmulator({
      accessToken: 'emulator-token-123',
      projectId: 'gpu-launchpad-demo',
    });
  });

  afterAll(async () => {
    await metadata?.stop();
  });

  it('is where Application Default Credentials get their token (google-auth-library, unchanged)', async () => {
    // The environment the embedded default gives the backend: no key file, no gcloud config,
    // the metadata server at GCE_METADATA_HOST (found by pinging it, as on GCE).
    const answer = await adcInChildProcess({
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      CLOUDSDK_CONFIG: '/nonexistent-gcloud-config',
      GCE_METADATA_HOST: metadata.address,
      METADATA_SERVER_DETECTION: 'ping-only',
    });
    expect(JSON.parse(answer)).toEqual({
      token: 'emulator-token-123',
      project: 'gpu-launchpad-demo',
    });
  });

  it('refuses requests without Metadata-Flavor: Google, or forwarded ones, as the real server does', async () => {
    const token = `${metadata.url}/computeMetadata/v1/instance/service-accounts/default/token`;
    const bare = await fetch(token);
    expect(bare.status).toBe(403);
    expect(await bare.text()).toBe('Missing Metadata-Flavor:Google header.');
    const forwarded = await fetch(token, {
      headers: { 'Metadata-Flavor': 'Google', 'X-Forwarded-For': '10.0.0.1' },
    });
    expect(forwarded.status).toBe(403);
    const ok = await fetch(token, { headers: { 'Metadata-Flavor': 'Google' } });
    expect(ok.headers.get('metadata-flavor')).toBe('Google');
    expect(await ok.json()).toEqual({
      access_token: 'emulator-token-123',
      expires_in: 3599,
      token_type: 'Bearer',
    });
    const missing = await fetch(`${metadata.url}/computeMetadata/v1/nothing`, {
      headers: { 'Metadata-Flavor': 'Google' },
    });
    expect(missing.status).toBe(404);
  });
});
