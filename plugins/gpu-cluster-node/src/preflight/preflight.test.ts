import fs from 'node:fs';
import path from 'node:path';
import { OAuth2Client } from 'google-auth-library';
import {
  denyGoogleCredentialDiscovery,
  startCloudApisEmulator,
  startGcsEmulator,
  startGkeEmulator,
  type CloudApisEmulator,
  type GcsEmulator,
  type GkeEmulator,
} from '@gpu-platform/emulators';
import {
  assertGpuStackSpec,
  stackNames,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { createStorageClient } from '../terraform/stateBucket';
import {
  STACK_SERVICES,
  formatPreflightTable,
  preflightFailureMessage,
  requiredPermissions,
  runPreflight,
  type PreflightReport,
} from '.';

denyGoogleCredentialDiscovery();

const TOKEN = 'preflight-test-token';

function spec(
  identity: Record<string, unknown>,
  rest: Record<string, unknown> = {},
): GpuStackSpec {
  return assertGpuStackSpec({
    identity: {
      namePrefix: 'pf',
      owner: 'group:default/platform-team',
      ...identity,
    },
    ...rest,
  });
}

const check = (report: PreflightReport, id: string) =>
  report.checks.find(c => c.id === id);

describe('runPreflight (official clients against the Compute, Service Usage, Resource Manager, GKE and GCS emulators)', () => {
  let cloud: CloudApisEmulator;
  let gke: GkeEmulator;
  let gcs: GcsEmulator;
  const run = (s: GpuStackSpec) => {
    // Jest cannot run gaxios' dynamic import of node-fetch: hand it Node's fetch.
    const authClient = new OAuth2Client({
      transporterOptions: { fetchImplementation: fetch },
    });
    authClient.setCredentials({
      access_token: TOKEN,
      expiry_date: Date.now() + 3600_000,
    });
    return runPreflight({
      spec: s,
      googleApis: { url: cloud.url },
      gke: {
        host: gke.host,
        port: gke.port,
        caData: gke.caCertPem,
        token: gke.token,
      },
      stateBackend: 'gcs',
      storageEnv: { STORAGE_EMULATOR_HOST: gcs.url },
      authClient,
    });
  };

  beforeAll(async () => {
    cloud = await startCloudApisEmulator({ token: TOKEN });
    gke = await startGkeEmulator({ fixtures: 'empty' });
    gcs = await startGcsEmulator();
  });
  afterAll(async () => {
    await Promise.all([cloud.stop(), gke.stop(), gcs.stop()]);
  });

  it('passes the default stack in a prepared demo project, with the bucket to be created', async () => {
    const report = await run(spec({ projectId: 'gpu-launchpad-demo' }));
    expect(report.checks.filter(c => c.status === 'fail')).toEqual([]);
    expect(report.ok).toBe(true);
    expect(check(report, 'machine-type:a3-ultragpu-8g')).toMatchObject({
      status: 'ok',
      message: expect.stringContaining(
        '8 GPUs per node) is offered in us-central1-b',
      ),
    });
    expect(check(report, 'quota:PREEMPTIBLE_NVIDIA_H200_GPUS')?.status).toBe(
      'ok',
    );
    expect(check(report, 'apis')?.status).toBe('ok');
    expect(check(report, 'permissions')?.status).toBe('ok');
    expect(check(report, 'state-bucket')?.message).toContain(
      'the run creates it',
    );
    expect(cloud.requests).toEqual(
      expect.arrayContaining([
        'GET /compute/v1/projects/gpu-launchpad-demo/regions/us-central1',
        'GET /v1/projects/gpu-launchpad-demo/services:batchGet',
        'POST /v3/projects/gpu-launchpad-demo:testIamPermissions',
      ]),
    );
    expect(formatPreflightTable(report).at(-1)).toBe('Preflight passed');
  });

  it('finds an existing state bucket in the Cloud Storage emulator and warns when its versioning is off', async () => {
    const s = spec({ projectId: 'e2e-team-project', namePrefix: 'pfbucket' });
    const bucket = stackNames(s).stateBucket;
    await createStorageClient({
      projectId: 'e2e-team-project',
      apiEndpoint: gcs.url,
    }).createBucket(bucket, { versioning: { enabled: false } });
    const report = await run(s);
    expect(check(report, 'state-bucket')).toMatchObject({
      status: 'warn',
      message: `State bucket gs://${bucket} exists with object versioning off: a damaged state cannot be restored`,
    });
  });

  it('fails on short GPU quota, naming the metric, the region and where to raise it', async () => {
    const report = await run(spec({ projectId: 'demo-short-quota' }));
    expect(report.ok).toBe(false);
    const quota = check(report, 'quota:PREEMPTIBLE_NVIDIA_H200_GPUS');
    expect(quota).toMatchObject({
      status: 'fail',
      field: 'nodePools[0].maxNodes',
      link: 'https://console.cloud.google.com/iam-admin/quotas?project=demo-short-quota',
    });
    expect(quota?.message).toContain(
      'quota PREEMPTIBLE_NVIDIA_H200_GPUS in us-central1 is 8 with 4 in use (4 left)',
    );
    expect(preflightFailureMessage(report)).toContain(
      'https://console.cloud.google.com/iam-admin/quotas?project=demo-short-quota',
    );
  });

  it('checks the on-demand metric for on-demand pools and the preemptible one for Spot', async () => {
    const onDemand = await run(
      spec(
        { projectId: 'demo-short-quota' },
        {
          nodePools: [
            {
              name: 'l4',
              machineType: 'g2-standard-8',
              provisioning: { mode: 'on-demand' },
              maxNodes: 2,
            },
          ],
        },
      ),
    );
    // One L4 per node fits the 4 left; two nodes' worth does too.
    expect(check(onDemand, 'quota:NVIDIA_L4_GPUS')?.status).toBe('ok');
    const spot = await run(
      spec(
        { projectId: 'demo-short-quota' },
        {
          nodePools: [
            {
              name: 'l4',
              machineType: 'g2-standard-8',
              provisioning: { mode: 'spot' },
              maxNodes: 6,
            },
          ],
        },
      ),
    );
    expect(check(spot, 'quota:PREEMPTIBLE_NVIDIA_L4_GPUS')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('can grow to 4 of the nodes'),
    });
  });

  it('warns about disabled APIs and lists what the run would enable', async () => {
    cloud.projects.add({
      projectId: 'half-ready',
      enabledServices: [
        'serviceusage.googleapis.com',
        'cloudresourcemanager.googleapis.com',
        'compute.googleapis.com',
        'storage.googleapis.com',
      ],
    });
    const report = await run(spec({ projectId: 'half-ready' }));
    expect(check(report, 'apis')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining(
        'The run will enable container.googleapis.com',
      ),
    });
    expect(report.servicesToEnable).toContain('file.googleapis.com');
    expect(report.servicesToEnable).not.toContain('compute.googleapis.com');
    expect(report.ok).toBe(true);
  });

  it('fails when the runner lacks a permission the run needs', async () => {
    cloud.projects.add({
      projectId: 'no-gke-rights',
      deniedPermissions: ['container.clusters.create'],
    });
    const report = await run(spec({ projectId: 'no-gke-rights' }));
    expect(check(report, 'permissions')).toMatchObject({
      status: 'fail',
      field: 'identity.projectId',
      message: expect.stringContaining(
        'lacks container.clusters.create (the GKE cluster',
      ),
    });
  });

  it('fails for a machine type not offered in a chosen zone and for a zone that does not exist', async () => {
    // A2 Ultra is offered in us-central1-a and -c, not -b (gpu-regions-zones).
    const notOffered = await run(
      spec(
        {
          projectId: 'gpu-launchpad-demo',
          region: 'us-central1',
          zones: ['us-central1-a', 'us-central1-b'],
        },
        {
          nodePools: [
            {
              name: 'a100',
              machineType: 'a2-ultragpu-8g',
              provisioning: { mode: 'spot' },
            },
          ],
        },
      ),
    );
    expect(check(notOffered, 'machine-type:a2-ultragpu-8g')).toMatchObject({
      status: 'fail',
      field: 'identity.zones[1]',
      message: expect.stringContaining(
        'is not offered in us-central1-b; it is in us-central1-a',
      ),
    });
    // A3 Ultra is offered in us-central1-b only: not at all in the chosen zone.
    const nowhere = await run(
      spec({
        projectId: 'gpu-launchpad-demo',
        region: 'us-central1',
        zones: ['us-central1-a'],
      }),
    );
    expect(check(nowhere, 'machine-type:a3-ultragpu-8g')).toMatchObject({
      status: 'fail',
      field: 'nodePools[0].machineType',
    });
    const unknownZone = await run(
      spec({
        projectId: 'gpu-launchpad-demo',
        region: 'us-central1',
        zones: ['us-central1-z'],
      }),
    );
    expect(check(unknownZone, 'zone:us-central1-z')).toMatchObject({
      status: 'fail',
      field: 'identity.zones[0]',
    });
  });

  it('fails for an unknown project and for a pinned GKE version the channel does not offer', async () => {
    const unknown = await run(spec({ projectId: 'not-a-project' }));
    expect(unknown.ok).toBe(false);
    expect(check(unknown, 'permissions')?.message).toContain(
      'Project not-a-project does not exist or the runner',
    );
    const pinned = await run(
      spec(
        { projectId: 'gpu-launchpad-demo' },
        { cluster: { version: '1.29', releaseChannel: 'REGULAR' } },
      ),
    );
    expect(check(pinned, 'gke-version')).toMatchObject({
      status: 'fail',
      field: 'cluster.version',
    });
    const offered = await run(
      spec(
        { projectId: 'gpu-launchpad-demo' },
        { cluster: { version: '1.33', releaseChannel: 'REGULAR' } },
      ),
    );
    expect(check(offered, 'gke-version')?.status).toBe('ok');
  });
});

describe('preflight requirements', () => {
  it('lists the APIs the shipped Terraform module enables', () => {
    const variables = fs.readFileSync(
      path.join(__dirname, '../../terraform/variables.tf'),
      'utf8',
    );
    const block =
      /variable "enabled_services"[\s\S]*?default = \[([\s\S]*?)\]/.exec(
        variables,
      )![1];
    expect([...block.matchAll(/"([^"]+)"/g)].map(m => m[1])).toEqual(
      STACK_SERVICES,
    );
  });

  it('derives the permissions from what the stack creates', () => {
    const base = requiredPermissions(spec({ projectId: 'p-1-abcdef' }), {
      stateBucketMayBeCreated: true,
    }).map(p => p.permission);
    expect(base).toEqual(
      expect.arrayContaining([
        'container.clusters.create',
        'storage.buckets.create',
      ]),
    );
    expect(base.length).toBeLessThanOrEqual(100);
    expect(new Set(base).size).toBe(base.length);
    const noBucket = requiredPermissions(
      spec(
        { projectId: 'p-1-abcdef' },
        { storage: { trainingBucket: { enabled: false } } },
      ),
      { stateBucketMayBeCreated: false },
    ).map(p => p.permission);
    expect(noBucket).not.toContain('storage.buckets.create');
  });
});
