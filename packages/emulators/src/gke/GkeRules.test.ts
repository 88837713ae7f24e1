import * as grpc from '@grpc/grpc-js';
import type { ClusterManagerClient } from '@google-cloud/container';
import { ManualClock } from '../clock';
import { createEmulatorClusterManagerClient } from './client';
import type { Cluster, NodePool } from './resources';
import { GkeEmulator, startGkeEmulator } from './server';
import { denyGoogleCredentialDiscovery } from './testing';

denyGoogleCredentialDiscovery();

/**
 * GKE's request rules, each through the official client: an invalid request is refused with
 * GKE's status code and message, and the valid neighbour of each one is accepted.
 */

const PROJECT = 'rules-project';
const REGION = 'us-central1';
const ZONE = 'us-central1-b';
const parent = `projects/${PROJECT}/locations/${REGION}`;
const STEP_MS = 100;

/** A cluster as the stack creates it: private, DPv2, multi-networking, REGULAR channel. */
function stackCluster(name: string): Cluster {
  return {
    name,
    locations: [ZONE],
    network: 'primary-net',
    subnetwork: 'primary-sub',
    releaseChannel: { channel: 'REGULAR' },
    privateClusterConfig: {
      enablePrivateNodes: true,
      enablePrivateEndpoint: false,
      masterIpv4CidrBlock: '172.16.0.32/28',
    },
    ipAllocationPolicy: {
      useIpAliases: true,
      clusterSecondaryRangeName: 'pods',
      servicesSecondaryRangeName: 'services',
    },
    networkConfig: {
      datapathProvider: 'ADVANCED_DATAPATH',
      enableMultiNetworking: true,
    },
    nodePools: [
      {
        name: 'system',
        initialNodeCount: 1,
        config: { machineType: 'e2-standard-8' },
        management: { autoRepair: true, autoUpgrade: true },
      },
    ],
  };
}

/** The seed's H200 DWS pool: flex-start + queued provisioning with 9 additional networks. */
function queuedPool(name = 'h200-dws'): NodePool {
  return {
    name,
    locations: [ZONE],
    initialNodeCount: 0,
    config: {
      machineType: 'a3-ultragpu-8g',
      accelerators: [
        { acceleratorType: 'nvidia-h200-141gb', acceleratorCount: 8 },
      ],
      flexStart: true,
      reservationAffinity: { consumeReservationType: 'NO_RESERVATION' },
      maxRunDuration: { seconds: 604800 },
    },
    queuedProvisioning: { enabled: true },
    autoscaling: {
      enabled: true,
      totalMinNodeCount: 0,
      totalMaxNodeCount: 4,
      locationPolicy: 'ANY',
    },
    management: { autoRepair: false, autoUpgrade: true },
    networkConfig: {
      additionalNodeNetworkConfigs: [
        { network: 'gvnic-net', subnetwork: 'gvnic-sub' },
        ...Array.from({ length: 8 }, (_, i) => ({
          network: 'rdma-net',
          subnetwork: `rdma-sub-${i}`,
        })),
      ],
    },
  };
}

function spotPool(name = 'l4-spot'): NodePool {
  return {
    name,
    locations: [ZONE],
    config: {
      machineType: 'g2-standard-24',
      accelerators: [{ acceleratorType: 'nvidia-l4', acceleratorCount: 2 }],
      spot: true,
      reservationAffinity: { consumeReservationType: 'NO_RESERVATION' },
    },
    autoscaling: {
      enabled: true,
      totalMinNodeCount: 0,
      totalMaxNodeCount: 2,
      locationPolicy: 'ANY',
    },
  };
}

type Mutation<T> = (value: T) => void;

async function refusal(promise: Promise<unknown>) {
  return promise.then(
    () => undefined,
    (e: grpc.ServiceError) => ({
      code: grpc.status[e.code],
      details: e.details,
    }),
  );
}

describe('GKE request rules, through the official client', () => {
  let emulator: GkeEmulator;
  let client: ClusterManagerClient;
  const clock = new ManualClock();
  let serial = 0;
  const uniqueName = (prefix: string) => `${prefix}-${++serial}`;

  async function waitDone(operation: string | null | undefined) {
    for (let i = 0; i < 10; i++) {
      const [op] = await client.getOperation({
        name: `${parent}/operations/${operation}`,
      });
      if (op.status === 'DONE') return;
      clock.advance(STEP_MS);
    }
    throw new Error(`operation ${operation} did not finish`);
  }

  async function createCluster(cluster: Cluster) {
    const [op] = await client.createCluster({ parent, cluster });
    await waitDone(op.name);
    return `${parent}/clusters/${cluster.name}`;
  }

  beforeAll(async () => {
    emulator = await startGkeEmulator({
      clock,
      operationStepMs: STEP_MS,
      fixtures: 'empty',
    });
    client = createEmulatorClusterManagerClient(emulator);
  });

  afterAll(async () => {
    await client?.close();
    await emulator?.stop();
  });

  describe('cluster requests', () => {
    const cases: Array<[string, Mutation<Cluster>, string, RegExp]> = [
      [
        'a control plane range that is not a /28',
        c => {
          c.privateClusterConfig!.masterIpv4CidrBlock = '172.16.0.0/24';
        },
        'INVALID_ARGUMENT',
        /master_ipv4_cidr_block.*172\.16\.0\.0\/24.*must be a \/28/,
      ],
      [
        'a control plane range and a private endpoint subnetwork',
        c => {
          c.privateClusterConfig!.privateEndpointSubnetwork = 'cp-sub';
        },
        'INVALID_ARGUMENT',
        /^When masterIpv4Cidr is set, privateEndpointSubnetwork must be unset\.$/,
      ],
      [
        'Google public CIDR access with a private endpoint',
        c => {
          c.privateClusterConfig!.enablePrivateEndpoint = true;
          c.masterAuthorizedNetworksConfig = {
            enabled: true,
            gcpPublicCidrsAccessEnabled: true,
          };
        },
        'INVALID_ARGUMENT',
        /gcp_public_cidrs_access_enabled" cannot be enabled if private endpoint is enabled\.$/,
      ],
      [
        'multi-networking without Dataplane V2',
        c => {
          c.networkConfig!.datapathProvider = 'LEGACY_DATAPATH';
        },
        'INVALID_ARGUMENT',
        /Multi-networking requires GKE Dataplane V2/,
      ],
      [
        'multi-networking on a routes-based cluster',
        c => {
          delete c.ipAllocationPolicy;
        },
        'INVALID_ARGUMENT',
        /Multi-networking requires a VPC-native cluster/,
      ],
      [
        'IP endpoints off without external traffic on the DNS endpoint',
        c => {
          c.controlPlaneEndpointsConfig = {
            ipEndpointsConfig: { enabled: false },
            dnsEndpointConfig: { allowExternalTraffic: false },
          };
        },
        'INVALID_ARGUMENT',
        /IP-based endpoints cannot be disabled unless dns_endpoint_config\.allow_external_traffic is true/,
      ],
      [
        'a public IP endpoint alongside enable_private_endpoint',
        c => {
          c.privateClusterConfig!.enablePrivateEndpoint = true;
          c.controlPlaneEndpointsConfig = {
            ipEndpointsConfig: { enablePublicEndpoint: true },
          };
        },
        'INVALID_ARGUMENT',
        /It is invalid to specify both .*enable_private_endpoint.*enable_public_endpoint/,
      ],
      [
        'IP endpoint global access alongside master global access',
        c => {
          c.privateClusterConfig!.masterGlobalAccessConfig = { enabled: true };
          c.controlPlaneEndpointsConfig = {
            ipEndpointsConfig: { globalAccess: true },
          };
        },
        'INVALID_ARGUMENT',
        /It is invalid to specify both .*master_global_access_config\.enabled.*global_access/,
      ],
      [
        'authorized networks in both places',
        c => {
          c.masterAuthorizedNetworksConfig = { enabled: true };
          c.controlPlaneEndpointsConfig = {
            ipEndpointsConfig: { authorizedNetworksConfig: { enabled: true } },
          };
        },
        'INVALID_ARGUMENT',
        /It is invalid to specify both .*master_authorized_networks_config.*authorized_networks_config/,
      ],
      [
        'a control plane range that does not start its /28 block',
        c => {
          c.privateClusterConfig!.masterIpv4CidrBlock = '172.16.0.40/28';
        },
        'INVALID_ARGUMENT',
        /must be the first address of the \/28 block/,
      ],
      [
        'a version GKE does not offer',
        c => {
          c.initialClusterVersion = '1.19.0-gke.1';
        },
        'INVALID_ARGUMENT',
        /^Master version "1\.19\.0-gke\.1" is unsupported\.$/,
      ],
      [
        'a pinned version outside its release channel',
        c => {
          c.initialClusterVersion = '1.30.14-gke.1008000';
        },
        'INVALID_ARGUMENT',
        /not available in the REGULAR release channel/,
      ],
      [
        'a node pool with auto-upgrade off on the REGULAR channel',
        c => {
          c.nodePools![0].management = { autoRepair: true, autoUpgrade: false };
        },
        'INVALID_ARGUMENT',
        /^Auto_upgrade cannot be false when release_channel REGULAR is set\.$/,
      ],
    ];

    it.each(cases)('refuses %s', async (_rule, mutate, code, message) => {
      const cluster = stackCluster(uniqueName('refused'));
      mutate(cluster);
      const error = await refusal(client.createCluster({ parent, cluster }));
      expect(error).toEqual({ code, details: expect.stringMatching(message) });
      // Nothing was created.
      const [list] = await client.listClusters({ parent });
      expect(list.clusters?.map(c => c.name)).not.toContain(cluster.name);
    });

    const accepted: Array<[string, Mutation<Cluster>]> = [
      ['the stack cluster as it is', () => {}],
      [
        'a pinned version the channel offers',
        c => {
          c.initialClusterVersion = '1.33.1-gke.1107000';
        },
      ],
      [
        'a version prefix',
        c => {
          c.initialClusterVersion = '1.33';
        },
      ],
      [
        'auto-upgrade off without a release channel, on a pinned version',
        c => {
          c.releaseChannel = { channel: 'UNSPECIFIED' };
          c.initialClusterVersion = '1.30.14-gke.1008000';
          c.nodePools![0].management = { autoRepair: true, autoUpgrade: false };
        },
      ],
      [
        'a DNS endpoint that accepts external traffic with IP endpoints off',
        c => {
          c.controlPlaneEndpointsConfig = {
            ipEndpointsConfig: { enabled: false },
            dnsEndpointConfig: { allowExternalTraffic: true },
          };
        },
      ],
    ];

    it.each(accepted)('accepts %s', async (_rule, mutate) => {
      const cluster = stackCluster(uniqueName('accepted'));
      mutate(cluster);
      await createCluster(cluster);
      const [created] = await client.getCluster({
        name: `${parent}/clusters/${cluster.name}`,
      });
      expect(created.status).toBe('RUNNING');
      expect(created.masterAuth?.clusterCaCertificate).toBeTruthy();
    });

    it('resolves a version prefix to the channel version and reports the DNS endpoint', async () => {
      const cluster = stackCluster(uniqueName('dns'));
      cluster.initialClusterVersion = '1.33.5';
      cluster.controlPlaneEndpointsConfig = {
        dnsEndpointConfig: { allowExternalTraffic: true },
      };
      const name = await createCluster(cluster);
      const [created] = await client.getCluster({ name });
      expect(created.currentMasterVersion).toBe('1.33.5-gke.1162000');
      expect(
        created.controlPlaneEndpointsConfig?.dnsEndpointConfig?.endpoint,
      ).toMatch(/^gke-[0-9a-f]{32}-\d+\.us-central1\.gke\.goog$/);
    });
  });

  describe('node pool requests', () => {
    let clusterName: string;
    let legacyCluster: string;

    beforeAll(async () => {
      clusterName = await createCluster(stackCluster('pools'));
      const legacy = stackCluster('legacy');
      legacy.networkConfig = { datapathProvider: 'LEGACY_DATAPATH' };
      legacyCluster = await createCluster(legacy);
    });

    const cases: Array<[string, () => NodePool, string, RegExp]> = [
      [
        'auto-upgrade off on the REGULAR channel (issue 7, defect 1)',
        () => ({
          ...queuedPool(),
          management: { autoRepair: false, autoUpgrade: false },
        }),
        'INVALID_ARGUMENT',
        /^Auto_upgrade cannot be false when release_channel REGULAR is set\.$/,
      ],
      [
        'queued provisioning without autoscaling',
        () => {
          const p = queuedPool();
          delete p.autoscaling;
          return p;
        },
        'INVALID_ARGUMENT',
        /queued provisioning must have autoscaling enabled/,
      ],
      [
        'queued provisioning with initial nodes',
        () => ({ ...queuedPool(), initialNodeCount: 2 }),
        'INVALID_ARGUMENT',
        /queued provisioning must be created with 0 initial nodes, got 2/,
      ],
      [
        'queued provisioning with a minimum above zero',
        () => {
          const p = queuedPool();
          p.autoscaling!.totalMinNodeCount = 1;
          return p;
        },
        'INVALID_ARGUMENT',
        /queued provisioning must have a minimum of 0 nodes/,
      ],
      [
        'queued provisioning with the BALANCED location policy',
        () => {
          const p = queuedPool();
          p.autoscaling!.locationPolicy = 'BALANCED';
          return p;
        },
        'INVALID_ARGUMENT',
        /queued provisioning must use the ANY location policy, got BALANCED/,
      ],
      [
        'queued provisioning consuming a reservation',
        () => {
          const p = queuedPool();
          p.config!.flexStart = false;
          p.config!.reservationAffinity = {
            consumeReservationType: 'ANY_RESERVATION',
          };
          return p;
        },
        'INVALID_ARGUMENT',
        /queued provisioning must use reservation affinity NO_RESERVATION, got ANY_RESERVATION/,
      ],
      [
        'queued provisioning with auto-repair',
        () => ({
          ...queuedPool(),
          management: { autoRepair: true, autoUpgrade: true },
        }),
        'INVALID_ARGUMENT',
        /queued provisioning must have auto-repair disabled/,
      ],
      [
        'flex-start with auto-repair',
        () => {
          const p = queuedPool();
          delete p.queuedProvisioning;
          p.management = { autoRepair: true, autoUpgrade: true };
          return p;
        },
        'INVALID_ARGUMENT',
        /with flex-start must have auto-repair disabled/,
      ],
      [
        'flex-start with a max run duration over 7 days',
        () => {
          const p = queuedPool();
          p.config!.maxRunDuration = { seconds: 604801 };
          return p;
        },
        'INVALID_ARGUMENT',
        /max_run_duration.*604801s.*at most 7 days/,
      ],
      [
        'flex-start together with Spot',
        () => {
          const p = queuedPool();
          delete p.queuedProvisioning;
          p.config!.spot = true;
          return p;
        },
        'INVALID_ARGUMENT',
        /cannot use both flex-start and Spot VMs/,
      ],
      [
        'Spot VMs consuming a reservation',
        () => {
          const p = spotPool();
          p.config!.reservationAffinity = {
            consumeReservationType: 'ANY_RESERVATION',
          };
          return p;
        },
        'INVALID_ARGUMENT',
        /Spot VMs cannot consume reservations/,
      ],
      [
        'a specific reservation without its name',
        () => {
          const p = spotPool('reserved');
          p.config!.spot = false;
          p.config!.reservationAffinity = {
            consumeReservationType: 'SPECIFIC_RESERVATION',
          };
          return p;
        },
        'INVALID_ARGUMENT',
        /SPECIFIC_RESERVATION needs a key and at least one value/,
      ],
      [
        'an H100 count that differs from the machine type',
        () => {
          const p = spotPool('h100');
          p.config!.machineType = 'a3-highgpu-8g';
          p.config!.accelerators = [
            { acceleratorType: 'nvidia-h100-80gb', acceleratorCount: 4 },
          ];
          return p;
        },
        'INVALID_ARGUMENT',
        /accelerator_count": 4\. Machine type a3-highgpu-8g has 8 nvidia-h100-80gb/,
      ],
      [
        'a GPU type that is not the one the machine type carries',
        () => {
          const p = spotPool('mismatch');
          p.config!.accelerators = [
            { acceleratorType: 'nvidia-tesla-t4', acceleratorCount: 2 },
          ];
          return p;
        },
        'INVALID_ARGUMENT',
        /^\[nvidia-tesla-t4, g2-standard-24\] features are not compatible for creating instance\.$/,
      ],
      [
        'a GPU on a general-purpose N2 machine',
        () => {
          const p = spotPool('n2');
          p.config!.machineType = 'n2-standard-8';
          p.config!.accelerators = [
            { acceleratorType: 'nvidia-tesla-t4', acceleratorCount: 1 },
          ];
          return p;
        },
        'INVALID_ARGUMENT',
        /^\[nvidia-tesla-t4, n2-standard-8\] features are not compatible/,
      ],
      [
        'three T4s on N1',
        () => {
          const p = spotPool('n1');
          p.config!.machineType = 'n1-standard-8';
          p.config!.accelerators = [
            { acceleratorType: 'nvidia-tesla-t4', acceleratorCount: 3 },
          ];
          return p;
        },
        'INVALID_ARGUMENT',
        /nvidia-tesla-t4 attaches to N1 in counts of 1, 2, 4/,
      ],
      [
        'GPUs on the default machine type',
        () => {
          const p = spotPool('default-mt');
          delete p.config!.machineType;
          p.config!.accelerators = [
            { acceleratorType: 'nvidia-tesla-t4', acceleratorCount: 1 },
          ];
          return p;
        },
        'INVALID_ARGUMENT',
        /^Cannot use default machine type \(e2-medium\) with GPUs; choose a different machine type\.$/,
      ],
      [
        'compact placement with queued provisioning',
        () => ({ ...queuedPool(), placementPolicy: { type: 'COMPACT' } }),
        'INVALID_ARGUMENT',
        /cannot use a COMPACT placement policy with queued provisioning/,
      ],
      [
        'compact placement with flex-start on A3 High',
        () => {
          const p = queuedPool();
          delete p.queuedProvisioning;
          p.placementPolicy = { type: 'COMPACT' };
          p.config!.machineType = 'a3-highgpu-8g';
          p.config!.accelerators = [
            { acceleratorType: 'nvidia-h100-80gb', acceleratorCount: 8 },
          ];
          delete p.networkConfig;
          return p;
        },
        'INVALID_ARGUMENT',
        /COMPACT placement policy with flex-start is only supported on A3 Ultra and A4 machine types, got a3-highgpu-8g/,
      ],
      [
        'compact placement across two zones',
        () => ({
          ...spotPool('spread'),
          locations: [ZONE, 'us-central1-c'],
          placementPolicy: { type: 'COMPACT' },
        }),
        'INVALID_ARGUMENT',
        /COMPACT placement policy must be in a single zone/,
      ],
      [
        'the same RDMA subnetwork attached twice',
        () => {
          const p = queuedPool();
          p.networkConfig!.additionalNodeNetworkConfigs![2] = {
            network: 'rdma-net',
            subnetwork: 'rdma-sub-0',
          };
          return p;
        },
        'INVALID_ARGUMENT',
        /additional_node_network_configs\[2\].*attached twice/,
      ],
      [
        "the cluster's primary network as an additional network",
        () => {
          const p = queuedPool();
          p.networkConfig!.additionalNodeNetworkConfigs![0] = {
            network: 'projects/rules-project/global/networks/primary-net',
            subnetwork: 'other-sub',
          };
          return p;
        },
        'INVALID_ARGUMENT',
        /network "primary-net" is the cluster's primary network/,
      ],
      [
        'a zone outside the cluster region',
        () => ({ ...spotPool('far'), locations: ['us-east1-b'] }),
        'INVALID_ARGUMENT',
        /zone "us-east1-b" is not in the cluster's region "us-central1"/,
      ],
      [
        'a node version newer than the control plane',
        () => ({ ...spotPool('newer'), version: '1.34.1-gke.1829001' }),
        'INVALID_ARGUMENT',
        /must not be newer than the control plane version "1\.33\.1-gke\.1107000"/,
      ],
      [
        'a node version more than two minor versions behind the control plane',
        () => ({ ...spotPool('old-nodes'), version: '1.30.14-gke.1008000' }),
        'INVALID_ARGUMENT',
        /more than two minor versions older than the control plane version/,
      ],
      [
        'a node version GKE does not offer',
        () => ({ ...spotPool('unknown-version'), version: '1.33.0-gke.1' }),
        'INVALID_ARGUMENT',
        /^Node version "1\.33\.0-gke\.1" is unsupported\.$/,
      ],
      [
        'a GPU type that does not exist',
        () => {
          const p = spotPool('no-such-gpu');
          p.config!.machineType = 'n1-standard-8';
          p.config!.accelerators = [
            { acceleratorType: 'nvidia-tesla-x1', acceleratorCount: 1 },
          ];
          return p;
        },
        'INVALID_ARGUMENT',
        /^Accelerator type "nvidia-tesla-x1" does not exist\.$/,
      ],
      [
        'two accelerator types on one node',
        () => {
          const p = spotPool('two-gpus');
          p.config!.machineType = 'n1-standard-8';
          p.config!.accelerators = [
            { acceleratorType: 'nvidia-tesla-t4', acceleratorCount: 1 },
            { acceleratorType: 'nvidia-tesla-p4', acceleratorCount: 1 },
          ];
          return p;
        },
        'INVALID_ARGUMENT',
        /a node can attach one accelerator type, got 2/,
      ],
      [
        'an empty max run duration on a Spot pool',
        () => {
          const p = spotPool('no-duration');
          p.config!.maxRunDuration = { seconds: 0 };
          return p;
        },
        'INVALID_ARGUMENT',
        /max_run_duration": 0s\. Must be positive/,
      ],
      [
        'a reservation key on NO_RESERVATION',
        () => {
          const p = spotPool('stray-key');
          p.config!.reservationAffinity = {
            consumeReservationType: 'NO_RESERVATION',
            key: 'compute.googleapis.com/reservation-name',
            values: ['r'],
          };
          return p;
        },
        'INVALID_ARGUMENT',
        /key and values are only allowed with SPECIFIC_RESERVATION, got NO_RESERVATION/,
      ],
      [
        'autoscaling with a maximum below the minimum',
        () => {
          const p = spotPool('inverted');
          p.autoscaling!.totalMinNodeCount = 3;
          p.autoscaling!.totalMaxNodeCount = 2;
          return p;
        },
        'INVALID_ARGUMENT',
        /the maximum \(2\) must be positive and at least the minimum \(3\)/,
      ],
      [
        'per-zone and total autoscaling limits together',
        () => {
          const p = spotPool('both-limits');
          p.autoscaling!.maxNodeCount = 3;
          return p;
        },
        'INVALID_ARGUMENT',
        /per-zone limits .* and total limits .* cannot be set together/,
      ],
    ];

    it.each(cases)('refuses %s', async (_rule, pool, code, message) => {
      const nodePool = pool();
      const error = await refusal(
        client.createNodePool({ parent: clusterName, nodePool }),
      );
      expect(error).toEqual({ code, details: expect.stringMatching(message) });
      const [pools] = await client.listNodePools({ parent: clusterName });
      expect(pools.nodePools?.map(p => p.name)).not.toContain(nodePool.name);
    });

    it('refuses additional node networks on a cluster without multi-networking (FAILED_PRECONDITION)', async () => {
      const error = await refusal(
        client.createNodePool({
          parent: legacyCluster,
          nodePool: queuedPool(),
        }),
      );
      expect(error).toEqual({
        code: 'FAILED_PRECONDITION',
        details:
          'Node pool "h200-dws" has additional node networks, but multi-networking is not enabled on cluster "legacy".',
      });
    });

    it('refuses a node pool that already exists (ALREADY_EXISTS) and one of a missing cluster (NOT_FOUND)', async () => {
      expect(
        await refusal(
          client.createNodePool({
            parent: clusterName,
            nodePool: { name: 'system' },
          }),
        ),
      ).toEqual({
        code: 'ALREADY_EXISTS',
        details: `Already exists: ${clusterName}/nodePools/system.`,
      });
      expect(
        await refusal(
          client.createNodePool({
            parent: `${parent}/clusters/missing`,
            nodePool: spotPool(),
          }),
        ),
      ).toEqual({
        code: 'NOT_FOUND',
        details: `Not found: ${parent}/clusters/missing.`,
      });
    });

    const accepted: Array<[string, () => NodePool]> = [
      ['the seed H200 DWS pool (queued provisioning + flex-start)', queuedPool],
      [
        'a flex-start pool with compact placement on A3 Ultra',
        () => {
          const p = queuedPool('flex-compact');
          delete p.queuedProvisioning;
          p.placementPolicy = { type: 'COMPACT' };
          return p;
        },
      ],
      ['an L4 Spot pool', spotPool],
      [
        'T4s on N1 in a supported count',
        () => {
          const p = spotPool('t4');
          p.config!.machineType = 'n1-standard-16';
          p.config!.accelerators = [
            { acceleratorType: 'nvidia-tesla-t4', acceleratorCount: 4 },
          ];
          return p;
        },
      ],
      [
        'an A100 pool consuming a specific reservation',
        () => ({
          name: 'a100-reserved',
          locations: [ZONE],
          initialNodeCount: 1,
          config: {
            machineType: 'a2-highgpu-8g',
            accelerators: [
              { acceleratorType: 'nvidia-tesla-a100', acceleratorCount: 8 },
            ],
            reservationAffinity: {
              consumeReservationType: 'SPECIFIC_RESERVATION',
              key: 'compute.googleapis.com/reservation-name',
              values: ['gpu-reservation'],
            },
          },
        }),
      ],
      [
        'a built-in GPU machine without an accelerator block (GKE infers it)',
        () => ({
          name: 'inferred',
          locations: [ZONE],
          initialNodeCount: 1,
          config: { machineType: 'a3-megagpu-8g' },
        }),
      ],
    ];

    it.each(accepted)('accepts %s', async (_rule, pool) => {
      const nodePool = pool();
      const [op] = await client.createNodePool({
        parent: clusterName,
        nodePool,
      });
      await waitDone(op.name);
      const [created] = await client.getNodePool({
        name: `${clusterName}/nodePools/${nodePool.name}`,
      });
      expect(created.status).toBe('RUNNING');
    });
  });

  describe('updates the google provider sends', () => {
    let clusterName: string;
    const poolName = () => `${clusterName}/nodePools/h200-dws`;

    beforeAll(async () => {
      clusterName = await createCluster(stackCluster('updates'));
      const [op] = await client.createNodePool({
        parent: clusterName,
        nodePool: queuedPool(),
      });
      await waitDone(op.name);
    });

    it('SetNodePoolManagement refuses turning auto-upgrade off on a release channel', async () => {
      expect(
        await refusal(
          client.setNodePoolManagement({
            name: poolName(),
            management: { autoRepair: false, autoUpgrade: false },
          }),
        ),
      ).toEqual({
        code: 'INVALID_ARGUMENT',
        details:
          'Auto_upgrade cannot be false when release_channel REGULAR is set.',
      });
    });

    it('SetNodePoolManagement refuses auto-repair on a queued pool, and keeps the pool unchanged', async () => {
      expect(
        await refusal(
          client.setNodePoolManagement({
            name: poolName(),
            management: { autoRepair: true, autoUpgrade: true },
          }),
        ),
      ).toMatchObject({ code: 'INVALID_ARGUMENT' });
      const [pool] = await client.getNodePool({ name: poolName() });
      expect(pool.management).toMatchObject({
        autoRepair: false,
        autoUpgrade: true,
      });
    });

    it('SetNodePoolAutoscaling and UpdateCluster refuse disabling autoscaling on a queued pool', async () => {
      expect(
        await refusal(
          client.setNodePoolAutoscaling({
            name: poolName(),
            autoscaling: { enabled: false },
          }),
        ),
      ).toEqual({
        code: 'INVALID_ARGUMENT',
        details:
          'Node pool "h200-dws" with queued provisioning must have autoscaling enabled.',
      });
      expect(
        await refusal(
          client.updateCluster({
            name: clusterName,
            update: {
              desiredNodePoolId: 'h200-dws',
              desiredNodePoolAutoscaling: { enabled: false },
            },
          }),
        ),
      ).toMatchObject({ code: 'INVALID_ARGUMENT' });
    });

    it('UpdateCluster raises the maximum of a queued pool (what the provider sends for an autoscaling change)', async () => {
      const [op] = await client.updateCluster({
        name: clusterName,
        update: {
          desiredNodePoolId: 'h200-dws',
          desiredNodePoolAutoscaling: {
            enabled: true,
            totalMinNodeCount: 0,
            totalMaxNodeCount: 8,
            locationPolicy: 'ANY',
          },
        },
      });
      await waitDone(op.name);
      const [pool] = await client.getNodePool({ name: poolName() });
      expect(pool.autoscaling?.totalMaxNodeCount).toBe(8);
    });

    it('UpdateNodePool refuses a max run duration over 7 days and applies a valid label change', async () => {
      expect(
        await refusal(
          client.updateNodePool({
            name: poolName(),
            maxRunDuration: { seconds: 8 * 24 * 3600 },
          }),
        ),
      ).toMatchObject({
        code: 'INVALID_ARGUMENT',
        details: expect.stringContaining('at most 7 days'),
      });
      const [op] = await client.updateNodePool({
        name: poolName(),
        labels: { labels: { team: 'research' } },
      });
      await waitDone(op.name);
      const [pool] = await client.getNodePool({ name: poolName() });
      expect(pool.config?.labels).toEqual({ team: 'research' });
      expect(pool.config?.maxRunDuration?.seconds).toBe('604800');
    });

    it('UpdateCluster takes exactly one change, and refuses a channel while a pool has auto-upgrade off', async () => {
      expect(
        await refusal(
          client.updateCluster({
            name: clusterName,
            update: {
              desiredReleaseChannel: { channel: 'STABLE' },
              desiredMasterVersion: '1.32.9-gke.1010000',
            },
          }),
        ),
      ).toMatchObject({
        code: 'INVALID_ARGUMENT',
        details: expect.stringContaining('exactly one update'),
      });

      const pinned = stackCluster('pinned');
      pinned.releaseChannel = { channel: 'UNSPECIFIED' };
      pinned.nodePools![0].management = {
        autoRepair: true,
        autoUpgrade: false,
      };
      const name = await createCluster(pinned);
      expect(
        await refusal(
          client.updateCluster({
            name,
            update: { desiredReleaseChannel: { channel: 'RAPID' } },
          }),
        ),
      ).toEqual({
        code: 'INVALID_ARGUMENT',
        details:
          'Auto_upgrade cannot be false when release_channel RAPID is set.',
      });
    });

    it('UpdateCluster refuses an unknown master version and answers UNIMPLEMENTED for unmodelled fields', async () => {
      expect(
        await refusal(
          client.updateCluster({
            name: clusterName,
            update: { desiredMasterVersion: '1.19.0-gke.1' },
          }),
        ),
      ).toEqual({
        code: 'INVALID_ARGUMENT',
        details: 'Master version "1.19.0-gke.1" is unsupported.',
      });
      expect(
        await refusal(
          client.updateCluster({
            name: clusterName,
            update: { desiredImageType: 'UBUNTU_CONTAINERD' },
          }),
        ),
      ).toEqual({
        code: 'UNIMPLEMENTED',
        details:
          'The GKE emulator does not model ClusterUpdate.desiredImageType.',
      });
    });

    it('SetLabels refuses a stale fingerprint and applies a current one', async () => {
      expect(
        await refusal(
          client.setLabels({
            name: clusterName,
            resourceLabels: { team: 'ml' },
            labelFingerprint: 'stale',
          }),
        ),
      ).toEqual({
        code: 'FAILED_PRECONDITION',
        details: 'Labels could not be set due to fingerprint mismatch.',
      });
      const [before] = await client.getCluster({ name: clusterName });
      const [op] = await client.setLabels({
        name: clusterName,
        resourceLabels: { team: 'ml' },
        labelFingerprint: before.labelFingerprint,
      });
      await waitDone(op.name);
      const [after] = await client.getCluster({ name: clusterName });
      expect(after.resourceLabels).toEqual({ team: 'ml' });
      expect(after.labelFingerprint).not.toBe(before.labelFingerprint);
    });

    it('a second change while an operation runs gets FAILED_PRECONDITION', async () => {
      const [op] = await client.updateNodePool({
        name: poolName(),
        labels: { labels: {} },
      });
      expect(
        await refusal(
          client.setNodePoolSize({ name: poolName(), nodeCount: 2 }),
        ),
      ).toEqual({
        code: 'FAILED_PRECONDITION',
        details: `Cluster is running incompatible operation ${op.name}.`,
      });
      await waitDone(op.name);
    });
  });
});
