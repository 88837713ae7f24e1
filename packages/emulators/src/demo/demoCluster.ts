import type { Clock } from '../clock';
import type { KubeClient } from '../kube/KubeClient';
import { condition, gpuNode, PROVREQ } from '../kube/objects';
import { FIXTURE_ANNOTATION, rayHeadObjects } from '../scenarios/controllers';
import { DEMO } from './names';
import {
  DEMO_GVNIC_NETWORK,
  DEMO_GVNIC_SUBNETWORK,
  DEMO_RDMA_NETWORK,
  demoRdmaSubnetwork,
} from '../gke/demo';

const KUEUE = 'kueue.x-k8s.io/v1beta2';
const fixture = { [FIXTURE_ANNOTATION]: 'true' };
const ago = (clock: Clock, minutes: number) =>
  new Date(clock.now() - minutes * 60_000)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');

const trainerTemplate = {
  metadata: {
    annotations: {
      'networking.gke.io/default-interface': 'eth0',
      'networking.gke.io/interfaces': JSON.stringify([
        { interfaceName: 'eth0', network: 'default' },
        { interfaceName: 'eth1', network: DEMO.gvnicNetwork },
        ...DEMO.rdmaNetworks.map((network, i) => ({
          interfaceName: `eth${i + 2}`,
          network,
        })),
      ]),
    },
  },
  spec: {
    nodeSelector: { 'cloud.google.com/gke-nodepool': DEMO.nodePool },
    tolerations: [
      {
        key: 'cloud.google.com/gke-queued',
        operator: 'Equal',
        value: 'true',
        effect: 'NoSchedule',
      },
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
    ],
    containers: [
      {
        name: 'trainer',
        image: 'nvcr.io/nvidia/pytorch:25.01-py3',
        resources: {
          limits: { 'nvidia.com/gpu': '8' },
          requests: { 'nvidia.com/gpu': '8' },
        },
      },
    ],
    restartPolicy: 'Never',
  },
};

/** All objects of the demo cluster, in creation order (CRD objects are schema-valid). */
export function demoClusterObjects(clock: Clock): Record<string, any>[] {
  const t = (m: number) => ago(clock, m);
  const objects: Record<string, any>[] = [];
  const add = (o: Record<string, any>) => objects.push(o);

  add({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: DEMO.rayNamespace,
      labels: { 'kubernetes.io/metadata.name': DEMO.rayNamespace },
    },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  });

  // Multi-networking: GKENetworkParamSet + Network per additional node network of the GKE demo
  // pool (src/gke/demo.ts), as the stack renders them: gvnic-1 NetDevice, rdma-N RDMA, Device.
  const networks = [
    {
      name: DEMO.gvnicNetwork,
      deviceMode: 'NetDevice',
      vpc: DEMO_GVNIC_NETWORK,
      subnet: DEMO_GVNIC_SUBNETWORK,
    },
    ...DEMO.rdmaNetworks.map((name, i) => ({
      name,
      deviceMode: 'RDMA',
      vpc: DEMO_RDMA_NETWORK,
      subnet: demoRdmaSubnetwork(i),
    })),
  ];
  for (const { name, deviceMode, vpc, subnet } of networks) {
    add({
      apiVersion: 'networking.gke.io/v1',
      kind: 'GKENetworkParamSet',
      metadata: { name, annotations: fixture },
      spec: { vpc, vpcSubnet: subnet, deviceMode },
      status: {
        conditions: [
          condition(
            'Ready',
            'True',
            'GNPReady',
            'GKENetworkParamSet is ready',
            t(120),
          ),
        ],
        networkName: name,
      },
    });
    add({
      apiVersion: 'networking.gke.io/v1',
      kind: 'Network',
      metadata: { name, annotations: fixture },
      spec: {
        type: 'Device',
        parametersRef: {
          group: 'networking.gke.io',
          kind: 'GKENetworkParamSet',
          name,
        },
      },
      status: {
        conditions: [
          condition(
            'Ready',
            'True',
            'NetworkReady',
            'Network is ready',
            t(120),
          ),
        ],
      },
    });
  }

  add({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: {
      name: 'nccl-rdma-installer',
      namespace: 'kube-system',
      labels: { 'k8s-app': 'nccl-rdma-installer' },
      annotations: fixture,
    },
    spec: {
      selector: { matchLabels: { name: 'nccl-rdma-installer' } },
      template: {
        metadata: { labels: { name: 'nccl-rdma-installer' } },
        spec: {
          priorityClassName: 'system-node-critical',
          hostNetwork: true,
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  {
                    matchExpressions: [
                      {
                        key: 'cloud.google.com/gke-accelerator',
                        operator: 'In',
                        values: [DEMO.accelerator],
                      },
                    ],
                  },
                ],
              },
            },
          },
          tolerations: [{ operator: 'Exists' }],
          initContainers: [
            {
              name: 'nccl-rdma-installer',
              image:
                'us-docker.pkg.dev/gce-ai-infra/gpudirect-gib/nccl-plugin-gib:v1.0.6',
              securityContext: { privileged: true },
            },
          ],
          containers: [
            {
              name: 'pause',
              image:
                'gke.gcr.io/pause:3.8@sha256:880e63f94b145e46f1b1082bb71b85e21f16b99b180b9996407d61240ceb9830',
            },
          ],
        },
      },
    },
    status: {
      desiredNumberScheduled: 2,
      currentNumberScheduled: 2,
      numberReady: 2,
      numberAvailable: 2,
      updatedNumberScheduled: 2,
      numberMisscheduled: 0,
      observedGeneration: 1,
    },
  });

  // Kueue: flavor, DWS admission check, queues.
  add({
    apiVersion: KUEUE,
    kind: 'ResourceFlavor',
    metadata: { name: DEMO.resourceFlavor, annotations: fixture },
    spec: {
      nodeLabels: { 'cloud.google.com/gke-accelerator': DEMO.accelerator },
      // Kueue adds these to every admitted pod set: the GPU taint and the queued pool's taint.
      tolerations: [
        { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
        {
          key: 'cloud.google.com/gke-queued',
          operator: 'Equal',
          value: 'true',
          effect: 'NoSchedule',
        },
      ],
    },
  });
  add({
    apiVersion: KUEUE,
    kind: 'ProvisioningRequestConfig',
    metadata: { name: DEMO.provisioningRequestConfig, annotations: fixture },
    spec: {
      provisioningClassName: 'queued-provisioning.gke.io',
      managedResources: ['nvidia.com/gpu'],
      podSetUpdates: {
        nodeSelector: [
          {
            key: 'autoscaling.gke.io/provisioning-request',
            valueFromProvisioningClassDetail: 'ResizeRequestName',
          },
        ],
      },
    },
  });
  add({
    apiVersion: KUEUE,
    kind: 'AdmissionCheck',
    metadata: { name: DEMO.admissionCheck, annotations: fixture },
    spec: {
      controllerName: 'kueue.x-k8s.io/provisioning-request',
      parameters: {
        apiGroup: 'kueue.x-k8s.io',
        kind: 'ProvisioningRequestConfig',
        name: DEMO.provisioningRequestConfig,
      },
    },
    status: {
      conditions: [
        condition(
          'Active',
          'True',
          'Active',
          'The admission check is active',
          t(110),
        ),
      ],
    },
  });
  add({
    apiVersion: KUEUE,
    kind: 'ClusterQueue',
    metadata: { name: DEMO.clusterQueue, annotations: fixture },
    spec: {
      namespaceSelector: {},
      resourceGroups: [
        {
          coveredResources: ['nvidia.com/gpu'],
          flavors: [
            {
              name: DEMO.resourceFlavor,
              resources: [{ name: 'nvidia.com/gpu', nominalQuota: 1000000000 }],
            },
          ],
        },
      ],
      admissionChecksStrategy: {
        admissionChecks: [{ name: DEMO.admissionCheck }],
      },
    },
    status: {
      conditions: [
        condition('Active', 'True', 'Ready', 'Can admit new workloads', t(110)),
      ],
      pendingWorkloads: 1,
      reservingWorkloads: 2,
      admittedWorkloads: 1,
      flavorsReservation: [
        {
          name: DEMO.resourceFlavor,
          resources: [{ name: 'nvidia.com/gpu', total: '16', borrowed: '0' }],
        },
      ],
      flavorsUsage: [
        {
          name: DEMO.resourceFlavor,
          resources: [{ name: 'nvidia.com/gpu', total: '8', borrowed: '0' }],
        },
      ],
    },
  });
  add({
    apiVersion: KUEUE,
    kind: 'LocalQueue',
    metadata: {
      name: DEMO.localQueue,
      namespace: DEMO.queueNamespace,
      annotations: fixture,
    },
    spec: { clusterQueue: DEMO.clusterQueue },
    status: {
      conditions: [
        condition(
          'Active',
          'True',
          'Ready',
          'Can submit new workloads to localQueue',
          t(110),
        ),
      ],
      pendingWorkloads: 1,
      reservingWorkloads: 2,
      admittedWorkloads: 1,
    },
  });

  // Two DWS jobs: one waiting for capacity, one provisioned and running.
  const jobs = [
    { name: 'llama-finetune-waiting', waiting: true, minutes: 45 },
    { name: 'nccl-allreduce-test', waiting: false, minutes: 20 },
  ];
  for (const job of jobs) {
    const wl = `job-${job.name}-demo1`;
    const pr = `${wl}-${DEMO.admissionCheck}-1`;
    add({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: job.name,
        namespace: DEMO.queueNamespace,
        labels: { 'kueue.x-k8s.io/queue-name': DEMO.localQueue },
        annotations: {
          ...fixture,
          'provreq.kueue.x-k8s.io/maxRunDurationSeconds': '86400',
        },
      },
      spec: {
        parallelism: 1,
        completions: 1,
        suspend: job.waiting,
        template: trainerTemplate,
      },
      status: job.waiting
        ? {}
        : { startTime: t(job.minutes - 5), active: 1, ready: 1 },
    });
    add({
      apiVersion: KUEUE,
      kind: 'Workload',
      metadata: {
        name: wl,
        namespace: DEMO.queueNamespace,
        labels: { 'kueue.x-k8s.io/job-uid': `demo-${job.name}` },
        annotations: fixture,
      },
      spec: {
        queueName: DEMO.localQueue,
        active: true,
        priority: 0,
        podSets: [{ name: 'main', count: 1, template: trainerTemplate }],
      },
      status: {
        admission: {
          clusterQueue: DEMO.clusterQueue,
          podSetAssignments: [
            {
              name: 'main',
              count: 1,
              flavors: { 'nvidia.com/gpu': DEMO.resourceFlavor },
              resourceUsage: { 'nvidia.com/gpu': '8' },
            },
          ],
        },
        admissionChecks: [
          job.waiting
            ? {
                name: DEMO.admissionCheck,
                state: 'Pending',
                message: PROVREQ.waiting[1],
                lastTransitionTime: t(job.minutes - 1),
              }
            : {
                name: DEMO.admissionCheck,
                state: 'Ready',
                message: PROVREQ.provisioned[1],
                lastTransitionTime: t(job.minutes - 5),
                podSetUpdates: [
                  {
                    name: 'main',
                    annotations: {
                      'cluster-autoscaler.kubernetes.io/consume-provisioning-request':
                        pr,
                      'cluster-autoscaler.kubernetes.io/provisioning-class-name':
                        'queued-provisioning.gke.io',
                    },
                  },
                ],
              },
        ],
        conditions: [
          condition(
            'QuotaReserved',
            'True',
            'QuotaReserved',
            `Quota reserved in ClusterQueue ${DEMO.clusterQueue}`,
            t(job.minutes),
          ),
          job.waiting
            ? condition(
                'Admitted',
                'False',
                'UnsatisfiedAdmissionChecks',
                'The workload has not all admission checks ready',
                t(job.minutes),
              )
            : condition(
                'Admitted',
                'True',
                'Admitted',
                'The workload is admitted',
                t(job.minutes - 5),
              ),
        ],
      },
    });
    add({
      apiVersion: 'v1',
      kind: 'PodTemplate',
      metadata: {
        name: `ppt-${pr}-main`,
        namespace: DEMO.queueNamespace,
        annotations: fixture,
      },
      template: trainerTemplate,
    });
    add({
      apiVersion: 'autoscaling.x-k8s.io/v1',
      kind: 'ProvisioningRequest',
      metadata: {
        name: pr,
        namespace: DEMO.queueNamespace,
        annotations: fixture,
      },
      spec: {
        provisioningClassName: 'queued-provisioning.gke.io',
        podSets: [{ podTemplateRef: { name: `ppt-${pr}-main` }, count: 1 }],
        parameters: { maxRunDurationSeconds: '86400' },
      },
      status: {
        conditions: job.waiting
          ? [
              condition(
                'Accepted',
                'True',
                ...PROVREQ.accepted,
                t(job.minutes - 1),
              ),
              condition(
                'Provisioned',
                'False',
                ...PROVREQ.waiting,
                t(job.minutes - 1),
              ),
            ]
          : [
              condition(
                'Accepted',
                'True',
                ...PROVREQ.accepted,
                t(job.minutes - 1),
              ),
              condition(
                'Provisioned',
                'True',
                ...PROVREQ.provisioned,
                t(job.minutes - 5),
              ),
            ],
        ...(job.waiting
          ? {}
          : {
              provisioningClassDetails: {
                NodePoolName: DEMO.nodePool,
                SelectedZone: DEMO.zone,
                AcceleratorType: DEMO.accelerator,
              },
            }),
      },
    });
  }
  // GPU nodes of the provisioned request.
  for (const suffix of ['k7p2', 'q9x4']) {
    add({
      ...gpuNode(`gke-${DEMO.cluster}-${DEMO.nodePool}-${suffix}`, t(16)),
      metadata: {
        ...gpuNode(`gke-${DEMO.cluster}-${DEMO.nodePool}-${suffix}`, t(16))
          .metadata,
        annotations: fixture,
      },
    });
  }

  // Ray: a ready cluster with its head service, and a running RayJob on it.
  const rayCluster = {
    apiVersion: 'ray.io/v1',
    kind: 'RayCluster',
    metadata: {
      name: DEMO.rayCluster,
      namespace: DEMO.rayNamespace,
      annotations: fixture,
    },
    spec: {
      rayVersion: '2.49.0',
      headGroupSpec: {
        rayStartParams: { 'dashboard-host': '0.0.0.0' },
        template: {
          spec: {
            containers: [
              {
                name: 'ray-head',
                image: 'rayproject/ray:2.49.0-gpu',
                ports: [
                  { containerPort: 8265, name: 'dashboard' },
                  { containerPort: 10001, name: 'client' },
                ],
              },
            ],
          },
        },
      },
      workerGroupSpecs: [
        {
          groupName: 'h200',
          replicas: 1,
          minReplicas: 0,
          maxReplicas: 2,
          rayStartParams: {},
          template: trainerTemplate,
        },
      ],
    },
  };
  const head = rayHeadObjects(
    DEMO.rayCluster,
    DEMO.rayNamespace,
    `${DEMO.rayCluster}-head-svc`,
    `${DEMO.rayCluster}-head-x7k2p`,
    rayCluster,
    t(60),
  );
  add({
    ...rayCluster,
    status: {
      ...head.status,
      desiredWorkerReplicas: 1,
      readyWorkerReplicas: 1,
      availableWorkerReplicas: 1,
      minWorkerReplicas: 0,
      maxWorkerReplicas: 2,
      desiredGPU: '8',
      observedGeneration: 1,
    },
  });
  add(head.service);
  add(head.pod);
  add({
    apiVersion: 'ray.io/v1',
    kind: 'RayJob',
    metadata: {
      name: DEMO.rayJob,
      namespace: DEMO.rayNamespace,
      annotations: fixture,
    },
    spec: {
      entrypoint:
        'python -c "import ray; ray.init(); print(ray.cluster_resources())"',
      clusterSelector: { 'ray.io/cluster': DEMO.rayCluster },
    },
    status: {
      jobDeploymentStatus: 'Running',
      jobStatus: 'RUNNING',
      jobId: `${DEMO.rayJob}-8k2mq`,
      rayClusterName: DEMO.rayCluster,
      dashboardURL: `${DEMO.rayCluster}-head-svc.${DEMO.rayNamespace}.svc.cluster.local:8265`,
      startTime: t(10),
      observedGeneration: 1,
    },
  });
  return objects;
}

/** Loads the demo cluster into the emulator's store. */
export function loadDemoCluster(client: KubeClient, clock: Clock) {
  for (const obj of demoClusterObjects(clock)) client.upsert(obj);
}
