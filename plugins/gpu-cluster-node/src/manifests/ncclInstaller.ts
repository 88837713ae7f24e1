import {
  DEFAULT_NCCL_GIB_IMAGE,
  findAccelerator,
  poolUsesRdma,
  resolveNodePools,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { object } from './meta';
import type { KubeObject } from './types';

/** Host paths the installer fills and GPU pods mount. */
export const GIB_HOST_PATH = '/home/kubernetes/bin/gib';
export const NVIDIA_LIB_HOST_PATH = '/home/kubernetes/bin/nvidia/lib64';
/** Pinned images of the installer's helper containers. */
export const SYSCTL_IMAGE = 'alpine:3.20';
export const PAUSE_IMAGE =
  'gke.gcr.io/pause:3.8@sha256:880e63f94b145e46f1b1082bb71b85e21f16b99b180b9996407d61240ceb9830';

/**
 * The NCCL GPUDirect-RDMA (gIB) installer DaemonSet for A3 Ultra / A4 nodes. It mirrors the
 * structure of Google's `gpudirect-rdma/nccl-rdma-installer.yaml` (GoogleCloudPlatform/
 * container-engine-accelerators) and Cluster Toolkit's nccl-installer, rendered from the spec:
 * node affinity on the spec's RDMA GPU types, one martian-log sysctl per RDMA NIC, and the gIB
 * plugin image pinned to {@link DEFAULT_NCCL_GIB_IMAGE}.
 */
export function renderNcclRdmaInstaller(spec: GpuStackSpec): KubeObject[] {
  const rdmaPools = resolveNodePools(spec).filter(p => p.rdma);
  if (rdmaPools.length === 0 || !spec.nodePools.some(poolUsesRdma)) return [];
  const gpuTypes = [...new Set(rdmaPools.map(p => p.gpuType))].sort();
  const nics = Math.max(
    ...rdmaPools.map(p => findAccelerator(p.machineType)?.rdmaNics ?? 0),
  );
  const sysctls = Array.from(
    { length: nics },
    (_, n) => `sysctl -w net.ipv4.conf.gpu${n}rdma0.log_martians=0`,
  ).join('\n');
  const labels = { 'k8s-app': 'nccl-rdma-installer' };
  return [
    object(
      spec,
      'nccl-rdma-installer',
      'apps/v1',
      'DaemonSet',
      { name: 'nccl-rdma-installer', namespace: 'kube-system', labels },
      {
        spec: {
          selector: { matchLabels: labels },
          updateStrategy: { type: 'RollingUpdate' },
          template: {
            metadata: { labels: { ...labels, name: 'nccl-rdma-installer' } },
            spec: {
              priorityClassName: 'system-node-critical',
              affinity: {
                nodeAffinity: {
                  requiredDuringSchedulingIgnoredDuringExecution: {
                    nodeSelectorTerms: [
                      {
                        matchExpressions: [
                          {
                            key: 'cloud.google.com/gke-accelerator',
                            operator: 'In',
                            values: gpuTypes,
                          },
                        ],
                      },
                    ],
                  },
                },
              },
              tolerations: [{ operator: 'Exists' }],
              hostNetwork: true,
              hostPID: true,
              volumes: [
                {
                  name: 'library-dir-host',
                  hostPath: {
                    path: NVIDIA_LIB_HOST_PATH,
                    type: 'DirectoryOrCreate',
                  },
                },
                { name: 'gib', hostPath: { path: GIB_HOST_PATH } },
              ],
              initContainers: [
                {
                  // RDMA NICs route asymmetrically; martian logging would flood the kernel log.
                  name: 'disable-log-martian',
                  image: SYSCTL_IMAGE,
                  command: ['/bin/sh', '-c'],
                  args: [sysctls],
                  securityContext: { privileged: true },
                },
                {
                  name: 'nccl-rdma-installer',
                  image: DEFAULT_NCCL_GIB_IMAGE,
                  command: ['/bin/sh', '-c'],
                  args: [
                    [
                      'set -ex',
                      '/scripts/container_entry.sh install --install-nccl',
                      'cp -r /var/lib/gib/lib64/. /usr/local/home/kubernetes/bin/nvidia/lib64',
                      'cp -r /var/lib/gib/. /usr/local/home/kubernetes/bin/gib',
                      'echo "installation finishes"',
                    ].join('\n'),
                  ],
                  resources: { requests: { cpu: '150m' } },
                  securityContext: { privileged: true },
                  volumeMounts: [
                    {
                      name: 'library-dir-host',
                      mountPath: '/usr/local/home/kubernetes/bin/nvidia/lib64',
                    },
                    {
                      name: 'gib',
                      mountPath: '/usr/local/home/kubernetes/bin/gib',
                    },
                  ],
                },
              ],
              containers: [{ name: 'pause', image: PAUSE_IMAGE }],
            },
          },
        },
      },
    ),
  ];
}
