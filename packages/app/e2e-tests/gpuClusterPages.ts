import { expect, Page, TestInfo } from '@playwright/test';

/** Helpers shared by the browser tests of the GPU cluster pages (not a test file itself). */

/** Saves a full-page screenshot as a named artifact of the test. */
export async function snapshot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

export async function signInAsGuest(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await expect(enter).toBeVisible();
  await enter.click();
  await expect(
    page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();
}

/**
 * The entity's "GPU cluster" tab shows the cluster's node pools, queues and Ray — for clusters
 * the tests just created, once the embedded default makes them visible to the status backend
 * (e.g. `expectPopulatedGpuClusterTab(page, testInfo, 'pq-h200-gke', ['h200-dws',
 * 'dws-cluster-queue', 'ray'])`).
 */
export async function expectPopulatedGpuClusterTab(
  page: Page,
  testInfo: TestInfo,
  clusterName: string,
  texts: string[],
) {
  await page.goto(`/catalog/default/resource/${clusterName}/gpu-cluster`);
  await expect(page.getByText('Why is it not running?').first()).toBeVisible();
  for (const text of texts) {
    await expect(page.getByText(text).first()).toBeVisible();
  }
  await snapshot(page, testInfo, '7-gpu-cluster-tab');
}
