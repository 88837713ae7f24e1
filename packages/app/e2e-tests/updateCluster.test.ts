import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test, expect } from '@playwright/test';
import { createEmulatorClusterManagerClient } from '@gpu-platform/emulators';
import {
  BACKEND,
  guestToken,
  runCreateTemplate,
  signInAsGuest,
  snapshot,
  taskLog,
  waitForTask,
} from './gpuClusterPages';

/**
 * "Update GPU cluster" from the entity page, on the embedded default: a cluster the Create
 * template made (the real run: state in the Cloud Storage emulator, the cluster in the GKE
 * emulator) is resized by its owner: "Update cluster" on its GPU cluster tab, the form pre-filled
 * from the spec stored with the cluster, one more node at most for its GPU pool, the diff shown,
 * the task run. Its log has the Terraform plan summary, and GKE's node pool has the new size.
 */

const PROJECT = 'e2e-team-project';
const NAME_PREFIX = 'grow';
const CLUSTER = `${NAME_PREFIX}-gke`;

/** The GKE emulator the app's backend uses (started by playwright.config.ts). */
async function gkeNodePools() {
  const info = JSON.parse(
    readFileSync(resolve(process.env.EMULATORS_DIR!, 'emulators.json'), 'utf8'),
  ) as { gke: { address: string; caPem: string; token: string } };
  const [host, port] = info.gke.address.split(':');
  const client = createEmulatorClusterManagerClient({
    host,
    port: Number(port),
    token: info.gke.token,
    caCertPem: info.gke.caPem,
  });
  try {
    const [cluster] = await client.getCluster({
      name: `projects/${PROJECT}/locations/us-central1/clusters/${CLUSTER}`,
    });
    return cluster.nodePools ?? [];
  } finally {
    await client.close();
  }
}

test('the owner resizes a GPU node pool from the entity page', async ({
  page,
  request,
}, testInfo) => {
  test.setTimeout(420_000);
  const headers = { Authorization: `Bearer ${await guestToken(request)}` };

  // A cluster created by the Create GPU cluster template's real run.
  await runCreateTemplate(
    request,
    headers,
    {
      identity: {
        projectId: PROJECT,
        namePrefix: NAME_PREFIX,
        owner: 'group:default/platform-team',
      },
    },
    240,
  );
  await expect(async () => {
    const entity = await request.get(
      `${BACKEND}/api/catalog/entities/by-name/resource/default/${CLUSTER}`,
      { headers },
    );
    expect(entity.status()).toBe(200);
  }).toPass({ timeout: 90_000 });
  const [gpuPool] = (await gkeNodePools()).filter(p => p.name !== 'system');
  const maxOf = (p: typeof gpuPool) =>
    p.autoscaling?.totalMaxNodeCount ?? p.autoscaling?.maxNodeCount;
  const maxBefore = maxOf(gpuPool)!;

  // The owner (the guest, a member of platform-team) sees "Update cluster" on the tab.
  await signInAsGuest(page);
  await page.goto(`/catalog/default/resource/${CLUSTER}/gpu-cluster`);
  const update = page.getByRole('button', { name: `Update ${CLUSTER}` });
  await expect(update).toBeVisible({ timeout: 60_000 });
  await snapshot(page, testInfo, '1-gpu-cluster-tab');
  await update.click();

  // The Update template, with the cluster pre-filled.
  await expect(page).toHaveURL(
    /\/create\/templates\/default\/gke-gpu-cluster-update/,
  );
  await expect(
    page.getByRole('heading', { name: 'Update GPU cluster' }).first(),
  ).toBeVisible();
  await page.getByRole('button', { name: 'Next' }).click();

  // Page 2: the stored spec, what is fixed, the pool to resize.
  await expect(page.getByLabel('Fixed for this cluster')).toContainText(
    `Project ${PROJECT}, region us-central1`,
  );
  const pool = page.getByRole('group', { name: `Node pool ${gpuPool.name}` });
  const max = pool.getByLabel('Max nodes');
  await expect(max).toHaveValue(String(maxBefore));
  await max.fill(String(maxBefore + 1));
  await expect(
    page.getByRole('list', { name: 'Terraform variables that change' }),
  ).toContainText(`node_pools[0].max_nodes: ${maxBefore} → ${maxBefore + 1}`);
  await snapshot(page, testInfo, '2-update-form-diff');
  await page.getByRole('button', { name: 'Review' }).click();
  await expect(page.getByRole('button', { name: 'Create' })).toBeVisible();
  await snapshot(page, testInfo, '3-review');
  await page.getByRole('button', { name: 'Create' }).click();

  // The task runs to its end; its log has the plan summary.
  await expect(page).toHaveURL(/\/create\/tasks\/[^/]+$/);
  const taskId = page.url().split('/').pop()!;
  await waitForTask(request, headers, taskId, 240);
  const log = await taskLog(request, headers, taskId);
  expect(log).toContain('Plan: 0 to add, 1 to change, 0 to destroy');
  expect(log).toContain(
    `update module.node_pool["${gpuPool.name}"].google_container_node_pool.this`,
  );
  await expect(
    page.getByText('Plan: 0 to add, 1 to change').first(),
  ).toBeVisible();
  await snapshot(page, testInfo, '4-task-completed');

  // GKE's node pool has the new size; the catalog entity is rebuilt from the new spec.
  const [after] = (await gkeNodePools()).filter(p => p.name === gpuPool.name);
  expect(maxOf(after)).toBe(maxBefore + 1);
  const spec = await request.get(
    `${BACKEND}/api/gpu-cluster/clusters/default/${CLUSTER}/spec`,
    { headers },
  );
  expect(spec.status()).toBe(200);
  expect((await spec.json()).spec.nodePools[0].maxNodes).toBe(maxBefore + 1);
});
