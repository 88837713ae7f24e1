import { defineConfig } from '@playwright/test';

/**
 * The browser half of the release check (scripts/release-check.sh): the fresh app's built
 * backend, serving its built frontend, is already running (browser-check.sh starts it against
 * the emulators). Kept out of the repository's `yarn test:e2e`, whose projects are the
 * packages' e2e-tests folders. Debian's Chromium, as in ../../playwright.config.ts.
 */
const outputDir = process.env.RELEASE_CHECK_RESULTS ?? 'release-check-results';

export default defineConfig({
  testDir: __dirname,
  testMatch: 'freshApp.spec.ts',
  timeout: 180_000,
  expect: { timeout: 60_000 },
  forbidOnly: true,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  outputDir,
  use: {
    actionTimeout: 30_000,
    navigationTimeout: 60_000,
    baseURL: process.env.RELEASE_CHECK_APP_URL ?? 'http://localhost:7007',
    screenshot: 'on',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
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
});
