import { test, expect } from '@playwright/test';
import {
  BACKEND,
  guestToken,
  runCreateTemplate,
  signInAsGuest,
  snapshot,
} from './gpuClusterPages';

/**
 * The loop production runs, on the embedded default: the template creates the policy's state bucket
 * (in the Cloud Storage emulator) and its Terraform, keeping state there, creates the cluster and
 * node pools in GKE (the emulator, through the schema-serving provider's GKE backend, so GKE's
 * request rules apply at apply time), GKE reports the endpoint of the cluster's own Kubernetes API
 * (a fresh emulator), the kubectl step fills it with credentials read from GKE, and the status
 * backend finds it through GKE discovery. Then the cluster's "GPU cluster" tab shows it.
 */

test('a cluster the template creates is monitored: node pools, queues and Ray on its GPU cluster tab', async ({
  page,
  request,
}, testInfo) => {
  test.setTimeout(360_000);
  const headers = { Authorization: `Bearer ${await guestToken(request)}` };

  await runCreateTemplate(
    request,
    headers,
    {
      identity: {
        projectId: 'e2e-team-project',
        namePrefix: 'mon',
        owner: 'group:default/platform-team',
      },
    },
    240,
  );

  // Seed 004 on the embedded default: the run created the policy's state bucket (platform-team's
  // in app-config.yaml) in the Cloud Storage emulator before terraform init, and Terraform's gcs
  // backend keeps the stack's state in it, at the prefix the policy derives from owner and name.
  // Read back through the emulator's JSON API, as gcloud storage would read GCS.
  const storage = 'http://127.0.0.1:4443/storage/v1';
  const stateBucket = 'gpu-launchpad-demo-tfstate';
  const stateObject = 'gpu-clusters/default/platform-team/mon/default.tfstate';
  const bucket = await request.get(`${storage}/b/${stateBucket}`);
  expect(bucket.status()).toBe(200);
  expect(await bucket.json()).toMatchObject({
    name: stateBucket,
    versioning: { enabled: true },
    iamConfiguration: { uniformBucketLevelAccess: { enabled: true } },
    labels: { 'managed-by': 'gpu-platform', purpose: 'terraform-state' },
  });
  const listing = await request.get(`${storage}/b/${stateBucket}/o`, {
    params: { prefix: 'gpu-clusters/default/platform-team/mon/' },
  });
  expect(listing.status()).toBe(200);
  expect(
    ((await listing.json()).items ?? []).map((o: { name: string }) => o.name),
  ).toContain(stateObject);
  const stateFile = await request.get(
    `${storage}/b/${stateBucket}/o/${encodeURIComponent(stateObject)}`,
    { params: { alt: 'media' } },
  );
  expect(stateFile.status()).toBe(200);
  const terraformState = JSON.parse(await stateFile.text()) as {
    resources: { type: string; instances: { attributes: any }[] }[];
  };
  expect(
    terraformState.resources
      .filter(r => r.type === 'google_container_cluster')
      .map(r => r.instances[0].attributes.name),
  ).toEqual(['mon-gke']);

  // The registered entity names what the tab must show.
  let annotations: Record<string, string> = {};
  await expect(async () => {
    const entity = await request.get(
      `${BACKEND}/api/catalog/entities/by-name/resource/default/mon-gke`,
      { headers },
    );
    expect(entity.status()).toBe(200);
    annotations = (await entity.json()).metadata.annotations;
  }).toPass({ timeout: 60_000 });
  const nodePools = annotations['gpu-platform.dev/node-pools'].split(',');
  const clusterQueue = annotations['gpu-platform.dev/kueue-cluster-queue'];
  const rayCluster = annotations['gpu-platform.dev/ray-cluster'];
  expect(nodePools.length).toBeGreaterThan(0);

  // The status backend reaches the new cluster through GKE discovery (no gpuCluster.clusters entry).
  await expect(async () => {
    const statusResponse = await request.get(
      `${BACKEND}/api/gpu-cluster/clusters/default/mon-gke/status`,
      { headers },
    );
    expect(statusResponse.status()).toBe(200);
    const body = await statusResponse.json();
    expect(JSON.stringify(body)).toContain(rayCluster);
  }).toPass({ timeout: 60_000 });

  await signInAsGuest(page);
  await page.goto('/catalog/default/resource/mon-gke/gpu-cluster');
  await expect(page.getByText('Why is it not running?').first()).toBeVisible();
  for (const text of [...nodePools, clusterQueue, rayCluster]) {
    await expect(page.getByText(text, { exact: false }).first()).toBeVisible();
  }
  await snapshot(page, testInfo, 'created-cluster-gpu-tab');
});
