import {
  computeClassName,
  poolUsesRdma,
  type GpuNodePoolSpec,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { GIB_HOST_PATH } from './ncclInstaller';
import { podNetworkAnnotations } from './networks';

/** Scheduling of a GPU pod onto a pool: node selector and tolerations. */
export function gpuPodPlacement(pool: GpuNodePoolSpec) {
  const tolerations: Array<Record<string, string>> = [
    { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
  ];
  let nodeSelector: Record<string, string>;
  if (pool.provisioning.mode === 'compute-class') {
    const cc = computeClassName(pool);
    nodeSelector = { 'cloud.google.com/compute-class': cc };
    tolerations.push({
      key: 'cloud.google.com/compute-class',
      operator: 'Equal',
      value: cc,
      effect: 'NoSchedule',
    });
  } else {
    nodeSelector = { 'cloud.google.com/gke-nodepool': pool.name };
  }
  if (pool.provisioning.mode === 'queued-provisioning') {
    tolerations.push({
      key: 'cloud.google.com/gke-queued',
      operator: 'Equal',
      value: 'true',
      effect: 'NoSchedule',
    });
  }
  return { nodeSelector, tolerations };
}

/** Annotations, env, volumes and mounts that give a GPU pod the RDMA fabric and NCCL gIB. */
export function rdmaPodParts(spec: GpuStackSpec, pool: GpuNodePoolSpec) {
  if (!poolUsesRdma(pool)) {
    return {
      annotations: {},
      env: [],
      volumes: [],
      volumeMounts: [],
      ncclSetup: '',
    };
  }
  return {
    annotations: podNetworkAnnotations(spec),
    env: [
      { name: 'NCCL_NET', value: 'gIB' },
      {
        name: 'LD_LIBRARY_PATH',
        value: '/usr/local/gib/lib64:/usr/local/nvidia/lib64',
      },
    ],
    volumes: [
      { name: 'gib', hostPath: { path: GIB_HOST_PATH } },
      { name: 'dshm', emptyDir: { medium: 'Memory' } },
    ],
    volumeMounts: [
      { name: 'gib', mountPath: '/usr/local/gib' },
      { name: 'dshm', mountPath: '/dev/shm' },
    ],
    // The gIB plugin's script sets the NCCL tuning for the machine's fabric.
    ncclSetup: 'source /usr/local/gib/scripts/set_nccl_env.sh',
  };
}
