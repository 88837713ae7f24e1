import { test, expect, Page, TestInfo } from '@playwright/test';
import { signInAsGuest, snapshot } from './gpuClusterPages';

/**
 * "Create GPU cluster" as people use it: every cluster here is created by clicking through the
 * form (preset, selects, Next, What will happen, Review, Create), then followed to the finished
 * task and the registered entity. The template run is the real one of the embedded default
 * (terraform against the schema-serving provider, kubectl against the emulated cluster).
 */

import { BACKEND } from './gpuClusterPages';
// A template run takes some seconds; a run that needs minutes is a failure worth seeing.
const RUN_TIMEOUT = 150_000;
test.describe.configure({ timeout: 240_000 });

/** Opens a select of the form (MUI renders it as a button named by label and value), picks an option. */
async function choose(page: Page, label: RegExp, option: string | RegExp) {
  await page.getByRole('button', { name: label }).click();
  await page.getByRole('option', { name: option }).click();
}

async function openTemplate(page: Page) {
  await page.goto('/create');
  // The card titled exactly so: the Destroy template's card sits beside it.
  const card = page.locator('.MuiCard-root').filter({
    has: page.getByText('Create GPU cluster', { exact: true }),
  });
  await card.getByRole('button', { name: 'Choose' }).click();
  await expect(page.getByRole('button', { name: /^Preset/ })).toBeVisible();
}

/**
 * The guest may create GPU clusters for platform-team only (gpuCluster.policy of the embedded
 * default): the owner picker offers that one group and has chosen it.
 */
async function chooseOwner(page: Page) {
  await expect(page.getByRole('textbox', { name: /^Owner/ })).toHaveValue(
    /platform-team|Platform team/,
  );
}

/** A project gpuCluster.policy allows platform-team (the project is a choice among those). */
const PROJECT = 'e2e-team-project';

async function chooseProject(page: Page) {
  await choose(page, /^Google Cloud project/, PROJECT);
}

async function next(page: Page) {
  await page.getByRole('button', { name: 'Next' }).click();
}

/** Opens a collapsed section or group of the form by its title. */
async function open(page: Page, title: RegExp) {
  const summary = page.getByRole('button', { name: title }).first();
  if ((await summary.getAttribute('aria-expanded')) !== 'true') {
    await summary.click();
  }
  await expect(summary).toHaveAttribute('aria-expanded', 'true');
}

interface Run {
  namePrefix: string;
  preset?: string;
  mode?: RegExp;
  reservation?: string;
  /** Changes one advanced field; returns what the task's parameters must then contain. */
  advanced?: (page: Page) => Promise<Record<string, unknown>>;
  /** The advanced field sits in a collapsed group of page 1 (else a section of page 2). */
  advancedOnPage1?: boolean;
  /** The quota metric the "What will happen" page must name. */
  quotaMetric: string;
  /** A phrase of the provisioning mode's consequences. */
  consequence: RegExp;
}

/** Fills the form by clicking, creates the cluster, and follows it to its entity page. */
async function createByClicking(page: Page, testInfo: TestInfo, run: Run) {
  await signInAsGuest(page);
  await openTemplate(page);

  // Page 1: the decisions.
  if (run.preset) await choose(page, /^Preset/, run.preset);
  if (run.mode) await choose(page, /^Provisioning mode/, run.mode);
  if (run.reservation) {
    await page
      .getByRole('textbox', { name: /Reservation name/ })
      .fill(run.reservation);
  }
  await chooseProject(page);
  await page.getByRole('textbox', { name: /Name prefix/ }).fill(run.namePrefix);
  await chooseOwner(page);
  let expected: Record<string, unknown> = {};
  const onPage1 = Boolean(run.advancedOnPage1);
  if (run.advanced && onPage1) expected = await run.advanced(page);
  await snapshot(page, testInfo, '1-gpu-cluster');
  await next(page);

  // Page 2: advanced settings, all collapsed.
  await expect(page.getByRole('button', { name: /^Cluster/ })).toHaveAttribute(
    'aria-expanded',
    'false',
  );
  if (run.advanced && !onPage1) expected = await run.advanced(page);
  await snapshot(page, testInfo, '2-advanced-settings');
  await next(page);

  // Page 3: what will happen, from the backend's render of these values.
  await expect(
    page.getByRole('heading', { name: 'GPUs at most' }),
  ).toBeVisible();
  await expect(page.getByText(run.quotaMetric).first()).toBeVisible();
  await expect(page.getByText(run.consequence).first()).toBeVisible();
  await expect(
    page.getByRole('heading', { name: 'Where the Terraform state lives' }),
  ).toBeVisible();
  await snapshot(page, testInfo, '3-what-will-happen');
  await page.getByRole('button', { name: 'Review' }).click();

  // The scaffolder's review, then Create.
  await expect(page.getByRole('button', { name: 'Create' })).toBeVisible();
  await snapshot(page, testInfo, '4-review');
  await page.getByRole('button', { name: 'Create' }).click();

  // The task page, until the run has finished and linked the registered cluster.
  await expect(page).toHaveURL(/\/create\/tasks\/[^/]+$/);
  const taskId = page.url().split('/').pop()!;
  const entityLink = page.getByRole('link', { name: 'Cluster in the catalog' });
  await expect(entityLink).toBeVisible({ timeout: RUN_TIMEOUT });
  await snapshot(page, testInfo, '5-task-completed');

  const task = await taskOf(page, taskId);
  expect(task.status).toBe('completed');
  expect(task.spec.parameters).toMatchObject(expected);

  // The registered location is processed by the catalog's loop: wait until it is ingested.
  const clusterName = `${run.namePrefix}-gke`;
  await expect(async () => {
    const entity = await backendGet(
      page,
      `/api/catalog/entities/by-name/resource/default/${clusterName}`,
    );
    expect(entity.status()).toBe(200);
  }).toPass({ timeout: 90_000 });
  await entityLink.click();
  await expect(
    page.getByRole('heading', { name: new RegExp(clusterName) }).first(),
  ).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'Platform team' }).first(),
  ).toBeVisible();
  // Let the overview cards load before the picture (they poll, so never "idle" for good).
  await page
    .waitForLoadState('networkidle', { timeout: 10_000 })
    .catch(() => {});
  await snapshot(page, testInfo, '6-entity-page');

  // Its GPU cluster tab, populated from the new cluster (found through GKE, as in production):
  // the node pools, the queue and the Ray cluster the entity names.
  const entity = await (
    await backendGet(
      page,
      `/api/catalog/entities/by-name/resource/default/${clusterName}`,
    )
  ).json();
  const annotations: Record<string, string> = entity.metadata.annotations;
  const expectedTexts = [
    ...annotations['gpu-platform.dev/node-pools'].split(','),
    annotations['gpu-platform.dev/kueue-cluster-queue'],
    annotations['gpu-platform.dev/ray-cluster'],
  ].filter(Boolean);
  await page
    .getByRole('tab', { name: 'GPU cluster' })
    .or(page.getByRole('link', { name: 'GPU cluster', exact: true }))
    .first()
    .click();
  await expect(page.getByText('Why is it not running?').first()).toBeVisible({
    timeout: 60_000,
  });
  for (const text of expectedTexts) {
    await expect(page.getByText(text).first()).toBeVisible();
  }
  await snapshot(page, testInfo, '7-gpu-cluster-tab');
  return { taskId, clusterName };
}

async function backendGet(page: Page, path: string) {
  const refresh = await page.request.get(`${BACKEND}/api/auth/guest/refresh`, {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  const token = (await refresh.json()).backstageIdentity.token as string;
  return page.request.get(`${BACKEND}${path}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
}

async function taskOf(page: Page, taskId: string) {
  const res = await backendGet(page, `/api/scaffolder/v2/tasks/${taskId}`);
  expect(res.ok()).toBeTruthy();
  return res.json();
}

const PRESET_RUNS: Run[] = [
  {
    namePrefix: 'pq-h200',
    preset: '8× H200, DWS queued, for training',
    quotaMetric: 'PREEMPTIBLE_NVIDIA_H200_GPUS',
    consequence: /up to days/,
  },
  {
    namePrefix: 'pf-h100',
    preset: '8× H100 flex-start',
    quotaMetric: 'PREEMPTIBLE_NVIDIA_H100_GPUS',
    consequence: /run at most 7 days/,
  },
  {
    namePrefix: 'ps-l4',
    preset: 'L4 Spot for inference',
    quotaMetric: 'PREEMPTIBLE_NVIDIA_L4_GPUS',
    consequence: /preempted at any time/,
  },
  {
    namePrefix: 'pr-a100',
    preset: 'A100 on-demand with a reservation',
    reservation: 'a100-reservation',
    quotaMetric: 'NVIDIA_A100_GPUS',
    consequence: /consume the named reservation/,
  },
];

for (const run of PRESET_RUNS) {
  test(`creates a cluster from the preset "${run.preset}" with its defaults`, async ({
    page,
  }, testInfo) => {
    await createByClicking(page, testInfo, run);
  });
}

/**
 * Each provisioning mode with one advanced field changed; with its defaults too, unless a preset
 * above already created a cluster in that mode with the defaults.
 */
const MODE_RUNS: Array<Run & { label: string; defaultsByPreset?: boolean }> = [
  {
    label: 'queued-provisioning',
    defaultsByPreset: true,
    namePrefix: 'mq-queue',
    mode: /^DWS queued provisioning/,
    quotaMetric: 'PREEMPTIBLE_NVIDIA_H200_GPUS',
    consequence: /all the nodes they need at once/,
    advanced: async page => {
      await open(page, /^Job queueing \(Kueue\)/);
      await page.getByRole('textbox', { name: /^Queue name/ }).fill('team-a');
      return { kueue: { localQueueName: 'team-a' } };
    },
  },
  {
    label: 'flex-start',
    defaultsByPreset: true,
    namePrefix: 'mf-flex',
    mode: /^DWS flex-start/,
    quotaMetric: 'PREEMPTIBLE_NVIDIA_H200_GPUS',
    consequence: /starts when capacity is found/,
    advancedOnPage1: true,
    advanced: async page => {
      await open(page, /^Node pool details/);
      const size = page.getByRole('spinbutton', { name: /^Disk size/ });
      await size.fill('1000');
      return { nodePools: [{ disk: { sizeGb: 1000 } }] };
    },
  },
  {
    label: 'spot',
    defaultsByPreset: true,
    namePrefix: 'ms-spot',
    mode: /^Spot/,
    quotaMetric: 'PREEMPTIBLE_NVIDIA_H200_GPUS',
    consequence: /preempted at any time/,
    advanced: async page => {
      await open(page, /^Ray cluster/);
      await page
        .getByRole('textbox', { name: /^Ray cluster name/ })
        .fill('ray-spot');
      return { ray: { name: 'ray-spot' } };
    },
  },
  {
    label: 'on-demand',
    namePrefix: 'mo-od',
    mode: /^On-demand/,
    quotaMetric: 'NVIDIA_H200_GPUS',
    consequence: /regular GPU quota/,
    advanced: async page => {
      await open(page, /^Cluster/);
      await choose(page, /^Release channel/, 'Stable');
      return { cluster: { releaseChannel: 'STABLE' } };
    },
  },
  {
    label: 'reservation',
    defaultsByPreset: true,
    namePrefix: 'mr-resv',
    mode: /^Reservation/,
    reservation: 'h200-reservation',
    quotaMetric: 'NVIDIA_H200_GPUS',
    consequence: /billed whether nodes use it or not/,
    advancedOnPage1: true,
    advanced: async page => {
      await open(page, /^Catalog and billing labels/);
      await page.getByRole('textbox', { name: /^Cost center/ }).fill('cc-42');
      return { identity: { costCenter: 'cc-42' } };
    },
  },
  {
    label: 'compute-class',
    namePrefix: 'mc-ccc',
    mode: /^Compute Class/,
    quotaMetric: 'PREEMPTIBLE_NVIDIA_H200_GPUS',
    consequence: /fallback order/,
    advanced: async page => {
      await open(page, /^Storage/);
      await page
        .getByRole('checkbox', { name: /^Hierarchical namespace/ })
        .check();
      return { storage: { trainingBucket: { hierarchicalNamespace: true } } };
    },
  },
];

for (const run of MODE_RUNS) {
  if (!run.defaultsByPreset) {
    test(`creates a cluster in ${run.label} mode with its defaults`, async ({
      page,
    }, testInfo) => {
      await createByClicking(page, testInfo, {
        ...run,
        namePrefix: `${run.namePrefix}-d`,
        advanced: undefined,
      });
    });
  }

  test(`creates a cluster in ${run.label} mode with one advanced field changed`, async ({
    page,
  }, testInfo) => {
    await createByClicking(page, testInfo, run);
  });
}

test('a cross-field error on page 1 is reported before leaving the page', async ({
  page,
}, testInfo) => {
  await signInAsGuest(page);
  await openTemplate(page);
  await chooseProject(page);
  await page.getByRole('textbox', { name: /Name prefix/ }).fill('xerr');
  await chooseOwner(page);
  await open(page, /^Node pool details/);
  await page.getByRole('spinbutton', { name: /^Minimum nodes/ }).fill('6');
  await next(page);
  await expect(
    page.getByText('minNodes (6) exceeds maxNodes (4)').first(),
  ).toBeVisible();
  await expect(
    page
      .getByText('queued provisioning pools start empty: minNodes must be 0')
      .first(),
  ).toBeVisible();
  // Still on page 1.
  await expect(page.getByRole('button', { name: /^Preset/ })).toBeVisible();
  await snapshot(page, testInfo, 'page-1-cross-field-error');
});

test('a zone outside the region (from a shared link) is reported on page 1', async ({
  page,
}, testInfo) => {
  await signInAsGuest(page);
  const formData = {
    identity: {
      projectId: PROJECT,
      namePrefix: 'xzone',
      owner: 'group:default/platform-team',
      zones: ['europe-west4-a'],
    },
  };
  await page.goto(
    `/create/templates/default/gke-gpu-cluster?formData=${encodeURIComponent(
      JSON.stringify(formData),
    )}`,
  );
  await expect(
    page.getByRole('checkbox', { name: 'europe-west4-a — not in us-central1' }),
  ).toBeChecked();
  await next(page);
  await expect(
    page.getByText('zone europe-west4-a is not in region us-central1').first(),
  ).toBeVisible();
  await expect(page.getByRole('button', { name: /^Preset/ })).toBeVisible();
  await snapshot(page, testInfo, 'page-1-zone-not-in-region');
});

test('page 1 offers the projects gpuCluster.policy allows and reports another one from a shared link', async ({
  page,
}, testInfo) => {
  await signInAsGuest(page);
  await openTemplate(page);
  await chooseOwner(page);
  // The project is a choice among platform-team's projects of the policy.
  await page.getByRole('button', { name: /^Google Cloud project/ }).click();
  const projects = page.getByRole('option', {
    name: /^(gpu-launchpad-demo|e2e-team-project|demo-short-quota)$/,
  });
  await expect(projects).toHaveText([
    'gpu-launchpad-demo',
    'e2e-team-project',
    'demo-short-quota',
  ]);
  await expect(page.getByRole('option')).toHaveCount(4); // with the empty choice
  await page.keyboard.press('Escape');
  await expect(
    page.getByText(
      /^group:default\/platform-team may create GPU clusters in gpu-launchpad-demo, e2e-team-project, demo-short-quota; with at most 128 GPUs per cluster; \d+ of its 4096 GPUs in total are left/,
    ),
  ).toBeVisible();
  await snapshot(page, testInfo, 'page-1-policy-projects');

  // A link naming a project outside the policy: marked at once, refused on Next, on page 1.
  const formData = {
    identity: {
      projectId: 'not-our-project',
      namePrefix: 'xpolicy',
      owner: 'group:default/platform-team',
    },
  };
  await page.goto(
    `/create/templates/default/gke-gpu-cluster?formData=${encodeURIComponent(
      JSON.stringify(formData),
    )}`,
  );
  await expect(
    page.getByRole('button', {
      name: /^Google Cloud project not-our-project — not allowed for platform-team/,
    }),
  ).toBeVisible();
  await next(page);
  await expect(
    page
      .getByText(
        'Project not-our-project is not allowed for group:default/platform-team (gpuCluster.policy.groups: gpu-launchpad-demo, e2e-team-project, demo-short-quota)',
      )
      .first(),
  ).toBeVisible();
  await expect(page.getByRole('button', { name: /^Preset/ })).toBeVisible();
  await snapshot(page, testInfo, 'page-1-project-not-allowed');
});
