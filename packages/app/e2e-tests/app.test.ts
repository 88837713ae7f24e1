import { test, expect } from '@playwright/test';
import {
  BACKEND,
  guestToken,
  runCreateTemplate,
  signInAsGuest,
  snapshot,
  taskLog,
  waitForTaskEnd,
} from './gpuClusterPages';

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

  // The GPU cluster card on the Overview tab holds at a phone's width: a state and the project
  // id each stay on one line instead of wrapping one letter per line.
  await page.setViewportSize({ width: 360, height: 900 });
  const card = page.getByLabel('cluster health');
  for (const text of ['RUNNING', 'gpu-launchpad-demo']) {
    const value = card.getByText(text, { exact: true }).first();
    await expect(value).toBeVisible();
    const box = (await value.boundingBox())!;
    expect({ text, oneLine: box.width > box.height }).toEqual({
      text,
      oneLine: true,
    });
  }
  await snapshot(page, testInfo, 'demo-cluster-overview-narrow');
});

test('the backend reaches the emulated cluster through the kubernetes plugin', async ({
  request,
}) => {
  const token = await guestToken(request);

  const queues = await request.get(
    `${BACKEND}/api/kubernetes/proxy/apis/kueue.x-k8s.io/v1beta2/clusterqueues`,
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
  const headers = { Authorization: `Bearer ${await guestToken(request)}` };

  // The real actions: terraform against the schema-serving provider and kubectl against the
  // emulated cluster, as the embedded default is configured.
  const id = await runCreateTemplate(
    request,
    headers,
    {
      identity: {
        projectId: 'e2e-team-project',
        namePrefix: 'e2eteam',
        owner: 'group:default/platform-team',
      },
    },
    90,
  );

  await signInAsGuest(page);
  await page.goto(`/create/tasks/${id}`);
  await expect(
    page.getByText('Register the cluster in the catalog').first(),
  ).toBeVisible();
  await snapshot(page, testInfo, 'template-task');

  await expect(async () => {
    const entity = await request.get(
      `${BACKEND}/api/catalog/entities/by-name/resource/default/e2eteam-gke`,
      { headers },
    );
    expect(entity.status()).toBe(200);
    expect((await entity.json()).spec).toMatchObject({
      type: 'kubernetes-cluster',
      owner: 'group:default/platform-team',
    });
  }).toPass({ timeout: 60_000 });
});

test('preflight refuses a stack in the short-quota demo project, naming the quota and where to raise it', async ({
  page,
  request,
}, testInfo) => {
  const headers = { Authorization: `Bearer ${await guestToken(request)}` };
  const created = await request.post(`${BACKEND}/api/scaffolder/v2/tasks`, {
    headers,
    data: {
      templateRef: 'template:default/gke-gpu-cluster',
      values: {
        identity: {
          projectId: 'demo-short-quota',
          namePrefix: 'shortq',
          owner: 'group:default/platform-team',
        },
      },
    },
  });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  expect(await waitForTaskEnd(request, headers, id, 60)).toBe('failed');
  const log = await taskLog(request, headers, id);
  expect(log).toContain(
    'Not enough GPU quota: quota PREEMPTIBLE_NVIDIA_H200_GPUS in us-central1 is 8 with 4 in use',
  );
  expect(log).toContain(
    'https://console.cloud.google.com/iam-admin/quotas?project=demo-short-quota',
  );
  expect(log).toContain(
    'Skipping step terraform because a previous step failed',
  );

  await signInAsGuest(page);
  await page.goto(`/create/tasks/${id}`);
  await expect(
    page.getByText('Preflight (quota, zones, APIs, permissions)').first(),
  ).toBeVisible();
  await snapshot(page, testInfo, 'template-task-preflight-refused');
});
