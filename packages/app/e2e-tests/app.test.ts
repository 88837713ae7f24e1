import { test, expect, Page, TestInfo } from '@playwright/test';

/** Saves a full-page screenshot as a named artifact of the test. */
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
  await expect(
    page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();
}

test('guest signs in and the catalog lists the components platform-team owns', async ({
  page,
}, testInfo) => {
  await page.goto('/');
  await snapshot(page, testInfo, 'sign-in');
  await signInAsGuest(page);

  // The guest is a member of platform-team, so the default "Owned" view shows its components.
  await page.goto('/catalog?filters[kind]=component&filters[user]=owned');
  const table = page.getByRole('table');
  for (const name of ['gpu-cluster-common', 'gpu-cluster-node']) {
    await expect(table.getByRole('link', { name, exact: true })).toBeVisible();
  }
  // Owners render by their display name and link to the group page.
  await expect(
    table.getByRole('link', { name: 'Platform team' }).first(),
  ).toHaveAttribute('href', '/catalog/default/group/platform-team');
  await snapshot(page, testInfo, 'catalog-owned-components');

  await page.goto('/catalog/default/group/platform-team');
  await expect(page.getByText('Platform team').first()).toBeVisible();
  await snapshot(page, testInfo, 'platform-team');
});

test('the emulated demo cluster is in the catalog, owned by platform-team', async ({
  page,
}, testInfo) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/resource/h200-dws-demo');
  await expect(
    page.getByRole('heading', { name: /h200-dws-demo/ }).first(),
  ).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'Platform team' }).first(),
  ).toBeVisible();
  await snapshot(page, testInfo, 'demo-cluster');
});

test('the backend reaches the emulated cluster through the kubernetes plugin', async ({
  request,
}) => {
  const backend = 'http://localhost:7007';
  const refresh = await request.get(`${backend}/api/auth/guest/refresh`, {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  expect(refresh.ok()).toBeTruthy();
  const token = (await refresh.json()).backstageIdentity.token as string;

  const queues = await request.get(
    `${backend}/api/kubernetes/proxy/apis/kueue.x-k8s.io/v1beta2/clusterqueues`,
    {
      headers: {
        Authorization: `Bearer ${token}`,
        'Backstage-Kubernetes-Cluster': 'h200-dws-demo',
      },
    },
  );
  expect(queues.status()).toBe(200);
  const names = (
    (await queues.json()).items as { metadata: { name: string } }[]
  ).map(q => q.metadata.name);
  expect(names).toContain('dws-cluster-queue');
});

test('the GPU cluster tab shows the emulated cluster: node pools, queues, provisioning and Ray', async ({
  page,
}, testInfo) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/resource/h200-dws-demo/gpu-cluster');
  await expect(page.getByText('Why is it not running?').first()).toBeVisible();
  // Names the demo cluster's status is built from, read live from the emulators.
  for (const text of ['h200-dws', 'dws-cluster-queue', 'ray-h200']) {
    await expect(page.getByText(text).first()).toBeVisible();
  }
  await snapshot(page, testInfo, 'gpu-cluster-tab');
});

test('the "Create GPU cluster" template is offered, its form derived from the stack spec', async ({
  page,
}, testInfo) => {
  await signInAsGuest(page);
  await page.goto('/create');
  await expect(page.getByText('Create GPU cluster').first()).toBeVisible();
  await snapshot(page, testInfo, 'create-page');
});

test('running the template provisions offline and registers the cluster, owned by the team', async ({
  page,
  request,
}, testInfo) => {
  const backend = 'http://localhost:7007';
  const refresh = await request.get(`${backend}/api/auth/guest/refresh`, {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  const token = (await refresh.json()).backstageIdentity.token as string;
  const headers = { Authorization: `Bearer ${token}` };

  // The real actions: terraform against the schema-serving provider (local state) and kubectl
  // against the emulated cluster, as the embedded default is configured.
  const created = await request.post(`${backend}/api/scaffolder/v2/tasks`, {
    headers,
    data: {
      templateRef: 'template:default/gke-gpu-cluster',
      values: {
        identity: {
          projectId: 'e2e-team-project',
          namePrefix: 'e2eteam',
          owner: 'group:default/platform-team',
        },
      },
    },
  });
  expect(created.status()).toBe(201);
  const { id } = await created.json();

  let status = 'open';
  for (let i = 0; i < 90 && ['open', 'processing'].includes(status); i++) {
    await page.waitForTimeout(1_000);
    const task = await request.get(`${backend}/api/scaffolder/v2/tasks/${id}`, {
      headers,
    });
    status = (await task.json()).status;
  }
  if (status !== 'completed') {
    const events = await request.get(
      `${backend}/api/scaffolder/v2/tasks/${id}/events`,
      { headers },
    );
    const log = ((await events.json()) as { body: { message?: string } }[])
      .map(e => e.body.message)
      .filter(Boolean)
      .join('\n');
    expect({ status, log }).toEqual({
      status: 'completed',
      log: expect.anything(),
    });
  }

  await signInAsGuest(page);
  await page.goto(`/create/tasks/${id}`);
  await expect(
    page.getByText('Register the cluster in the catalog').first(),
  ).toBeVisible();
  await snapshot(page, testInfo, 'template-task');

  await expect(async () => {
    const entity = await request.get(
      `${backend}/api/catalog/entities/by-name/resource/default/e2eteam-gke`,
      { headers },
    );
    expect(entity.status()).toBe(200);
    expect((await entity.json()).spec).toMatchObject({
      type: 'kubernetes-cluster',
      owner: 'group:default/platform-team',
    });
  }).toPass({ timeout: 60_000 });
});
