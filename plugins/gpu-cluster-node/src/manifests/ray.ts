import {
  rayAutoscaling,
  rayManagedByKueue,
  rayWorkerGroupSizing,
  stackNames,
  SYSTEM_POOL_NAME,
  trainingBucketMountPath,
  workerGroupPool,
  workerResources,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { filestorePodVolumes } from './filestore';
import { gpuPodPlacement, rdmaPodParts } from './gpuPods';
import { namespaces, object } from './meta';
import type { KubeObject } from './types';

const DASHBOARD_PORT = 8265;

function fuseVolumes(spec: GpuStackSpec) {
  const volumes: Array<Record<string, unknown>> = [];
  const mounts: Array<Record<string, unknown>> = [];
  if (spec.storage.trainingBucket.enabled) {
    volumes.push({
      name: 'training-data',
      csi: {
        driver: 'gcsfuse.csi.storage.gke.io',
        readOnly: false,
        volumeAttributes: {
          bucketName: stackNames(spec).trainingBucket,
          mountOptions: 'implicit-dirs',
        },
      },
    });
    mounts.push({
      name: 'training-data',
      mountPath: trainingBucketMountPath(spec),
    });
  }
  spec.storage.gcsMounts.forEach((m, i) => {
    volumes.push({
      name: `gcs-mount-${i}`,
      csi: {
        driver: 'gcsfuse.csi.storage.gke.io',
        readOnly: m.readOnly,
        volumeAttributes: {
          bucketName: m.bucket,
          mountOptions: 'implicit-dirs',
        },
      },
    });
    mounts.push({
      name: `gcs-mount-${i}`,
      mountPath: m.mountPath,
      readOnly: m.readOnly,
    });
  });
  // The GCS FUSE sidecar is injected only into pods that ask for it.
  const annotations: Record<string, string> = volumes.length
    ? { 'gke-gcsfuse/volumes': 'true' }
    : {};
  return { volumes, mounts, annotations };
}

/**
 * The KubeRay RayCluster (ray.io/v1): head on the system pool, one worker group per spec entry on
 * its GPU pool with the RDMA interfaces, NCCL gIB environment and the GCS FUSE volumes. When a
 * worker group sits on a queued-provisioning pool the RayCluster is admitted through Kueue
 * (queue-name label) and does not autoscale.
 */
export function renderRayCluster(spec: GpuStackSpec): KubeObject[] {
  const ray = spec.ray;
  if (!ray.enabled) return [];
  const fuse = fuseVolumes(spec);
  const nfs = filestorePodVolumes(spec);
  const serviceAccountName = spec.cluster.workloadIdentity
    ? spec.workloadIdentity.kubernetesServiceAccount
    : undefined;
  const autoscaling = rayAutoscaling(spec);
  const viaKueue = rayManagedByKueue(spec);
  const dashboard = ray.dashboard.exposure;

  const headStart: Record<string, string> =
    dashboard === 'none'
      ? { 'include-dashboard': 'false' }
      : { 'dashboard-host': '0.0.0.0' };
  const headResources = { cpu: ray.head.cpu, memory: ray.head.memory };

  const workerGroupSpecs = ray.workerGroups.map((group, g) => {
    const pool = workerGroupPool(spec, g)!;
    const placement = gpuPodPlacement(pool);
    const rdma = rdmaPodParts(spec, pool);
    const sizing = rayWorkerGroupSizing(spec, g)!;
    const gpus = sizing.gpusPerWorker;
    const { cpu, memory } = workerResources(spec, g);
    const limits = { cpu, memory, 'nvidia.com/gpu': String(gpus) };
    const container: Record<string, unknown> = {
      name: 'ray-worker',
      image: ray.image,
      resources: { requests: limits, limits },
      env: rdma.env,
      volumeMounts: [...rdma.volumeMounts, ...fuse.mounts, ...nfs.mounts],
    };
    const annotations: Record<string, string> = {
      ...fuse.annotations,
      ...rdma.annotations,
    };
    if (rdma.ncclSetup) {
      // KubeRay hands its generated `ray start` to us so the NCCL environment is set first.
      annotations['ray.io/overwrite-container-cmd'] = 'true';
      container.command = ['/bin/bash', '-c', '--'];
      container.args = [
        `${rdma.ncclSetup} && eval "$KUBERAY_GEN_RAY_START_CMD"`,
      ];
    }
    return {
      groupName: group.name,
      // Under Kueue the size is fixed (min = max = replicas); otherwise the autoscaler moves it.
      replicas: sizing.replicas,
      minReplicas: sizing.minReplicas,
      maxReplicas: sizing.maxReplicas,
      rayStartParams: {},
      template: {
        metadata: { annotations },
        spec: {
          ...(serviceAccountName ? { serviceAccountName } : {}),
          nodeSelector: placement.nodeSelector,
          tolerations: placement.tolerations,
          containers: [container],
          volumes: [...rdma.volumes, ...fuse.volumes, ...nfs.volumes],
        },
      },
    };
  });

  const labels: Record<string, string> = viaKueue
    ? { 'kueue.x-k8s.io/queue-name': spec.kueue.localQueueName }
    : {};
  const queuedPool = spec.nodePools.find(
    p => p.provisioning.mode === 'queued-provisioning',
  );
  const annotations: Record<string, string> | undefined =
    viaKueue && queuedPool?.provisioning.maxRunDurationSeconds
      ? {
          'provreq.kueue.x-k8s.io/maxRunDurationSeconds': String(
            queuedPool.provisioning.maxRunDurationSeconds,
          ),
        }
      : undefined;

  const rayCluster = object(
    spec,
    'ray',
    'ray.io/v1',
    'RayCluster',
    { name: ray.name, namespace: ray.namespace, labels, annotations },
    {
      spec: {
        rayVersion: ray.rayVersion,
        enableInTreeAutoscaling: autoscaling,
        ...(autoscaling
          ? {
              autoscalerOptions: {
                upscalingMode: 'Default',
                idleTimeoutSeconds: 300,
              },
            }
          : {}),
        headGroupSpec: {
          serviceType: 'ClusterIP',
          rayStartParams: { ...headStart, 'num-gpus': '0' },
          template: {
            metadata: { annotations: fuse.annotations },
            spec: {
              ...(serviceAccountName ? { serviceAccountName } : {}),
              // CPU only: on the system pool, whether or not Kueue admits the RayCluster.
              nodeSelector: {
                'cloud.google.com/gke-nodepool': SYSTEM_POOL_NAME,
              },
              containers: [
                {
                  name: 'ray-head',
                  image: ray.image,
                  ports: [
                    { containerPort: 6379, name: 'gcs-server' },
                    { containerPort: DASHBOARD_PORT, name: 'dashboard' },
                    { containerPort: 10001, name: 'client' },
                    { containerPort: 8080, name: 'metrics' },
                  ],
                  resources: { requests: headResources, limits: headResources },
                  volumeMounts: [...fuse.mounts, ...nfs.mounts],
                },
              ],
              volumes: [...fuse.volumes, ...nfs.volumes],
            },
          },
        },
        workerGroupSpecs,
      },
    },
  );

  return [
    ...namespaces(spec, 'ray', [ray.namespace]),
    rayCluster,
    ...renderDashboardIngress(spec),
  ];
}

/**
 * Authenticated dashboard exposure: the dashboard is a read/write API (kuberay#1413), so it is only
 * ever published behind Identity-Aware Proxy on a GKE Ingress with a managed certificate.
 */
function renderDashboardIngress(spec: GpuStackSpec): KubeObject[] {
  const ray = spec.ray;
  if (ray.dashboard.exposure !== 'authenticated-ingress' || !ray.dashboard.host)
    return [];
  const name = `${ray.name}-dashboard`;
  const ns = ray.namespace;
  return [
    object(
      spec,
      'ray-dashboard',
      'cloud.google.com/v1',
      'BackendConfig',
      { name, namespace: ns },
      {
        spec: {
          iap: { enabled: true },
          healthCheck: {
            requestPath: '/api/version',
            port: DASHBOARD_PORT,
            type: 'HTTP',
          },
        },
      },
    ),
    object(
      spec,
      'ray-dashboard',
      'v1',
      'Service',
      {
        name,
        namespace: ns,
        annotations: {
          'cloud.google.com/neg': '{"ingress": true}',
          'cloud.google.com/backend-config': JSON.stringify({ default: name }),
        },
      },
      {
        spec: {
          type: 'ClusterIP',
          selector: { 'ray.io/cluster': ray.name, 'ray.io/node-type': 'head' },
          ports: [
            {
              name: 'dashboard',
              port: DASHBOARD_PORT,
              targetPort: DASHBOARD_PORT,
              protocol: 'TCP',
            },
          ],
        },
      },
    ),
    object(
      spec,
      'ray-dashboard',
      'networking.gke.io/v1',
      'ManagedCertificate',
      { name, namespace: ns },
      {
        spec: { domains: [ray.dashboard.host] },
      },
    ),
    object(
      spec,
      'ray-dashboard',
      'networking.k8s.io/v1',
      'Ingress',
      {
        name,
        namespace: ns,
        annotations: {
          'kubernetes.io/ingress.class': 'gce',
          'kubernetes.io/ingress.allow-http': 'false',
          'networking.gke.io/managed-certificates': name,
        },
      },
      {
        spec: {
          rules: [
            {
              host: ray.dashboard.host,
              http: {
                paths: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: {
                      service: { name, port: { number: DASHBOARD_PORT } },
                    },
                  },
                ],
              },
            },
          ],
        },
      },
    ),
  ];
}

/** The port-forward command for the `port-forward` exposure (seed 000 "Explore the Ray Dashboard"). */
export function rayDashboardPortForwardArgs(spec: GpuStackSpec): string[] {
  return [
    'port-forward',
    '--namespace',
    spec.ray.namespace,
    `svc/${spec.ray.name}-head-svc`,
    `${DASHBOARD_PORT}:${DASHBOARD_PORT}`,
  ];
}
