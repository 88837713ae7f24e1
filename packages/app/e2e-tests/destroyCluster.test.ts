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
 * "Destroy GPU cluster" from the entity page, on the embedded default: a cluster the Create
 * template made (the real run: state in the Cloud Storage emulator, the cluster in the GKE
 * emulator) is destroyed by its owner by clicking "Destroy cluster" on its GPU cluster tab, typing
 * its name and creating the task. Afterwards the catalog no longer has the entity and GKE holds
 * no such cluster.
 */

const PROJECT = 'e2e-team-project';
const NAME_PREFIX = 'gone';
const CLUSTER = `${NAME_PREFIX}-gke`;

/** The GKE emulator the app's backend uses (started by playwright.config.ts). */
function gkeClient() {
  const info = JSON.parse(
    readFileSync(resolve(process.env.EMULATORS_DIR!, 'emulators.json'), 'utf8'),
  ) as { gke: { address: string; caPem: string; token: string } };
  const [host, port] = info.gke.address.split(':');
  return createEmulatorClusterManagerClient({
    host,
    port: Number(port),
    token: info.gke.token,
    caCertPem: info.gke.caPem,
  });
}

async function gkeClusterNames() {
  const client = gkeClient();
  try {
    const [response] = await client.listClusters({
      parent: `projects/${PROJECT}/locations/-`,
    });
    return (response.clusters ?? []).map(c => c.name);
  } finally {
    await client.close();
  }
}

test('the owner destroys a GPU cluster from its entity page', async ({
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
  expect(await gkeClusterNames()).toContain(CLUSTER);
  await expect(async () => {
    const entity = await request.get(
      `${BACKEND}/api/catalog/entities/by-name/resource/default/${CLUSTER}`,
      { headers },
    );
    expect(entity.status()).toBe(200);
  }).toPass({ timeout: 90_000 });

  // The owner (the guest, a member of platform-team) sees "Destroy cluster" on the tab.
  await signInAsGuest(page);
  await page.goto(`/catalog/default/resource/${CLUSTER}/gpu-cluster`);
  const destroy = page.getByRole('button', { name: `Destroy ${CLUSTER}` });
  await expect(destroy).toBeVisible({ timeout: 60_000 });
  await snapshot(page, testInfo, '1-gpu-cluster-tab');
  await destroy.click();

  // The Destroy template, with the cluster pre-filled; type its name to confirm.
  await expect(page).toHaveURL(
    /\/create\/templates\/default\/gke-gpu-cluster-destroy/,
  );
  await expect(
    page.getByRole('heading', { name: 'Destroy GPU cluster' }).first(),
  ).toBeVisible();
  await page
    .getByRole('textbox', { name: /Type the cluster's name to confirm/ })
    .fill(CLUSTER);
  await snapshot(page, testInfo, '2-destroy-form');
  await page.getByRole('button', { name: 'Review' }).click();
  await expect(page.getByRole('button', { name: 'Create' })).toBeVisible();
  await snapshot(page, testInfo, '3-review');
  await page.getByRole('button', { name: 'Create' }).click();

  // The task runs to its end and says what it did.
  await expect(page).toHaveURL(/\/create\/tasks\/[^/]+$/);
  const taskId = page.url().split('/').pop()!;
  await waitForTask(request, headers, taskId, 240);
  // The step log says what it did.
  const log = await taskLog(request, headers, taskId);
  expect(log).toContain('In-cluster work deleted first:');
  // Its file location goes too (else the catalog would read the entity back from the file).
  expect(log).toContain('Removed catalog location file:');
  expect(log).toContain(`Removed resource:default/${CLUSTER} from the catalog`);
  await snapshot(page, testInfo, '4-task-completed');

  // Gone from the catalog and from GKE.
  await expect(async () => {
    const entity = await request.get(
      `${BACKEND}/api/catalog/entities/by-name/resource/default/${CLUSTER}`,
      { headers },
    );
    expect(entity.status()).toBe(404);
  }).toPass({ timeout: 60_000 });
  expect(await gkeClusterNames()).not.toContain(CLUSTER);
  // The status API no longer serves it: the read permission is decided on an entity that is gone
  // (no owner condition can match: 403), the entity is not found (404), or its registration is
  // forgotten (403).
  const status = await request.get(
    `${BACKEND}/api/gpu-cluster/clusters/default/${CLUSTER}/status`,
    { headers },
  );
  expect([403, 404]).toContain(status.status());
  expect((await status.json()).error).toMatchObject({
    name: 'ClusterAccessError',
    reason: expect.stringMatching(
      /^(PERMISSION_DENIED|ENTITY_NOT_FOUND|NOT_REGISTERED)$/,
    ),
  });
});
