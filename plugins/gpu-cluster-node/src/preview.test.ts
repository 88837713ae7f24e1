import { assertGpuStackSpec } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { previewStack } from './preview';

const identity = {
  projectId: 'ml-research-1',
  namePrefix: 'research',
  owner: 'group:default/ml',
};

describe('previewStack', () => {
  it('summarises the default stack: RDMA networks, the DWS queued pool, quota, queues and GCS state', () => {
    const preview = previewStack(assertGpuStackSpec({ identity }), {
      stateBackend: 'gcs',
    });
    expect(preview.cluster).toEqual({
      name: 'research-gke',
      location: 'us-central1',
      projectId: 'ml-research-1',
      region: 'us-central1',
      zones: ['us-central1-b'],
    });
    expect(preview.gpus).toMatchObject({ maxNodes: 4, maxGpus: 32 });
    expect(preview.gpus.nodePools).toEqual([
      expect.objectContaining({
        name: 'h200-dws',
        machineType: 'a3-ultragpu-8g',
        gpuType: 'nvidia-h200-141gb',
        gpusPerNode: 8,
        maxNodes: 4,
        maxGpus: 32,
        mode: 'queued-provisioning',
        rdma: true,
      }),
    ]);
    expect(preview.quota).toEqual([
      {
        region: 'us-central1',
        metric: 'PREEMPTIBLE_NVIDIA_H200_GPUS',
        pool: 'preemptible',
        gpus: 32,
        nodePools: ['h200-dws'],
      },
    ]);
    expect(preview.modes).toHaveLength(1);
    expect(preview.modes[0].consequences.join(' ')).toMatch(
      /up to days.*billed only from the moment nodes are provisioned/s,
    );
    expect(preview.cloudResources.map(r => `${r.kind} ${r.name}`)).toEqual(
      expect.arrayContaining([
        'VPC network research-net',
        'RDMA VPC network research-rdma-net',
        'GKE cluster research-gke',
        'GPU node pool h200-dws',
        'Cloud Storage bucket ml-research-1-research-data',
      ]),
    );
    expect(preview.kubernetesObjects).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'ClusterQueue',
          name: 'dws-cluster-queue',
        }),
        expect.objectContaining({ kind: 'RayCluster', name: 'ray' }),
      ]),
    );
    expect(preview.kueueVersion).toBe('v0.19.2');
    expect(preview.state).toMatchObject({
      backend: 'gcs',
      location:
        'gs://aiinfra-terraform-ml-research-1/research-deployment/terraform/state',
    });
    expect(preview.warnings).toEqual([]);
  });

  it('says Spot can be preempted, draws on preemptible L4 quota, and has no RDMA network', () => {
    const preview = previewStack(
      assertGpuStackSpec({
        identity,
        nodePools: [
          {
            name: 'l4-spot',
            machineType: 'g2-standard-8',
            maxNodes: 8,
            provisioning: { mode: 'spot' },
          },
        ],
      }),
      { stateBackend: 'local' },
    );
    expect(preview.gpus).toMatchObject({ maxNodes: 8, maxGpus: 8 });
    expect(preview.quota.map(q => [q.metric, q.gpus])).toEqual([
      ['PREEMPTIBLE_NVIDIA_L4_GPUS', 8],
    ]);
    expect(preview.modes[0].consequences.join(' ')).toMatch(/preempted/);
    expect(preview.cloudResources.map(r => r.kind)).not.toContain(
      'RDMA VPC network',
    );
    expect(preview.state.backend).toBe('local');
  });

  it('warns about a zone the catalog does not know for the machine type', () => {
    const preview = previewStack(
      assertGpuStackSpec({
        identity: { ...identity, zones: ['us-central1-b'] },
        nodePools: [
          {
            name: 'a100',
            machineType: 'a2-ultragpu-8g',
            provisioning: { mode: 'on-demand' },
          },
        ],
      }),
      { stateBackend: 'gcs' },
    );
    expect(preview.warnings).toEqual([
      expect.stringMatching(/a2-ultragpu-8g is not offered in us-central1-b/),
    ]);
    expect(preview.quota.map(q => q.metric)).toEqual(['NVIDIA_A100_80GB_GPUS']);
  });
});
