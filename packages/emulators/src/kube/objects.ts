import { DEMO } from '../demo/names';

/** Builders for the objects fixtures and scenarios create (shapes as GKE, Kueue and KubeRay write them). */

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export const condition = (
  type: string,
  status: Condition['status'],
  reason: string,
  message: string,
  time: string,
): Condition => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: time,
});

/** Replaces the condition of the same type (keeping its transition time when the status is unchanged). */
export function setCondition<
  C extends Pick<Condition, 'type' | 'status' | 'lastTransitionTime'>,
>(conditions: C[] | undefined, next: C): C[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex(c => c.type === next.type);
  if (index < 0) return [...list, next];
  const previous = list[index];
  list[index] =
    previous.status === next.status
      ? { ...next, lastTransitionTime: previous.lastTransitionTime }
      : next;
  return list;
}

/** ProvisioningRequest messages GKE's cluster autoscaler writes (research/user-needs.md §1). */
export const PROVREQ = {
  accepted: [
    'SuccessfullyQueued',
    'Provisioning Request was successfully queued.',
  ],
  waiting: [
    'ResourcePoolExhausted',
    'Waiting for resources. Currently there are not enough resources available to fulfill the request.',
  ],
  provisioned: [
    'Provisioned',
    'Provisioning Request was successfully provisioned.',
  ],
  bookingExpired: [
    'BookingExpired',
    'Capacity booking for the Provisioning Request has expired and the nodes are now candidates for scale down when underutilized.',
  ],
  capacityRevoked: [
    'CapacityRevoked',
    'Capacity provisioned for the Provisioning Request was reclaimed and is no longer available in the cluster.',
  ],
  failedResourcePool: [
    'ResourcePoolExhausted',
    "Provisioning Request could not provision queued instances in the allocated time. The remaining received errors: [ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS: The zone 'projects/gpu-launchpad-demo/zones/us-central1-b' does not have enough resources available to fulfill the request. Expected time is indefinite.]",
  ],
} as const;

export function gpuNode(
  name: string,
  time: string,
  extraLabels: Record<string, string> = {},
) {
  const rdma = Object.fromEntries(
    DEMO.rdmaNetworks.flatMap(n => [
      [`networking.gke.io.networks/${n}`, '1'],
      [`networking.gke.io.networks/${n}.IP`, '1'],
    ]),
  );
  const capacity = {
    cpu: '224',
    memory: '2952435960Ki',
    'ephemeral-storage': '101430960Ki',
    pods: '110',
    'nvidia.com/gpu': String(DEMO.gpusPerNode),
    ...rdma,
  };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node.kubernetes.io/instance-type': DEMO.machineType,
        'topology.kubernetes.io/region': DEMO.region,
        'topology.kubernetes.io/zone': DEMO.zone,
        'cloud.google.com/gke-nodepool': DEMO.nodePool,
        'cloud.google.com/gke-accelerator': DEMO.accelerator,
        'cloud.google.com/gke-accelerator-count': String(DEMO.gpusPerNode),
        'cloud.google.com/gke-gpu-driver-version': 'latest',
        'cloud.google.com/gke-flex-start': 'true',
        'cloud.google.com/gke-queued': 'true',
        'cloud.google.com/gke-provisioning': 'flex-start',
        'cloud.google.com/machine-family': 'a3',
        ...extraLabels,
      },
    },
    spec: {
      providerID: `gce://${DEMO.project}/${DEMO.zone}/${name}`,
      taints: [
        { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' },
        {
          key: 'cloud.google.com/gke-queued',
          value: 'true',
          effect: 'NoSchedule',
        },
      ],
    },
    status: {
      capacity,
      allocatable: { ...capacity, cpu: '223', memory: '2942436984Ki' },
      conditions: [
        condition(
          'Ready',
          'True',
          'KubeletReady',
          'kubelet is posting ready status',
          time,
        ),
      ],
      nodeInfo: {
        kubeletVersion: 'v1.32.4-gke.1106000',
        containerRuntimeVersion: 'containerd://1.7.24',
        osImage: 'Container-Optimized OS from Google',
        architecture: 'amd64',
        operatingSystem: 'linux',
      },
    },
  };
}

/** A pod of a job, placed on `node` once running. */
export function jobPod(
  job: Record<string, any>,
  index: number,
  phase: 'Pending' | 'Running' | 'Succeeded',
  node: string | undefined,
  time: string,
) {
  const ns = job.metadata.namespace;
  const name = `${job.metadata.name}-${index}-${job.metadata.uid.slice(0, 5)}`;
  const template = job.spec?.template ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ns,
      labels: {
        ...(template.metadata?.labels ?? {}),
        'batch.kubernetes.io/job-name': job.metadata.name,
        'job-name': job.metadata.name,
        'batch.kubernetes.io/job-completion-index': String(index),
      },
      annotations: template.metadata?.annotations ?? {},
      ownerReferences: [
        {
          apiVersion: 'batch/v1',
          kind: 'Job',
          name: job.metadata.name,
          uid: job.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      ...(template.spec ?? {
        containers: [{ name: 'main', image: 'busybox' }],
      }),
      ...(node ? { nodeName: node } : {}),
    },
    status: {
      phase,
      ...(phase === 'Pending'
        ? {
            conditions: [
              condition(
                'PodScheduled',
                'False',
                'Unschedulable',
                '0/0 nodes are available: waiting for DWS capacity.',
                time,
              ),
            ],
          }
        : {
            conditions: [
              condition('PodScheduled', 'True', '', '', time),
              condition(
                'Ready',
                phase === 'Running' ? 'True' : 'False',
                phase === 'Running' ? '' : 'PodCompleted',
                '',
                time,
              ),
            ],
            startTime: time,
            podIP: `10.8.0.${10 + index}`,
            hostIP: '10.128.0.20',
          }),
    },
  };
}
