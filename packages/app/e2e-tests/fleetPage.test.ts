import { test, expect } from '@playwright/test';
import {
  BACKEND,
  guestToken,
  signInAsGuest,
  snapshot,
} from './gpuClusterPages';

/**
 * The fleet page as a platform engineer uses it: from the sidebar, every GPU cluster they can
 * see (theirs marked), the demo cluster's figures as its status API gives them, searchable, and
 * a click through to the cluster's GPU cluster tab, where its owner lists the Ray dashboard's jobs.
 */
test('the fleet page lists the GPU clusters and leads to a cluster’s tab', async ({
  page,
  request,
}, testInfo) => {
  const headers = { Authorization: `Bearer ${await guestToken(request)}` };
  const status = await request.get(
    `${BACKEND}/api/gpu-cluster/clusters/default/h200-dws-demo/status`,
    { headers },
  );
  expect(status.status()).toBe(200);
  const { summary, gke } = await status.json();

  await signInAsGuest(page);
  await page.getByRole('link', { name: 'GPU clusters' }).click();
  await expect(page).toHaveURL(/\/gpu-clusters$/);
  await expect(
    page.getByRole('heading', { name: 'GPU clusters' }).first(),
  ).toBeVisible();

  // Narrow the table to the demo cluster by typing in its search box.
  await page.getByPlaceholder('Filter').fill('h200-dws-demo');
  // Listed by its entity title, "h200-dws-demo (emulated)".
  const link = page.getByRole('link', { name: /^h200-dws-demo\b/ });
  const row = page.getByRole('row').filter({ has: link });
  await expect(row).toHaveCount(1, { timeout: 60_000 });
  // The guest is a member of platform-team, which owns the demo cluster.
  await expect(row.getByText('yours')).toBeVisible();
  await expect(
    row.getByText(`${gke.projectId} / ${gke.location}`),
  ).toBeVisible();
  await expect(row.getByText(gke.status, { exact: true })).toBeVisible();
  await expect(
    row.getByText(new RegExp(` / ${summary.gpusAllocatable}$`)),
  ).toBeVisible();
  await snapshot(page, testInfo, 'fleet-page');

  await row.getByRole('link', { name: /^h200-dws-demo\b/ }).click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/resource\/h200-dws-demo\/gpu-cluster$/,
  );
  await expect(page.getByText('Why is it not running?').first()).toBeVisible();

  // As an owner, the Ray card lists the jobs the Ray dashboard knows, read through the cluster's
  // API server (the demo RayJob's submission, running).
  await page
    .getByRole('button', { name: 'Jobs of ray-h200 from its dashboard' })
    .click();
  const jobs = page.getByRole('row').filter({ hasText: /ray-h200-smoke-/ });
  await expect(jobs).toHaveCount(1, { timeout: 30_000 });
  await expect(jobs.getByText('RUNNING', { exact: true })).toBeVisible();
  await snapshot(page, testInfo, 'ray-dashboard-jobs');
});
