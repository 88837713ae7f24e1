import { APIRequestContext, expect, Page, TestInfo } from '@playwright/test';

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

/** The backend of the app under test (playwright.config.ts starts it). */
export const BACKEND = 'http://localhost:7007';

/** A Backstage token of the guest, as the frontend obtains it. */
export async function guestToken(request: APIRequestContext) {
  const refresh = await request.get(`${BACKEND}/api/auth/guest/refresh`, {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  expect(refresh.ok()).toBeTruthy();
  return (await refresh.json()).backstageIdentity.token as string;
}

/** The messages of a scaffolder task's log, one per line. */
export async function taskLog(
  request: APIRequestContext,
  headers: Record<string, string>,
  id: string,
): Promise<string> {
  const events = await request.get(
    `${BACKEND}/api/scaffolder/v2/tasks/${id}/events`,
    { headers },
  );
  return ((await events.json()) as { body: { message?: string } }[])
    .map(e => e.body.message)
    .filter(Boolean)
    .join('\n');
}

/** Polls a scaffolder task (at most `maxSeconds`) until it ends; answers its last status. */
export async function waitForTaskEnd(
  request: APIRequestContext,
  headers: Record<string, string>,
  id: string,
  maxSeconds: number,
): Promise<string> {
  let status = 'open';
  for (
    let i = 0;
    i < maxSeconds && ['open', 'processing'].includes(status);
    i++
  ) {
    await new Promise(resolve => setTimeout(resolve, 1_000));
    const task = await request.get(`${BACKEND}/api/scaffolder/v2/tasks/${id}`, {
      headers,
    });
    status = (await task.json()).status;
  }
  return status;
}

/**
 * Polls a scaffolder task (at most `maxSeconds`) until it ends; a task that does not complete
 * fails the test with its log.
 */
export async function waitForTask(
  request: APIRequestContext,
  headers: Record<string, string>,
  id: string,
  maxSeconds: number,
): Promise<void> {
  const status = await waitForTaskEnd(request, headers, id, maxSeconds);
  if (status !== 'completed') {
    const log = await taskLog(request, headers, id);
    expect(status, `the task did not complete:\n${log}`).toBe('completed');
  }
}

/**
 * Starts "Create GPU cluster" with the given values through the scaffolder API and waits for the
 * task (see waitForTask). For tests about what follows a run; the form itself is worked by
 * clicking in createClusterForm.
 */
export async function runCreateTemplate(
  request: APIRequestContext,
  headers: Record<string, string>,
  values: Record<string, unknown>,
  maxSeconds: number,
): Promise<string> {
  const created = await request.post(`${BACKEND}/api/scaffolder/v2/tasks`, {
    headers,
    data: { templateRef: 'template:default/gke-gpu-cluster', values },
  });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  await waitForTask(request, headers, id, maxSeconds);
  return id;
}
