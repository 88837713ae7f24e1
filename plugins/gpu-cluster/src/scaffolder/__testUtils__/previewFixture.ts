import {
  PROVISIONING_MODE_CONSEQUENCES,
  type StackPreview,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';

/** A preview as the backend answers it for the default stack (prefix `research`). */
export const previewFixture: StackPreview = {
  cluster: {
    name: 'research-gke',
    location: 'us-central1',
    projectId: 'ml-research-1',
    region: 'us-central1',
    zones: ['us-central1-b'],
  },
  gpus: {
    maxNodes: 4,
    maxGpus: 32,
    nodePools: [
      {
        name: 'h200-dws',
        machineType: 'a3-ultragpu-8g',
        gpuType: 'nvidia-h200-141gb',
        gpusPerNode: 8,
        minNodes: 0,
        maxNodes: 4,
        maxGpus: 32,
        zones: ['us-central1-b'],
        mode: 'queued-provisioning',
        rdma: true,
      },
    ],
  },
  quota: [
    {
      region: 'us-central1',
      metric: 'PREEMPTIBLE_NVIDIA_H200_GPUS',
      pool: 'preemptible',
      gpus: 32,
      nodePools: ['h200-dws'],
    },
  ],
  modes: [
    {
      mode: 'queued-provisioning',
      nodePools: ['h200-dws'],
      consequences: [...PROVISIONING_MODE_CONSEQUENCES['queued-provisioning']],
    },
  ],
  cloudResources: [
    {
      kind: 'VPC network',
      name: 'research-net',
      detail: 'subnet research-sub',
    },
    { kind: 'GKE cluster', name: 'research-gke', detail: 'private' },
    { kind: 'GPU node pool', name: 'h200-dws' },
  ],
  kubernetesObjects: [
    {
      file: '50-kueue-queues.yaml',
      kind: 'ClusterQueue',
      name: 'dws-cluster-queue',
    },
    {
      file: '60-ray-cluster.yaml',
      kind: 'RayCluster',
      name: 'ray',
      namespace: 'default',
    },
  ],
  kueueVersion: 'v0.19.2',
  state: {
    backend: 'gcs',
    location:
      'gs://aiinfra-terraform-ml-research-1/research-deployment/terraform/state',
    explanation: 'Terraform keeps its record of the stack here.',
  },
  warnings: [],
};
