import { test, expect } from '@playwright/test';
import {
  BACKEND,
  guestToken,
  signInAsGuest,
  snapshot,
} from './gpuClusterPages';

/**
 * History on the embedded default: the backend samples the demo cluster from startup (every
 * 30 s, app-config.yaml), so its GPU cluster tab draws the History charts with at least one
 * sample, and the fleet page a sparkline for it.
 */
test('the demo cluster’s tab draws its sampled history', async ({
  page,
  request,
}, testInfo) => {
  const headers = { Authorization: `Bearer ${await guestToken(request)}` };
  // The first sample comes a few seconds after the backend starts; wait for it, bounded.
  await expect
    .poll(
      async () => {
        const res = await request.get(
          `${BACKEND}/api/gpu-cluster/clusters/default/h200-dws-demo/history`,
          { headers },
        );
        return res.ok() ? (await res.json()).points.length : -res.status();
      },
      { timeout: 90_000, intervals: [2_000] },
    )
    .toBeGreaterThan(0);

  await signInAsGuest(page);
  await page.goto('/catalog/default/resource/h200-dws-demo/gpu-cluster');
  await expect(page.getByText('History', { exact: true })).toBeVisible();
  await expect(
    page.getByText(/\d+ samples? in the last 1h, averaged per/),
  ).toBeVisible();
  const gpus = page.getByRole('img', { name: /^GPUs: \d+ points$/ });
  await expect(gpus).toBeVisible();
  // recharts drew the series: a line (or its point, for a single sample) inside the chart.
  await expect(
    gpus.locator('.recharts-line-curve, .recharts-line-dot').first(),
  ).toBeAttached();
  await expect(
    page.getByText(
      'ProvisioningRequest wait per queue (created → Provisioned)',
    ),
  ).toBeVisible();
  await page.getByText('History', { exact: true }).scrollIntoViewIfNeeded();
  await snapshot(page, testInfo, 'cluster-history');

  await page.getByRole('button', { name: 'last 24h' }).click();
  await expect(
    page.getByText(/\d+ samples? in the last 24h, averaged per/),
  ).toBeVisible();

  await page.getByRole('link', { name: 'GPU clusters' }).click();
  await page.getByPlaceholder('Filter').fill('h200-dws-demo');
  const row = page
    .getByRole('row')
    .filter({ has: page.getByRole('link', { name: /^h200-dws-demo\b/ }) });
  await expect(
    row.getByRole('img', { name: /points over 24 h; last: / }),
  ).toBeVisible({ timeout: 60_000 });
  await snapshot(page, testInfo, 'fleet-history');
});
