import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test, expect, type APIRequestContext } from '@playwright/test';
import {
  BACKEND,
  guestToken,
  signInAsGuest,
  snapshot,
} from './gpuClusterPages';

/** The emulators' loopback admin endpoint (playwright.config.ts starts it with --admin-port). */
function emulatorAdmin(request: APIRequestContext) {
  const info = JSON.parse(
    readFileSync(resolve(process.env.EMULATORS_DIR!, 'emulators.json'), 'utf8'),
  );
  const headers = { Authorization: `Bearer ${info.kubernetes.token}` };
  return {
    post: async (path: string, data: unknown) => {
      const res = await request.post(`${info.admin.url}${path}`, {
        headers,
        data,
      });
      expect(res.status(), await res.text()).toBeLessThan(300);
      return res.json();
    },
    clear: async () => {
      const res = await request.delete(`${info.admin.url}/kube/rules`, {
        headers,
      });
      expect(res.status()).toBe(204);
    },
  };
}

/**
 * A kind the backend can no longer read, as when the status identity loses `list`/`watch` on
 * pods: the GPU usage section says its figures are the last known ones and why (the API
 * server's 403), every other section still renders, and once access is back the section
 * recovers on its own.
 */
test('a section whose kind is denied says so while the rest renders, then recovers', async ({
  page,
  request,
}, testInfo) => {
  test.setTimeout(240_000);
  const admin = emulatorAdmin(request);
  const headers = { Authorization: `Bearer ${await guestToken(request)}` };
  const sectionState = async (section: string) => {
    const res = await request.get(
      `${BACKEND}/api/gpu-cluster/clusters/default/h200-dws-demo/status`,
      { headers },
    );
    expect(res.status()).toBe(200);
    return (await res.json()).sections[section];
  };
  // The informers run (started by this call if no test opened the cluster before).
  await expect
    .poll(async () => (await sectionState('gpuUsage')).state, {
      timeout: 60_000,
    })
    .toBe('ok');

  try {
    // RBAC-shaped denial, then the open pods watch ends (as on an API server restart): the
    // informer's reconnect and relist are refused.
    await admin.post('/kube/forbid', {
      verb: ['list', 'watch'],
      resource: 'pods',
    });
    await admin.post('/kube/watches/drop', {
      pathPattern: '^/api/v1/(watch/)?pods$',
    });
    await expect
      .poll(async () => (await sectionState('gpuUsage')).state, {
        timeout: 60_000,
      })
      .toBe('stale');

    await signInAsGuest(page);
    await page.goto('/catalog/default/resource/h200-dws-demo/gpu-cluster');
    const notice = page.getByText(/^Warning: GPU usage: last known data/);
    await expect(notice).toBeVisible({ timeout: 60_000 });
    // The reason, open without a click: the kind and the API server's answer to its watch.
    await expect(
      page.getByText(/^pods stale \(403: Forbidden\)$/).first(),
    ).toBeVisible();
    // The health card does not present the last figure as current.
    await expect(
      page
        .getByLabel('cluster health')
        .getByText(/in use \(last known, pods not readable since/),
    ).toBeVisible();
    // Other sections still render from their own kinds.
    await expect(
      page.getByText('Why is it not running?').first(),
    ).toBeVisible();
    await expect(page.getByText('ray-h200').first()).toBeVisible();
    await snapshot(page, testInfo, 'gpu-usage-section-stale');
  } finally {
    await admin.clear();
  }

  // Access back: the informer resumes (bounded back-off) and the notice goes away.
  await expect
    .poll(async () => (await sectionState('gpuUsage')).state, {
      timeout: 90_000,
      intervals: [2_000],
    })
    .toBe('ok');
  await page.reload();
  await expect(
    page.getByLabel('cluster health').getByText(/ in use of /),
  ).toBeVisible({ timeout: 60_000 });
  await expect(
    page.getByText(/^Warning: GPU usage: last known data/),
  ).toHaveCount(0);
  await snapshot(page, testInfo, 'gpu-usage-section-recovered');
});
