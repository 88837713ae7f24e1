import { MachineTypesClient, RegionsClient } from '@google-cloud/compute';
import { ServiceUsageClient } from '@google-cloud/service-usage';
import { ProjectsClient } from '@google-cloud/resource-manager';
import { OAuth2Client } from 'google-auth-library';
import { startCloudApisEmulator, type CloudApisEmulator } from '.';

const TOKEN = 'cloud-apis-test-token';

// Service Usage and Resource Manager ship google-gax 5, which passes the HTTP status of an error
// answer through as `code` (gax 6, in the Compute client, maps it to the gRPC code).
const oneOf = (...values: number[]) => ({
  asymmetricMatch: (actual: unknown) => values.includes(actual as number),
  toAsymmetricMatcher: () => `one of ${values.join(', ')}`,
});
const invalidArgument = oneOf(3, 400);
const permissionDenied = oneOf(7, 403);

/** The official clients in REST mode against the emulator, with the emulators' token. */
function clients(emu: CloudApisEmulator, token = TOKEN) {
  // Jest cannot run gaxios' dynamic import of node-fetch: hand it Node's fetch.
  const authClient = new OAuth2Client({
    transporterOptions: { fetchImplementation: fetch },
  });
  authClient.setCredentials({
    access_token: token,
    expiry_date: Date.now() + 3600_000,
  });
  const options = {
    apiEndpoint: emu.host,
    port: emu.port,
    protocol: 'http',
    fallback: true as const,
    authClient,
  };
  return {
    machineTypes: new MachineTypesClient(options as any),
    regions: new RegionsClient(options as any),
    serviceUsage: new ServiceUsageClient(options as any),
    projects: new ProjectsClient(options as any),
  };
}

describe('Compute / Service Usage / Resource Manager emulator', () => {
  let emu: CloudApisEmulator;
  beforeEach(async () => {
    emu = await startCloudApisEmulator({ token: TOKEN });
  });
  afterEach(async () => {
    await emu.stop();
  });

  it('gets a machine type with its built-in GPUs in a zone that offers it', async () => {
    const { machineTypes } = clients(emu);
    const [machineType] = await machineTypes.get({
      project: 'gpu-launchpad-demo',
      zone: 'us-central1-b',
      machineType: 'a3-ultragpu-8g',
    });
    expect(machineType.name).toBe('a3-ultragpu-8g');
    expect(machineType.guestCpus).toBe(224);
    expect(machineType.accelerators).toEqual([
      expect.objectContaining({
        guestAcceleratorType: 'nvidia-h200-141gb',
        guestAcceleratorCount: 8,
      }),
    ]);
    expect(emu.requests).toContain(
      'GET /compute/v1/projects/gpu-launchpad-demo/zones/us-central1-b/machineTypes/a3-ultragpu-8g',
    );
  });

  it('answers 404 for a machine type not offered in the zone, an unknown zone and an unknown project', async () => {
    const { machineTypes } = clients(emu);
    // A3 Ultra is not offered in us-central1-a (gpu-regions-zones).
    await expect(
      machineTypes.get({
        project: 'gpu-launchpad-demo',
        zone: 'us-central1-a',
        machineType: 'a3-ultragpu-8g',
      }),
    ).rejects.toMatchObject({
      code: 5,
      message: expect.stringContaining(
        "The resource 'projects/gpu-launchpad-demo/zones/us-central1-a/machineTypes/a3-ultragpu-8g' was not found",
      ),
    });
    await expect(
      machineTypes.get({
        project: 'gpu-launchpad-demo',
        zone: 'us-central1-q',
        machineType: 'e2-standard-8',
      }),
    ).rejects.toMatchObject({
      code: 5,
      message: expect.stringContaining(
        "'projects/gpu-launchpad-demo/zones/us-central1-q' was not found",
      ),
    });
    await expect(
      machineTypes.get({
        project: 'no-such-project',
        zone: 'us-central1-b',
        machineType: 'e2-standard-8',
      }),
    ).rejects.toMatchObject({
      code: 5,
      message: expect.stringContaining(
        "'projects/no-such-project' was not found",
      ),
    });
  });

  it('lists the machine types of a zone across pages, with a name filter', async () => {
    const { machineTypes } = clients(emu);
    const [all] = await machineTypes.list({
      project: 'gpu-launchpad-demo',
      zone: 'us-central1-b',
      maxResults: 7,
    });
    const names = all.map(m => m.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'a3-ultragpu-8g',
        'e2-standard-8',
        'a4-highgpu-8g',
      ]),
    );
    expect(names).not.toContain('a2-ultragpu-8g');
    expect(
      emu.requests.filter(r => r.endsWith('/zones/us-central1-b/machineTypes'))
        .length,
    ).toBeGreaterThan(1);
    const [filtered] = await machineTypes.list({
      project: 'gpu-launchpad-demo',
      zone: 'us-central1-b',
      filter: 'name = "g2-standard-8"',
    });
    expect(filtered.map(m => m.name)).toEqual(['g2-standard-8']);
    await expect(
      machineTypes.list({
        project: 'gpu-launchpad-demo',
        zone: 'us-central1-b',
        filter: 'guestCpus > 8 OR (',
      }),
    ).rejects.toMatchObject({ code: 3 });
  });

  it('reports regional GPU quota, short in demo-short-quota', async () => {
    const { regions } = clients(emu);
    const [region] = await regions.get({
      project: 'demo-short-quota',
      region: 'us-central1',
    });
    expect(region.quotas).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          metric: 'PREEMPTIBLE_NVIDIA_H200_GPUS',
          limit: 8,
          usage: 4,
        }),
        expect.objectContaining({ metric: 'NVIDIA_H100_GPUS', limit: 8 }),
      ]),
    );
    const [ample] = await regions.get({
      project: 'gpu-launchpad-demo',
      region: 'us-central1',
    });
    expect(
      ample.quotas?.find(q => q.metric === 'PREEMPTIBLE_NVIDIA_H200_GPUS'),
    ).toMatchObject({ limit: 1024, usage: 0 });
    await expect(
      regions.get({ project: 'gpu-launchpad-demo', region: 'mars-north1' }),
    ).rejects.toMatchObject({ code: 5 });
  });

  it('refuses Compute calls while the Compute Engine API is disabled, naming where to enable it', async () => {
    emu.projects.add({
      projectId: 'fresh-project',
      enabledServices: ['serviceusage.googleapis.com'],
    });
    const { regions } = clients(emu);
    await expect(
      regions.get({ project: 'fresh-project', region: 'us-central1' }),
    ).rejects.toMatchObject({
      code: 7,
      message: expect.stringContaining(
        'Compute Engine API has not been used in project',
      ),
    });
  });

  it('lists enabled and disabled services and batch-gets them by name', async () => {
    emu.projects.add({
      projectId: 'fresh-project',
      enabledServices: [
        'serviceusage.googleapis.com',
        'compute.googleapis.com',
      ],
    });
    const { serviceUsage } = clients(emu);
    const [enabled] = await serviceUsage.listServices({
      parent: 'projects/fresh-project',
      filter: 'state:ENABLED',
    });
    expect(enabled.map(s => s.config?.name).sort()).toEqual([
      'compute.googleapis.com',
      'serviceusage.googleapis.com',
    ]);
    const [batch] = await serviceUsage.batchGetServices({
      parent: 'projects/fresh-project',
      names: [
        'projects/fresh-project/services/compute.googleapis.com',
        'projects/fresh-project/services/container.googleapis.com',
      ],
    });
    expect(batch.services?.map(s => [s.config?.name, s.state])).toEqual([
      ['compute.googleapis.com', 'ENABLED'],
      ['container.googleapis.com', 'DISABLED'],
    ]);
    await expect(
      serviceUsage.listServices({
        parent: 'projects/fresh-project',
        filter: 'name:compute',
      }),
    ).rejects.toMatchObject({
      code: invalidArgument,
      message: expect.stringContaining('Invalid filter: name:compute'),
    });
    await expect(
      serviceUsage.batchGetServices({
        parent: 'projects/fresh-project',
        names: Array.from(
          { length: 31 },
          (_, i) => `projects/fresh-project/services/s${i}.googleapis.com`,
        ),
      }),
    ).rejects.toMatchObject({
      code: invalidArgument,
      message: expect.stringContaining('a maximum of 30 services'),
    });
    await expect(
      serviceUsage.listServices({ parent: 'projects/no-such-project' }),
    ).rejects.toMatchObject({
      code: permissionDenied,
      message: expect.stringContaining(
        'Permission denied to list services for consumer container [projects/no-such-project]',
      ),
    });
  });

  it('answers testIamPermissions with the permissions the caller holds, refusing wildcards and unknown projects', async () => {
    emu.projects.add({
      projectId: 'locked-project',
      deniedPermissions: ['container.clusters.create'],
    });
    const { projects } = clients(emu);
    const [held] = await projects.testIamPermissions({
      resource: 'projects/locked-project',
      permissions: ['container.clusters.create', 'compute.networks.create'],
    });
    expect(held.permissions).toEqual(['compute.networks.create']);
    await expect(
      projects.testIamPermissions({
        resource: 'projects/locked-project',
        permissions: ['storage.*'],
      }),
    ).rejects.toMatchObject({
      code: invalidArgument,
      message: expect.stringContaining('wildcards'),
    });
    await expect(
      projects.testIamPermissions({
        resource: 'projects/no-such-project',
        permissions: ['compute.networks.create'],
      }),
    ).rejects.toMatchObject({
      code: permissionDenied,
      message: expect.stringContaining('The caller does not have permission'),
    });
  });

  it('refuses a request without the emulators token', async () => {
    const { regions } = clients(emu, 'wrong-token');
    await expect(
      regions.get({ project: 'gpu-launchpad-demo', region: 'us-central1' }),
    ).rejects.toMatchObject({ code: 16 });
  });
});
