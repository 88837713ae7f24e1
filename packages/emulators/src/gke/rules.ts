import * as grpc from '@grpc/grpc-js';
import {
  COMPACT_WITH_FLEX_START,
  DEFAULT_MACHINE_TYPE,
  FIXED_GPU_MACHINES,
  KNOWN_GPU_TYPES,
  N1_ATTACHABLE_GPUS,
} from './machineTypes';
import {
  CHANNEL_VERSIONS,
  RELEASE_CHANNELS,
  VALID_VERSIONS,
  compareVersions,
  minorOf,
} from './versions';
import { GkeApiError, type Cluster, type NodePool } from './resources';

/**
 * The request rules GKE enforces that this product touches, checked on every CreateCluster,
 * CreateNodePool and update. Each rule names the document or the error text it mirrors. Where
 * GKE's own error text is public (a terraform-provider-google or module issue quoting
 * `googleapi: Error 400: …`), the message is that text verbatim; otherwise it is worded in GKE's
 * style and says so in docs/emulated-gke.md.
 */
const invalid = (message: string) =>
  new GkeApiError(grpc.status.INVALID_ARGUMENT, message);
const precondition = (message: string) =>
  new GkeApiError(grpc.status.FAILED_PRECONDITION, message);

/** Longs arrive as strings (proto-loader `longs: String`); numbers from in-process callers. */
const num = (value: unknown): number =>
  value === undefined || value === null || value === '' ? 0 : Number(value);

const seconds = (duration: { seconds?: unknown } | null | undefined) =>
  duration ? num(duration.seconds) : undefined;

/** `projects/p/global/networks/n`, a self link, or a bare name → `n`. */
const lastSegment = (value: string | null | undefined) =>
  (value ?? '').split('/').pop() ?? '';

const regionOfZone = (zone: string) => zone.replace(/-[a-z]$/, '');

/** The cluster's release channel, when it is one that manages upgrades. */
export function releaseChannelOf(cluster: Cluster): string | undefined {
  const channel = String(cluster.releaseChannel?.channel ?? '');
  return RELEASE_CHANNELS.includes(channel) ? channel : undefined;
}

const MAX_RUN_DURATION_FLEX_START_SECONDS = 7 * 24 * 3600;

// ---- cluster ---------------------------------------------------------------------------

/** Throws a GkeApiError for a cluster request GKE refuses. */
export function checkCluster(cluster: Cluster): void {
  checkVersion(cluster);
  checkPrivateCluster(cluster);
  checkControlPlaneEndpoints(cluster);
  checkMultiNetworking(cluster);
}

function checkVersion(cluster: Cluster): void {
  const requested = cluster.initialClusterVersion;
  if (!requested || requested === '-' || requested === 'latest') return;
  const channel = releaseChannelOf(cluster);
  const offered = channel ? CHANNEL_VERSIONS[channel] : VALID_VERSIONS;
  const known = offered.some(
    v =>
      v === requested ||
      v.startsWith(`${requested}.`) ||
      v.startsWith(`${requested}-gke.`),
  );
  if (known) return;
  if (channel && VALID_VERSIONS.includes(requested)) {
    // https://cloud.google.com/kubernetes-engine/docs/concepts/release-channels#channels:
    // a cluster enrolled in a channel runs one of the versions that channel offers.
    throw invalid(
      `Version "${requested}" is not available in the ${channel} release channel; ` +
        `available versions: ${offered.join(', ')}.`,
    );
  }
  // GKE's text for an unknown version, e.g. `googleapi: Error 400: Master version
  // "1.12.5-gke.5" is unsupported., badRequest`.
  throw invalid(`Master version "${requested}" is unsupported.`);
}

function checkPrivateCluster(cluster: Cluster): void {
  const pcc = cluster.privateClusterConfig;
  if (!pcc) return;
  const cidr = pcc.masterIpv4CidrBlock;
  if (cidr) {
    // https://cloud.google.com/kubernetes-engine/docs/how-to/legacy/network-isolation#req_res_lim:
    // the control plane's private range (--master-ipv4-cidr) is a /28 block.
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(
      cidr,
    );
    const octets = m ? m.slice(1, 5).map(Number) : [];
    if (!m || octets.some(o => o > 255) || Number(m[5]) !== 28) {
      throw invalid(
        `Invalid value for field "cluster.private_cluster_config.master_ipv4_cidr_block": "${cidr}". ` +
          'The control plane range must be a /28 CIDR block.',
      );
    }
    if ((octets[3] & 15) !== 0) {
      throw invalid(
        `Invalid value for field "cluster.private_cluster_config.master_ipv4_cidr_block": "${cidr}". ` +
          'The address must be the first address of the /28 block.',
      );
    }
    if (pcc.privateEndpointSubnetwork) {
      // Verbatim, terraform-google-kubernetes-engine#2119.
      throw invalid(
        'When masterIpv4Cidr is set, privateEndpointSubnetwork must be unset.',
      );
    }
  }
  if (
    pcc.enablePrivateEndpoint &&
    cluster.masterAuthorizedNetworksConfig?.gcpPublicCidrsAccessEnabled
  ) {
    // Verbatim, terraform-google-kubernetes-engine#2078.
    throw invalid(
      'Invalid value for "cluster.master_authorized_networks_config": ' +
        '"cluster.master_authorized_networks_config.gcp_public_cidrs_access_enabled" cannot be enabled if private endpoint is enabled.',
    );
  }
}

function checkControlPlaneEndpoints(cluster: Cluster): void {
  const cpe = cluster.controlPlaneEndpointsConfig;
  if (!cpe) return;
  const ip = cpe.ipEndpointsConfig;
  const dns = cpe.dnsEndpointConfig;
  // cluster_service.proto, IPEndpointsConfig.enable_public_endpoint: "It is invalid to specify
  // both [PrivateClusterConfig.enablePrivateEndpoint][] and this field at the same time."
  if (
    ip?.enablePublicEndpoint !== undefined &&
    ip?.enablePublicEndpoint !== null &&
    cluster.privateClusterConfig?.enablePrivateEndpoint
  ) {
    throw invalid(
      'It is invalid to specify both "cluster.private_cluster_config.enable_private_endpoint" and ' +
        '"cluster.control_plane_endpoints_config.ip_endpoints_config.enable_public_endpoint".',
    );
  }
  // Same proto, IPEndpointsConfig.global_access vs PrivateClusterMasterGlobalAccessConfig.
  if (
    ip?.globalAccess !== undefined &&
    ip?.globalAccess !== null &&
    cluster.privateClusterConfig?.masterGlobalAccessConfig?.enabled
  ) {
    throw invalid(
      'It is invalid to specify both "cluster.private_cluster_config.master_global_access_config.enabled" and ' +
        '"cluster.control_plane_endpoints_config.ip_endpoints_config.global_access".',
    );
  }
  // Same proto, IPEndpointsConfig.authorized_networks_config vs Cluster.masterAuthorizedNetworksConfig.
  if (ip?.authorizedNetworksConfig && cluster.masterAuthorizedNetworksConfig) {
    throw invalid(
      'It is invalid to specify both "cluster.master_authorized_networks_config" and ' +
        '"cluster.control_plane_endpoints_config.ip_endpoints_config.authorized_networks_config".',
    );
  }
  // https://cloud.google.com/kubernetes-engine/docs/concepts/network-isolation#dns-based_endpoint:
  // with IP-based endpoints off, the DNS-based endpoint is the only way in, so it has to accept
  // traffic.
  if (ip?.enabled === false && !dns?.allowExternalTraffic) {
    throw invalid(
      'Invalid value for "cluster.control_plane_endpoints_config": IP-based endpoints cannot be disabled ' +
        'unless dns_endpoint_config.allow_external_traffic is true.',
    );
  }
}

function checkMultiNetworking(cluster: Cluster): void {
  if (!cluster.networkConfig?.enableMultiNetworking) return;
  // https://cloud.google.com/kubernetes-engine/docs/how-to/setup-multinetwork-support-for-pods#requirements
  // "GKE Dataplane V2 … is required" and the cluster must be VPC-native.
  if (cluster.networkConfig.datapathProvider !== 'ADVANCED_DATAPATH') {
    throw invalid(
      'Multi-networking requires GKE Dataplane V2: set "cluster.network_config.datapath_provider" to ADVANCED_DATAPATH.',
    );
  }
  if (!cluster.ipAllocationPolicy?.useIpAliases) {
    throw invalid(
      'Multi-networking requires a VPC-native cluster: set "cluster.ip_allocation_policy.use_ip_aliases".',
    );
  }
}

// ---- node pools ------------------------------------------------------------------------

/**
 * Throws a GkeApiError for a node pool GKE refuses in this cluster. `pool` is the pool as
 * GKE stores it (defaults filled); `where` names it in messages.
 */
export function checkNodePool(cluster: Cluster, pool: NodePool): void {
  checkAutoUpgrade(cluster, pool);
  checkNodeVersion(cluster, pool);
  checkNodeLocations(cluster, pool);
  checkAccelerators(pool);
  checkReservationAffinity(pool);
  checkAutoscaling(pool);
  checkQueuedProvisioning(pool);
  checkFlexStart(pool);
  checkCompactPlacement(pool);
  checkAdditionalNetworks(cluster, pool);
}

function checkAutoUpgrade(cluster: Cluster, pool: NodePool): void {
  const channel = releaseChannelOf(cluster);
  // https://cloud.google.com/kubernetes-engine/docs/concepts/release-channels: "Node
  // auto-upgrade is enabled and cannot be disabled" on a channel. Verbatim GKE error,
  // `googleapi: Error 400: Auto_upgrade cannot be false when release_channel REGULAR is set.,
  // badRequest` (terraform-google-modules/terraform-google-kubernetes-engine#682).
  if (channel && pool.management?.autoUpgrade === false) {
    throw invalid(
      `Auto_upgrade cannot be false when release_channel ${channel} is set.`,
    );
  }
}

function checkNodeVersion(cluster: Cluster, pool: NodePool): void {
  const version = pool.version;
  const master = cluster.currentMasterVersion ?? cluster.initialClusterVersion;
  if (!version || !master || version === master) return;
  if (!VALID_VERSIONS.includes(version)) {
    throw invalid(`Node version "${version}" is unsupported.`);
  }
  // https://cloud.google.com/kubernetes-engine/versioning#version_skew: nodes may not be newer
  // than the control plane, nor more than two minor versions older.
  if (compareVersions(version, master) > 0) {
    throw invalid(
      `Node version "${version}" must not be newer than the control plane version "${master}".`,
    );
  }
  if (minorOf(master) - minorOf(version) > 2) {
    throw invalid(
      `Node version "${version}" is more than two minor versions older than the control plane version "${master}".`,
    );
  }
}

function checkNodeLocations(cluster: Cluster, pool: NodePool): void {
  const region = String(cluster.location ?? '').replace(/-[a-z]$/, '');
  for (const zone of pool.locations ?? []) {
    // https://cloud.google.com/kubernetes-engine/docs/concepts/regional-clusters: node
    // locations are zones of the cluster's region.
    if (region && regionOfZone(zone) !== region) {
      throw invalid(
        `Invalid value for field "node_pool.locations": zone "${zone}" is not in the cluster's region "${region}".`,
      );
    }
  }
}

function checkAccelerators(pool: NodePool): void {
  const config = pool.config ?? {};
  const machineType = config.machineType ?? DEFAULT_MACHINE_TYPE;
  const accelerators = (config.accelerators ?? []).filter(
    a => num(a.acceleratorCount) > 0 || a.acceleratorType,
  );
  const builtIn = FIXED_GPU_MACHINES.get(machineType);
  if (accelerators.length === 0) return;
  if (accelerators.length > 1) {
    throw invalid(
      `Invalid value for field "node_pool.config.accelerators": a node can attach one accelerator type, got ${accelerators.length}.`,
    );
  }
  const [{ acceleratorType, acceleratorCount }] = accelerators;
  const type = String(acceleratorType ?? '');
  const count = num(acceleratorCount);
  if (machineType === DEFAULT_MACHINE_TYPE) {
    // Verbatim, hashicorp/terraform-provider-google#8387.
    throw invalid(
      'Cannot use default machine type (e2-medium) with GPUs; choose a different machine type.',
    );
  }
  if (!KNOWN_GPU_TYPES.has(type)) {
    throw invalid(`Accelerator type "${type}" does not exist.`);
  }
  if (count <= 0) {
    throw invalid(
      `Invalid value for field "node_pool.config.accelerators[0].accelerator_count": ${count}. Must be positive.`,
    );
  }
  // The a4/a3/a2/g2 families carry fixed GPUs (https://cloud.google.com/compute/docs/gpus#gpu-models):
  // the request may only name exactly those. Compute Engine's words for a mismatch, e.g.
  // "[nvidia-tesla-a100, n1-highmem-8] features are not compatible for creating instance."
  if (builtIn) {
    if (builtIn.acceleratorType !== type) {
      throw invalid(
        `[${type}, ${machineType}] features are not compatible for creating instance.`,
      );
    }
    if (builtIn.count !== count) {
      throw invalid(
        `Invalid value for field "node_pool.config.accelerators[0].accelerator_count": ${count}. ` +
          `Machine type ${machineType} has ${builtIn.count} ${type} GPU(s) attached.`,
      );
    }
    return;
  }
  // N1 takes attachable GPUs (https://cloud.google.com/compute/docs/gpus#n1-gpus); other
  // general-purpose families (E2, N2, C3, …) take none.
  const attachable = N1_ATTACHABLE_GPUS.get(type);
  if (!machineType.startsWith('n1-') || !attachable) {
    throw invalid(
      `[${type}, ${machineType}] features are not compatible for creating instance.`,
    );
  }
  if (!attachable.includes(count)) {
    throw invalid(
      `Invalid value for field "node_pool.config.accelerators[0].accelerator_count": ${count}. ` +
        `${type} attaches to N1 in counts of ${attachable.join(', ')}.`,
    );
  }
}

function reservationType(pool: NodePool): string {
  return String(
    pool.config?.reservationAffinity?.consumeReservationType ?? 'UNSPECIFIED',
  );
}

function checkReservationAffinity(pool: NodePool): void {
  const affinity = pool.config?.reservationAffinity;
  const type = reservationType(pool);
  // https://cloud.google.com/kubernetes-engine/docs/how-to/consuming-reservations: a specific
  // reservation is named by key compute.googleapis.com/reservation-name and its values.
  if (type === 'SPECIFIC_RESERVATION') {
    if (!affinity?.key || !(affinity.values ?? []).length) {
      throw invalid(
        'Invalid value for field "node_pool.config.reservation_affinity": SPECIFIC_RESERVATION needs a key and at least one value.',
      );
    }
  } else if (affinity?.key || (affinity?.values ?? []).length) {
    throw invalid(
      `Invalid value for field "node_pool.config.reservation_affinity": key and values are only allowed with SPECIFIC_RESERVATION, got ${type}.`,
    );
  }
  // https://cloud.google.com/compute/docs/instances/spot#limitations: Spot VMs cannot consume
  // reservations (Cluster Toolkit's gke-node-pool precondition: spot ⇒ NO_RESERVATION).
  if (
    pool.config?.spot &&
    ['ANY_RESERVATION', 'SPECIFIC_RESERVATION'].includes(type)
  ) {
    throw invalid(
      `Spot VMs cannot consume reservations: node pool "${pool.name}" sets reservation affinity ${type}.`,
    );
  }
}

function checkAutoscaling(pool: NodePool): void {
  const a = pool.autoscaling;
  if (!a?.enabled) return;
  const perZone = num(a.minNodeCount) > 0 || num(a.maxNodeCount) > 0;
  const total = num(a.totalMinNodeCount) > 0 || num(a.totalMaxNodeCount) > 0;
  // https://cloud.google.com/kubernetes-engine/docs/concepts/cluster-autoscaler#minimum_and_maximum_node_pool_size:
  // per-zone limits and total limits are alternatives.
  if (perZone && total) {
    throw invalid(
      'Invalid value for "node_pool.autoscaling": per-zone limits (min/max_node_count) and total limits (total_min/max_node_count) cannot be set together.',
    );
  }
  const [min, max] = total
    ? [num(a.totalMinNodeCount), num(a.totalMaxNodeCount)]
    : [num(a.minNodeCount), num(a.maxNodeCount)];
  if (max <= 0 || min > max) {
    throw invalid(
      `Invalid value for "node_pool.autoscaling": the maximum (${max}) must be positive and at least the minimum (${min}).`,
    );
  }
}

function checkQueuedProvisioning(pool: NodePool): void {
  if (!pool.queuedProvisioning?.enabled) return;
  // Requirements of queued provisioning, https://cloud.google.com/kubernetes-engine/docs/how-to/provisioningrequest#create-node-pool:
  // --enable-autoscaling --num-nodes=0 --location-policy=ANY --reservation-affinity=none
  // --no-enable-autorepair, and no Spot. (Its minimum GKE version, 1.28.3-gke.1098000, is older
  // than every version the emulator serves.)
  const name = pool.name;
  if (!pool.autoscaling?.enabled) {
    throw invalid(
      `Node pool "${name}" with queued provisioning must have autoscaling enabled.`,
    );
  }
  if (num(pool.initialNodeCount) !== 0) {
    throw invalid(
      `Node pool "${name}" with queued provisioning must be created with 0 initial nodes, got ${num(
        pool.initialNodeCount,
      )}.`,
    );
  }
  const a = pool.autoscaling;
  if (num(a.minNodeCount) !== 0 || num(a.totalMinNodeCount) !== 0) {
    throw invalid(
      `Node pool "${name}" with queued provisioning must have a minimum of 0 nodes.`,
    );
  }
  if (a.locationPolicy !== 'ANY') {
    throw invalid(
      `Node pool "${name}" with queued provisioning must use the ANY location policy, got ${
        a.locationPolicy ?? 'BALANCED'
      }.`,
    );
  }
  if (reservationType(pool) !== 'NO_RESERVATION') {
    throw invalid(
      `Node pool "${name}" with queued provisioning must use reservation affinity NO_RESERVATION, got ${reservationType(
        pool,
      )}.`,
    );
  }
  if (pool.management?.autoRepair) {
    throw invalid(
      `Node pool "${name}" with queued provisioning must have auto-repair disabled.`,
    );
  }
  if (pool.config?.spot) {
    throw invalid(
      `Node pool "${name}" cannot use Spot VMs with queued provisioning.`,
    );
  }
}

function checkFlexStart(pool: NodePool): void {
  const config = pool.config ?? {};
  const maxRun = seconds(config.maxRunDuration);
  if (!config.flexStart) {
    if (maxRun !== undefined && maxRun <= 0) {
      throw invalid(
        `Invalid value for field "node_pool.config.max_run_duration": ${maxRun}s. Must be positive.`,
      );
    }
    return;
  }
  const name = pool.name;
  // https://cloud.google.com/kubernetes-engine/docs/how-to/dws-flex-start-training: flex-start
  // pools are created with --reservation-affinity=none and --no-enable-autorepair, and flex-start
  // VMs run for at most seven days.
  if (config.spot) {
    throw invalid(
      `Node pool "${name}" cannot use both flex-start and Spot VMs.`,
    );
  }
  if (reservationType(pool) !== 'NO_RESERVATION') {
    throw invalid(
      `Node pool "${name}" with flex-start must use reservation affinity NO_RESERVATION, got ${reservationType(
        pool,
      )}.`,
    );
  }
  if (pool.management?.autoRepair) {
    throw invalid(
      `Node pool "${name}" with flex-start must have auto-repair disabled.`,
    );
  }
  if (
    maxRun !== undefined &&
    (maxRun <= 0 || maxRun > MAX_RUN_DURATION_FLEX_START_SECONDS)
  ) {
    throw invalid(
      `Invalid value for field "node_pool.config.max_run_duration": ${maxRun}s. ` +
        `Flex-start VMs run for at most 7 days (${MAX_RUN_DURATION_FLEX_START_SECONDS}s).`,
    );
  }
}

function checkCompactPlacement(pool: NodePool): void {
  if (String(pool.placementPolicy?.type ?? '') !== 'COMPACT') return;
  const name = pool.name;
  const machineType = pool.config?.machineType ?? DEFAULT_MACHINE_TYPE;
  // https://cloud.google.com/kubernetes-engine/docs/how-to/compact-placement: compact placement
  // puts the nodes in one zone.
  if ((pool.locations ?? []).length > 1) {
    throw invalid(
      `Node pool "${name}" with a COMPACT placement policy must be in a single zone, got ${pool.locations?.join(
        ', ',
      )}.`,
    );
  }
  // https://cloud.google.com/kubernetes-engine/docs/how-to/provisioningrequest#limitations (and
  // Cluster Toolkit's precondition "queued provisioning … not COMPACT placement").
  if (pool.queuedProvisioning?.enabled) {
    throw invalid(
      `Node pool "${name}" cannot use a COMPACT placement policy with queued provisioning.`,
    );
  }
  // DWS flex-start with compact placement only on A3 Ultra / A4 (see COMPACT_WITH_FLEX_START).
  if (pool.config?.flexStart && !COMPACT_WITH_FLEX_START.test(machineType)) {
    throw invalid(
      `Node pool "${name}": a COMPACT placement policy with flex-start is only supported on A3 Ultra and A4 machine types, got ${machineType}.`,
    );
  }
}

function checkAdditionalNetworks(cluster: Cluster, pool: NodePool): void {
  const extra = pool.networkConfig?.additionalNodeNetworkConfigs ?? [];
  if (extra.length === 0) return;
  const name = pool.name;
  // https://cloud.google.com/kubernetes-engine/docs/how-to/setup-multinetwork-support-for-pods#requirements:
  // additional node networks need a cluster with multi-networking, which needs Dataplane V2.
  if (!cluster.networkConfig?.enableMultiNetworking) {
    throw precondition(
      `Node pool "${name}" has additional node networks, but multi-networking is not enabled on cluster "${cluster.name}".`,
    );
  }
  if (cluster.networkConfig.datapathProvider !== 'ADVANCED_DATAPATH') {
    throw precondition(
      `Node pool "${name}" has additional node networks, but cluster "${cluster.name}" does not use GKE Dataplane V2 (ADVANCED_DATAPATH).`,
    );
  }
  // Each interface is its own network attachment: no subnetwork twice, and none in the node's
  // primary VPC (https://cloud.google.com/vpc/docs/multiple-interfaces-concepts#specifications).
  const primary = lastSegment(cluster.networkConfig.network ?? cluster.network);
  const seen = new Set<string>();
  extra.forEach((cfg, index) => {
    const network = lastSegment(cfg.network);
    const subnetwork = lastSegment(cfg.subnetwork);
    if (!network || !subnetwork) {
      throw invalid(
        `Invalid value for field "node_pool.network_config.additional_node_network_configs[${index}]": network and subnetwork are required.`,
      );
    }
    if (network === primary) {
      throw invalid(
        `Invalid value for field "node_pool.network_config.additional_node_network_configs[${index}]": ` +
          `network "${network}" is the cluster's primary network; additional node networks must be distinct VPCs.`,
      );
    }
    const key = `${network}/${subnetwork}`;
    if (seen.has(key)) {
      throw invalid(
        `Invalid value for field "node_pool.network_config.additional_node_network_configs[${index}]": ` +
          `subnetwork "${subnetwork}" of network "${network}" is attached twice; each additional node network must be distinct.`,
      );
    }
    seen.add(key);
  });
}
