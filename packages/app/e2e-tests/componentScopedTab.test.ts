import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { test, expect } from '@playwright/test';
import {
  BACKEND,
  guestToken,
  signInAsGuest,
  snapshot,
} from './gpuClusterPages';

/**
 * A Component that depends on the demo cluster (packages/emulators/catalog/demo-cluster.yaml)
 * gets the GPU cluster tab narrowed to its namespace and LocalQueue: its workloads only, its queue
 * and the ClusterQueue's depth, and none of the cluster's other namespaces (the Ray cluster lives
 * in `ray`). The cluster's own tab carries the fabric checks.
 */
test('a Component’s GPU cluster tab shows only its namespace and LocalQueue', async ({
  page,
  request,
}, testInfo) => {
  // Another team's Job in namespace ray (the real kubectl against the emulated demo cluster):
  // Kueue gives it a Workload the Component must not see.
  execFileSync(
    'kubectl',
    [
      '--kubeconfig',
      resolve(process.env.EMULATORS_DIR!, 'kubeconfig'),
      'apply',
      '-f',
      '-',
    ],
    {
      input: JSON.stringify({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: {
          name: 'other-team',
          namespace: 'ray',
          labels: { 'kueue.x-k8s.io/queue-name': 'other-queue' },
        },
        spec: {
          template: {
            spec: {
              restartPolicy: 'Never',
              containers: [{ name: 'main', image: 'busybox:1.36' }],
            },
          },
        },
      }),
      env: { PATH: process.env.PATH, HOME: process.env.EMULATORS_DIR },
      timeout: 60_000,
    },
  );
  const headers = { Authorization: `Bearer ${await guestToken(request)}` };
  await expect
    .poll(
      async () => {
        const all = await request.get(
          `${BACKEND}/api/gpu-cluster/clusters/default/h200-dws-demo/workloads?limit=500`,
          { headers },
        );
        const items = (await all.json()).items as { namespace: string }[];
        return items.some(w => w.namespace === 'ray');
      },
      { timeout: 60_000 },
    )
    .toBe(true);

  await signInAsGuest(page);
  await page.goto('/catalog/default/component/h200-demo-trainer/gpu-cluster');
  await expect(page.getByText(/^dws-cluster-queue: \d+ pending/)).toBeVisible({
    timeout: 60_000,
  });
  await expect(
    page.getByText('No RayClusters in this namespace.'),
  ).toBeVisible();
  // Every workload row is in namespace default; none of another namespace shows.
  const rows = page.getByRole('row').filter({ hasText: /^(default|ray)\// });
  await expect(rows.first()).toBeVisible();
  for (const text of await rows.allInnerTexts()) {
    expect(text.startsWith('default/')).toBe(true);
  }
  await expect(page.getByText(/^ray\//)).toHaveCount(0);
  await snapshot(page, testInfo, 'component-scoped-tab');

  await page.goto('/catalog/default/resource/h200-dws-demo/gpu-cluster');
  await expect(
    page.getByText('Fabric (multi-networking and RDMA)'),
  ).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText(/ready on \d+\/\d+ GPU nodes/)).toBeVisible();
  await snapshot(page, testInfo, 'cluster-tab-fabric');
});
