import { DEMO } from '../demo/names';
import type { ClusterStore } from './ClusterStore';
import type { protos } from '@google-cloud/container';
import type { Cluster, NodePool } from './resources';

type V1 = typeof protos.google.container.v1;
type LoggingComponent = V1['LoggingComponentConfig']['Component'];
type MonitoringComponent = V1['MonitoringComponentConfig']['Component'];
// The proto typings only allow numeric values in repeated enum fields, while the wire
// conversion (and what GKE clients read back) uses the names; keep the names.
const loggingComponents = (...names: Array<keyof LoggingComponent>) =>
  names as unknown as Array<LoggingComponent[keyof LoggingComponent]>;
const monitoringComponents = (...names: Array<keyof MonitoringComponent>) =>
  names as unknown as Array<MonitoringComponent[keyof MonitoringComponent]>;

/**
 * The demo GPU cluster, shaped after the DWS flex-start H200 guide the product was specified
 * from (seed 001): a regional Standard cluster in us-central1 with node locations in
 * us-central1-b, Dataplane V2 and multi-networking, Ray operator and GCS Fuse add-ons,
 * and an a3-ultragpu-8g pool with one gVNIC and eight RDMA additional node networks.
 */
export const DEMO_PROJECT = DEMO.project;
export const DEMO_LOCATION = DEMO.region;
export const DEMO_ZONE = DEMO.zone;
export const DEMO_CLUSTER = DEMO.cluster;
export const DEMO_SYSTEM_POOL = 'default-pool';
export const DEMO_GPU_POOL = DEMO.nodePool;
export const DEMO_GKE_VERSION = '1.33.1-gke.1107000';
export const DEMO_GVNIC_NETWORK = 'a3u-dws-primary-net';
export const DEMO_GVNIC_SUBNETWORK = 'a3u-dws-primary-sub';
export const DEMO_RDMA_NETWORK = 'a3u-dws-rdma-net';
export const demoRdmaSubnetwork = (index: number) =>
  `a3u-dws-rdma-sub-${index}`;

export function demoSystemNodePool(): NodePool {
  return {
    name: DEMO_SYSTEM_POOL,
    initialNodeCount: 2,
    locations: [DEMO_ZONE],
    config: {
      machineType: 'e2-standard-8',
      diskSizeGb: 100,
      diskType: 'pd-balanced',
      imageType: 'COS_CONTAINERD',
      workloadMetadataConfig: { mode: 'GKE_METADATA' },
      shieldedInstanceConfig: {
        enableSecureBoot: true,
        enableIntegrityMonitoring: true,
      },
    },
    management: { autoRepair: true, autoUpgrade: true },
  };
}

export function demoGpuNodePool(): NodePool {
  return {
    name: DEMO_GPU_POOL,
    // Flex-start pools start empty; DWS adds nodes when a ProvisioningRequest is admitted.
    initialNodeCount: 0,
    locations: [DEMO_ZONE],
    config: {
      machineType: DEMO.machineType,
      diskSizeGb: 500,
      diskType: 'hyperdisk-balanced',
      imageType: 'COS_CONTAINERD',
      accelerators: [
        {
          acceleratorCount: '8',
          acceleratorType: DEMO.accelerator,
          gpuDriverInstallationConfig: { gpuDriverVersion: 'LATEST' },
        },
      ],
      flexStart: true,
      spot: false,
      reservationAffinity: { consumeReservationType: 'NO_RESERVATION' },
      // Flex-start VMs run for at most seven days.
      maxRunDuration: { seconds: '604800', nanos: 0 },
      gvnic: { enabled: true },
      workloadMetadataConfig: { mode: 'GKE_METADATA' },
      labels: { 'cloud.google.com/gke-queued': 'true' },
    },
    queuedProvisioning: { enabled: true },
    autoscaling: {
      enabled: true,
      minNodeCount: 0,
      totalMinNodeCount: 0,
      totalMaxNodeCount: 4,
      locationPolicy: 'ANY',
    },
    management: { autoRepair: false, autoUpgrade: true },
    networkConfig: {
      additionalNodeNetworkConfigs: [
        { network: DEMO_GVNIC_NETWORK, subnetwork: DEMO_GVNIC_SUBNETWORK },
        ...Array.from({ length: 8 }, (_, n) => ({
          network: DEMO_RDMA_NETWORK,
          subnetwork: demoRdmaSubnetwork(n),
        })),
      ],
    },
  };
}

export function demoCluster(): Cluster {
  return {
    name: DEMO_CLUSTER,
    description:
      'Demo GPU cluster: H200 with DWS flex-start and RDMA multi-networking',
    initialClusterVersion: DEMO_GKE_VERSION,
    locations: [DEMO_ZONE],
    network: 'default',
    subnetwork: 'default',
    resourceLabels: { 'managed-by': 'gpu-launchpad', environment: 'demo' },
    releaseChannel: { channel: 'REGULAR' },
    privateClusterConfig: {
      enablePrivateNodes: true,
      enablePrivateEndpoint: true,
      masterIpv4CidrBlock: '172.16.0.32/28',
      masterGlobalAccessConfig: { enabled: true },
    },
    masterAuthorizedNetworksConfig: {
      enabled: true,
      cidrBlocks: [{ displayName: 'operator-vpn', cidrBlock: '10.128.0.0/20' }],
      gcpPublicCidrsAccessEnabled: false,
    },
    ipAllocationPolicy: {
      useIpAliases: true,
      clusterIpv4CidrBlock: '10.4.0.0/14',
      servicesIpv4CidrBlock: '34.118.224.0/20',
      stackType: 'IPV4',
    },
    networkConfig: {
      datapathProvider: 'ADVANCED_DATAPATH',
      enableMultiNetworking: true,
      enableIntraNodeVisibility: false,
      defaultSnatStatus: { disabled: false },
    },
    addonsConfig: {
      httpLoadBalancing: { disabled: false },
      horizontalPodAutoscaling: { disabled: false },
      gcePersistentDiskCsiDriverConfig: { enabled: true },
      gcsFuseCsiDriverConfig: { enabled: true },
      rayOperatorConfig: {
        enabled: true,
        rayClusterLoggingConfig: { enabled: true },
        rayClusterMonitoringConfig: { enabled: true },
      },
    },
    workloadIdentityConfig: { workloadPool: `${DEMO_PROJECT}.svc.id.goog` },
    loggingConfig: {
      componentConfig: {
        enableComponents: loggingComponents('SYSTEM_COMPONENTS', 'WORKLOADS'),
      },
    },
    monitoringConfig: {
      componentConfig: {
        enableComponents: monitoringComponents('SYSTEM_COMPONENTS', 'DCGM'),
      },
      managedPrometheusConfig: { enabled: true },
    },
    nodePools: [demoSystemNodePool(), demoGpuNodePool()],
  };
}

/** Seeds the demo cluster as already RUNNING. */
export function seedDemo(store: ClusterStore): Cluster {
  return store.seedCluster(
    { project: DEMO_PROJECT, location: DEMO_LOCATION },
    demoCluster(),
  );
}
