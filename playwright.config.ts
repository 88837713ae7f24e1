import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from '@playwright/test';
import { generateProjects } from '@backstage/e2e-test-utils/playwright';

/**
 * Browser end-to-end tests for every package with an `e2e-tests/` folder.
 *
 * The browser is Debian's Chromium (`apt-get install -y chromium`), never a Playwright
 * download: the machines these run on cannot fetch browsers. The flags keep Chromium off the
 * network (this machine's network is closed, and background requests fail noisily).
 * The tests start the app themselves (emulators :6443/:8443/:8988/:4443/:8990, admin :8991, frontend :3000,
 * backend :7007), on the embedded default.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// The emulators and the backend's kubernetes config share this token (as scripts/start.sh does).
process.env.EMULATOR_TOKEN ??= randomBytes(24).toString('hex');
process.env.EMULATORS_DIR ??= resolve(__dirname, '.emulators');
mkdirSync(resolve(process.env.EMULATORS_DIR, 'catalog'), { recursive: true });
// Application Default Credentials of the backend come from the emulators' metadata server (as
// scripts/start.sh sets it up), never from this machine's gcloud configuration or key files.
process.env.GCE_METADATA_HOST = '127.0.0.1:8988';
process.env.METADATA_SERVER_DETECTION = 'assume-present';
process.env.CLOUDSDK_CONFIG = resolve(process.env.EMULATORS_DIR, 'gcloud');
delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
// The template's terraform step runs against the schema-serving google provider (as
// scripts/start.sh sets it up).
execFileSync(process.execPath, [
  resolve(
    __dirname,
    'packages/terraform-schema-provider/bin/terraform-google-mirror',
  ),
  resolve(process.env.EMULATORS_DIR, 'terraform'),
]);

export default defineConfig({
  timeout: 120_000,
  expect: { timeout: 30_000 },

  webServer: [
    {
      // GKE operations in 200 ms phases: created clusters are ready in seconds, not minutes.
      // Cloud Storage on :4443 holds the template's Terraform state (app-config.yaml).
      // The admin endpoint on 127.0.0.1:8991 lets a test deny a kind at run time (degradedSection).
      command: `yarn workspace @gpu-platform/emulators start --out-dir ${process.env.EMULATORS_DIR} --operation-step-ms 200 --gcs-port 4443 --cloud-port 8990 --admin-port 8991`,
      port: 6443,
      reuseExistingServer: !process.env.CI,
      timeout: 120_000,
      stdout: 'ignore',
    },
    {
      command: 'yarn start app',
      url: 'http://localhost:3000',
      reuseExistingServer: !process.env.CI,
      timeout: 240_000,
      stdout: 'ignore',
    },
    {
      command: 'yarn start backend',
      url: 'http://localhost:7007/.backstage/health/v1/readiness',
      // Created clusters' DNS-based endpoints present the emulators' CA where GKE presents a
      // publicly trusted one (kubeconfigs for them carry no CA): the backend trusts it in
      // addition to Node's roots. The emulators (started first) have written it by now.
      env: {
        NODE_EXTRA_CA_CERTS: resolve(
          process.env.EMULATORS_DIR!,
          'kubernetes-ca.pem',
        ),
      },
      reuseExistingServer: !process.env.CI,
      timeout: 240_000,
      stdout: 'ignore',
    },
  ],

  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,

  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'e2e-test-report' }],
  ],

  use: {
    actionTimeout: 30_000,
    navigationTimeout: 60_000,
    baseURL: process.env.PLAYWRIGHT_URL ?? 'http://localhost:3000',
    screenshot: 'on',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },

  // Screenshots and traces of every run: the artifacts CI keeps.
  outputDir: 'e2e-test-results',

  projects: generateProjects({ channel: 'chromium' }),
});
