import { expect, Page, test, TestInfo } from '@playwright/test';

/**
 * In a freshly scaffolded Backstage app that added the packed plugins with the READMEs' lines
 * (scripts/release-check.sh): the template the scaffolder module registers is offered, and the
 * frontend plugin's tab shows the emulated demo cluster's status from the backend plugin.
 */

async function snapshot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

async function signInAsGuest(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await expect(enter).toBeVisible();
  await enter.click();
  await expect(enter).toBeHidden();
}

test('the "Create GPU cluster" template is offered in /create', async ({
  page,
}, testInfo) => {
  await signInAsGuest(page);
  await page.goto('/create');
  await expect(page.getByText('Create GPU cluster').first()).toBeVisible();
  await snapshot(page, testInfo, 'create-page');
});

test('the demo cluster has a GPU cluster tab showing its status', async ({
  page,
}, testInfo) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/resource/h200-dws-demo');
  // Backstage 1.55's entity page lists its tabs as links under "Content navigation".
  const tab = page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name: 'GPU cluster', exact: true });
  await expect(tab).toBeVisible();
  await tab.click();
  await expect(page).toHaveURL(/\/gpu-cluster$/);
  await expect(page.getByText('Why is it not running?').first()).toBeVisible();
  // Names the status is built from, read live from the emulated cluster and GKE.
  for (const text of ['h200-dws', 'dws-cluster-queue', 'ray-h200']) {
    await expect(page.getByText(text).first()).toBeVisible();
  }
  await snapshot(page, testInfo, 'gpu-cluster-tab');
});
