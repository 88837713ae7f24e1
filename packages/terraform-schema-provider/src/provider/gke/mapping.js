'use strict';

/*
 * google_container_cluster / google_container_node_pool values → the google.container.v1
 * requests GKE receives, the way hashicorp/terraform-provider-google's container resources build
 * them (expandClusterConfig / expandNodePool / expandNodeConfig, and nodePoolUpdate for changes),
 * written for the attributes of the recorded 6.50 schema. Also the way back: which attributes of
 * the state GKE computes (endpoint, CA, versions, self links, instance groups).
 */

const { isUnknown, valuesEqual } = require('../values');

/** A value the configuration set: not null, not unknown. */
const given = value =>
  value !== null && value !== undefined && !isUnknown(value);
/** The single element of a max-1 block list, or undefined. */
const block = list =>
  Array.isArray(list) && list.length > 0 && given(list[0])
    ? list[0]
    : undefined;
const str = value => (given(value) && value !== '' ? String(value) : undefined);
const num = value => (given(value) ? Number(value) : undefined);
const bool = value => (given(value) ? Boolean(value) : undefined);
const list = value => (Array.isArray(value) ? value.filter(given) : []);
const map = value =>
  given(value) && typeof value === 'object' ? { ...value } : undefined;
const lastSegment = value => (str(value) || '').split('/').pop();

/** Drops undefined members so requests carry only what the configuration says. */
function compact(object) {
  const result = {};
  for (const [key, value] of Object.entries(object)) {
    if (value === undefined) continue;
    result[key] = value;
  }
  return result;
}

/** "3600s" / "3600" → google.protobuf.Duration. */
function duration(text) {
  const value = str(text);
  if (!value) return undefined;
  const m = /^(\d+(?:\.\d+)?)s?$/.exec(value);
  if (!m) {
    throw new Error(
      `Invalid duration "${value}": expected seconds such as "3600s"`,
    );
  }
  return { seconds: Math.floor(Number(m[1])), nanos: 0 };
}

/** The cluster a node pool names: a bare name, or projects/p/locations/l/clusters/c. */
function clusterOf(pool, defaults) {
  const text = str(pool.cluster) || '';
  const m =
    /^projects\/([^/]+)\/(?:locations|zones)\/([^/]+)\/clusters\/([^/]+)$/.exec(
      text,
    );
  if (m) return { project: m[1], location: m[2], cluster: m[3] };
  return {
    project: str(pool.project) || defaults.project,
    location: str(pool.location) || defaults.region,
    cluster: lastSegment(text),
  };
}

function clusterLocation(cluster, defaults) {
  return {
    project: str(cluster.project) || defaults.project,
    location: str(cluster.location) || defaults.region,
  };
}

const clusterPath = ref =>
  `projects/${ref.project}/locations/${ref.location}/clusters/${ref.cluster}`;

// ---- node config / node pool ------------------------------------------------------------

function expandAccelerators(items) {
  return list(items).map(a => {
    const driver = block(a.gpu_driver_installation_config);
    const sharing = block(a.gpu_sharing_config);
    return compact({
      acceleratorType: str(a.type),
      acceleratorCount: num(a.count),
      gpuPartitionSize: str(a.gpu_partition_size),
      gpuDriverInstallationConfig: driver
        ? compact({ gpuDriverVersion: str(driver.gpu_driver_version) })
        : undefined,
      gpuSharingConfig: sharing
        ? compact({
            gpuSharingStrategy: str(sharing.gpu_sharing_strategy),
            maxSharedClientsPerGpu: num(sharing.max_shared_clients_per_gpu),
          })
        : undefined,
    });
  });
}

function expandNodeConfig(config) {
  if (!config) return undefined;
  const reservation = block(config.reservation_affinity);
  const shielded = block(config.shielded_instance_config);
  const gvnic = block(config.gvnic);
  const metadataConfig = block(config.workload_metadata_config);
  const gcfs = block(config.gcfs_config);
  return compact({
    machineType: str(config.machine_type),
    diskSizeGb: num(config.disk_size_gb) || undefined,
    diskType: str(config.disk_type),
    imageType: str(config.image_type),
    serviceAccount: str(config.service_account),
    oauthScopes: list(config.oauth_scopes).length
      ? list(config.oauth_scopes)
      : undefined,
    labels: map(config.labels),
    resourceLabels: map(config.resource_labels),
    metadata: map(config.metadata),
    tags: list(config.tags).length ? list(config.tags) : undefined,
    localSsdCount: num(config.local_ssd_count) || undefined,
    minCpuPlatform: str(config.min_cpu_platform),
    preemptible: bool(config.preemptible) || undefined,
    spot: bool(config.spot) || undefined,
    flexStart: bool(config.flex_start),
    maxRunDuration: duration(config.max_run_duration),
    accelerators: list(config.guest_accelerator).length
      ? expandAccelerators(config.guest_accelerator)
      : undefined,
    reservationAffinity: reservation
      ? compact({
          consumeReservationType: str(reservation.consume_reservation_type),
          key: str(reservation.key),
          values: list(reservation.values).length
            ? list(reservation.values)
            : undefined,
        })
      : undefined,
    taints: list(config.taint).length
      ? list(config.taint).map(t =>
          compact({
            key: str(t.key),
            value: str(t.value),
            effect: str(t.effect),
          }),
        )
      : undefined,
    shieldedInstanceConfig: shielded
      ? compact({
          enableSecureBoot: bool(shielded.enable_secure_boot),
          enableIntegrityMonitoring: bool(shielded.enable_integrity_monitoring),
        })
      : undefined,
    gvnic: gvnic ? { enabled: Boolean(gvnic.enabled) } : undefined,
    workloadMetadataConfig: metadataConfig
      ? compact({ mode: str(metadataConfig.mode) })
      : undefined,
    gcfsConfig: gcfs ? { enabled: Boolean(gcfs.enabled) } : undefined,
  });
}

function expandAutoscaling(autoscaling) {
  const a = block(autoscaling);
  if (!a) return undefined;
  return compact({
    enabled: true,
    minNodeCount: num(a.min_node_count),
    maxNodeCount: num(a.max_node_count),
    totalMinNodeCount: num(a.total_min_node_count),
    totalMaxNodeCount: num(a.total_max_node_count),
    locationPolicy: str(a.location_policy),
  });
}

function expandManagement(management) {
  const m = block(management);
  // Present: sent as is (false included); absent: GKE's defaults (both on).
  return m
    ? {
        autoRepair: Boolean(m.auto_repair),
        autoUpgrade: Boolean(m.auto_upgrade),
      }
    : undefined;
}

function expandNodeNetworkConfig(networkConfig) {
  const n = block(networkConfig);
  if (!n) return undefined;
  return compact({
    createPodRange: bool(n.create_pod_range) || undefined,
    podRange: str(n.pod_range),
    podIpv4CidrBlock: str(n.pod_ipv4_cidr_block),
    enablePrivateNodes: bool(n.enable_private_nodes),
    additionalNodeNetworkConfigs: list(n.additional_node_network_configs).length
      ? list(n.additional_node_network_configs).map(c => ({
          network: str(c.network),
          subnetwork: str(c.subnetwork),
        }))
      : undefined,
    additionalPodNetworkConfigs: list(n.additional_pod_network_configs).length
      ? list(n.additional_pod_network_configs).map(c =>
          compact({
            subnetwork: str(c.subnetwork),
            secondaryPodRange: str(c.secondary_pod_range),
            maxPodsPerNode: given(c.max_pods_per_node)
              ? { maxPodsPerNode: Number(c.max_pods_per_node) }
              : undefined,
          }),
        )
      : undefined,
  });
}

/** expandNodePool: the NodePool of CreateNodePool (or of a cluster's node_pool block). */
function nodePoolRequest(pool) {
  const placement = block(pool.placement_policy);
  const queued = block(pool.queued_provisioning);
  const upgrade = block(pool.upgrade_settings);
  const initial = num(pool.initial_node_count) || 0;
  const count = num(pool.node_count) || 0;
  if (initial && count) {
    throw new Error(
      `Cannot set both initial_node_count and node_count on node pool ${str(
        pool.name,
      )}`,
    );
  }
  return compact({
    name: str(pool.name),
    initialNodeCount: initial || count,
    config: expandNodeConfig(block(pool.node_config)),
    locations: list(pool.node_locations).length
      ? list(pool.node_locations)
      : undefined,
    version: str(pool.version),
    networkConfig: expandNodeNetworkConfig(pool.network_config),
    autoscaling: expandAutoscaling(pool.autoscaling),
    placementPolicy: placement
      ? compact({
          type: str(placement.type),
          policyName: str(placement.policy_name),
          tpuTopology: str(placement.tpu_topology),
        })
      : undefined,
    queuedProvisioning: queued
      ? { enabled: Boolean(queued.enabled) }
      : undefined,
    maxPodsConstraint: given(pool.max_pods_per_node)
      ? { maxPodsPerNode: Number(pool.max_pods_per_node) }
      : undefined,
    management: expandManagement(pool.management),
    upgradeSettings: upgrade
      ? compact({
          strategy: str(upgrade.strategy),
          maxSurge: num(upgrade.max_surge),
          maxUnavailable: num(upgrade.max_unavailable),
        })
      : undefined,
  });
}

const changed = (prior, planned, name) =>
  !valuesEqual(prior[name] ?? null, planned[name] ?? null);

/**
 * nodePoolUpdate: the calls the provider makes for an in-place change, in its order —
 * autoscaling through UpdateCluster, node config through UpdateNodePool, size, management,
 * version, node locations, upgrade settings, private nodes.
 */
function nodePoolUpdates(prior, planned) {
  const calls = [];
  const name = str(planned.name);
  if (changed(prior, planned, 'autoscaling')) {
    calls.push({
      method: 'updateCluster',
      what: 'updating GKE node pool',
      request: {
        update: {
          desiredNodePoolId: name,
          desiredNodePoolAutoscaling: expandAutoscaling(
            planned.autoscaling,
          ) || {
            enabled: false,
          },
        },
      },
    });
  }
  if (changed(prior, planned, 'node_config')) {
    const before = block(prior.node_config) || {};
    const after = block(planned.node_config) || {};
    const request = {};
    const differs = key =>
      !valuesEqual(before[key] ?? null, after[key] ?? null);
    if (differs('labels')) request.labels = { labels: map(after.labels) || {} };
    if (differs('resource_labels'))
      request.resourceLabels = { labels: map(after.resource_labels) || {} };
    if (differs('taint'))
      request.taints = { taints: expandNodeConfig(after).taints || [] };
    if (differs('tags')) request.tags = { tags: list(after.tags) };
    if (differs('image_type')) request.imageType = str(after.image_type);
    if (differs('disk_type')) request.diskType = str(after.disk_type);
    if (differs('disk_size_gb')) request.diskSizeGb = num(after.disk_size_gb);
    if (differs('workload_metadata_config'))
      request.workloadMetadataConfig =
        expandNodeConfig(after).workloadMetadataConfig;
    if (differs('gvnic')) request.gvnic = expandNodeConfig(after).gvnic;
    if (Object.keys(request).length) {
      calls.push({
        method: 'updateNodePool',
        what: 'updating GKE node pool node config',
        request: { nodePoolId: name, ...request },
      });
    }
  }
  if (changed(prior, planned, 'node_count')) {
    calls.push({
      method: 'setNodePoolSize',
      what: 'updating GKE node pool size',
      request: { nodeCount: num(planned.node_count) || 0 },
    });
  }
  if (changed(prior, planned, 'management')) {
    calls.push({
      method: 'setNodePoolManagement',
      what: 'updating GKE node pool management',
      request: {
        management: expandManagement(planned.management) || {
          autoRepair: false,
          autoUpgrade: false,
        },
      },
    });
  }
  if (changed(prior, planned, 'version') && str(planned.version)) {
    calls.push({
      method: 'updateNodePool',
      what: 'updating GKE node pool version',
      request: { nodePoolId: name, nodeVersion: str(planned.version) },
    });
  }
  if (changed(prior, planned, 'node_locations')) {
    calls.push({
      method: 'updateNodePool',
      what: 'updating GKE node pool node locations',
      request: { locations: list(planned.node_locations) },
    });
  }
  if (changed(prior, planned, 'upgrade_settings')) {
    calls.push({
      method: 'updateNodePool',
      what: 'updating GKE node pool upgrade settings',
      request: { upgradeSettings: nodePoolRequest(planned).upgradeSettings },
    });
  }
  const privateBefore = block(prior.network_config) || {};
  const privateAfter = block(planned.network_config) || {};
  if (
    !valuesEqual(
      privateBefore.enable_private_nodes ?? null,
      privateAfter.enable_private_nodes ?? null,
    )
  ) {
    calls.push({
      method: 'updateNodePool',
      what: 'updating GKE node pool network_config',
      request: {
        nodePoolId: name,
        nodeNetworkConfig: expandNodeNetworkConfig(planned.network_config),
      },
    });
  }
  return calls;
}

// ---- cluster -----------------------------------------------------------------------------

function expandAddons(addons) {
  const a = block(addons);
  if (!a) return undefined;
  const disabled = key => {
    const b = block(a[key]);
    return b ? { disabled: Boolean(b.disabled) } : undefined;
  };
  const enabled = key => {
    const b = block(a[key]);
    return b ? { enabled: Boolean(b.enabled) } : undefined;
  };
  const ray = block(a.ray_operator_config);
  return compact({
    httpLoadBalancing: disabled('http_load_balancing'),
    horizontalPodAutoscaling: disabled('horizontal_pod_autoscaling'),
    networkPolicyConfig: disabled('network_policy_config'),
    gcpFilestoreCsiDriverConfig: enabled('gcp_filestore_csi_driver_config'),
    gcsFuseCsiDriverConfig: enabled('gcs_fuse_csi_driver_config'),
    gcePersistentDiskCsiDriverConfig: enabled(
      'gce_persistent_disk_csi_driver_config',
    ),
    dnsCacheConfig: enabled('dns_cache_config'),
    rayOperatorConfig: ray
      ? compact({
          enabled: Boolean(ray.enabled),
          rayClusterLoggingConfig: block(ray.ray_cluster_logging_config)
            ? {
                enabled: Boolean(block(ray.ray_cluster_logging_config).enabled),
              }
            : undefined,
          rayClusterMonitoringConfig: block(ray.ray_cluster_monitoring_config)
            ? {
                enabled: Boolean(
                  block(ray.ray_cluster_monitoring_config).enabled,
                ),
              }
            : undefined,
        })
      : undefined,
  });
}

function expandAuthorizedNetworks(value) {
  const man = block(value);
  if (!man) return undefined;
  return compact({
    // The block's presence turns the feature on, as in the provider.
    enabled: true,
    cidrBlocks: list(man.cidr_blocks).map(c =>
      compact({
        cidrBlock: str(c.cidr_block),
        displayName: str(c.display_name),
      }),
    ),
    gcpPublicCidrsAccessEnabled: bool(man.gcp_public_cidrs_access_enabled),
    privateEndpointEnforcementEnabled: bool(
      man.private_endpoint_enforcement_enabled,
    ),
  });
}

function expandLogging(value) {
  const l = block(value);
  return l
    ? {
        componentConfig: { enableComponents: list(l.enable_components) },
      }
    : undefined;
}

function expandMonitoring(value) {
  const m = block(value);
  if (!m) return undefined;
  const prometheus = block(m.managed_prometheus);
  return compact({
    componentConfig: { enableComponents: list(m.enable_components) },
    managedPrometheusConfig: prometheus
      ? { enabled: Boolean(prometheus.enabled) }
      : undefined,
  });
}

function expandControlPlaneEndpoints(value) {
  const c = block(value);
  if (!c) return undefined;
  const dns = block(c.dns_endpoint_config);
  const ip = block(c.ip_endpoints_config);
  return compact({
    dnsEndpointConfig: dns
      ? compact({
          allowExternalTraffic: bool(dns.allow_external_traffic),
          enableK8sTokensViaDns: bool(dns.enable_k8s_tokens_via_dns),
          enableK8sCertsViaDns: bool(dns.enable_k8s_certs_via_dns),
        })
      : undefined,
    ipEndpointsConfig: ip ? compact({ enabled: bool(ip.enabled) }) : undefined,
  });
}

/** The labels the provider sends: the resource's plus the provider's default labels. */
function clusterLabels(cluster) {
  return map(cluster.effective_labels) || map(cluster.resource_labels) || {};
}

/** expandClusterConfig: CreateCluster's request. */
function clusterRequest(cluster, defaults) {
  const location = clusterLocation(cluster, defaults);
  const pools = list(cluster.node_pool);
  const pcc = block(cluster.private_cluster_config);
  const ip = block(cluster.ip_allocation_policy);
  const channel = block(cluster.release_channel);
  const wi = block(cluster.workload_identity_config);
  const policy = block(cluster.network_policy);
  const snat = block(cluster.default_snat_status);
  const network = str(cluster.network);
  const subnetwork = str(cluster.subnetwork);
  const request = compact({
    name: str(cluster.name),
    description: str(cluster.description),
    // The provider sends relative links: projects/p/global/networks/n.
    network: network
      ? `projects/${location.project}/global/networks/${lastSegment(network)}`
      : undefined,
    subnetwork: subnetwork
      ? `projects/${location.project}/regions/${location.location.replace(
          /-[a-z]$/,
          '',
        )}/subnetworks/${lastSegment(subnetwork)}`
      : undefined,
    locations: list(cluster.node_locations).length
      ? list(cluster.node_locations)
      : undefined,
    initialClusterVersion: str(cluster.min_master_version),
    releaseChannel: channel ? { channel: str(channel.channel) } : undefined,
    resourceLabels: clusterLabels(cluster),
    networkConfig: compact({
      datapathProvider: str(cluster.datapath_provider),
      enableMultiNetworking: bool(cluster.enable_multi_networking),
      enableIntraNodeVisibility: bool(cluster.enable_intranode_visibility),
      defaultSnatStatus: snat
        ? { disabled: Boolean(snat.disabled) }
        : undefined,
    }),
    networkPolicy: policy
      ? compact({
          enabled: Boolean(policy.enabled),
          provider: str(policy.provider),
        })
      : undefined,
    ipAllocationPolicy: ip
      ? compact({
          // The block's presence makes the cluster VPC-native, as in the provider.
          useIpAliases: true,
          clusterSecondaryRangeName: str(ip.cluster_secondary_range_name),
          servicesSecondaryRangeName: str(ip.services_secondary_range_name),
          clusterIpv4CidrBlock: str(ip.cluster_ipv4_cidr_block),
          servicesIpv4CidrBlock: str(ip.services_ipv4_cidr_block),
          stackType: str(ip.stack_type),
        })
      : undefined,
    privateClusterConfig: pcc
      ? compact({
          enablePrivateNodes: bool(pcc.enable_private_nodes),
          enablePrivateEndpoint: bool(pcc.enable_private_endpoint),
          masterIpv4CidrBlock: str(pcc.master_ipv4_cidr_block),
          privateEndpointSubnetwork: str(pcc.private_endpoint_subnetwork),
          masterGlobalAccessConfig: block(pcc.master_global_access_config)
            ? {
                enabled: Boolean(
                  block(pcc.master_global_access_config).enabled,
                ),
              }
            : undefined,
        })
      : undefined,
    masterAuthorizedNetworksConfig: expandAuthorizedNetworks(
      cluster.master_authorized_networks_config,
    ),
    workloadIdentityConfig: wi
      ? { workloadPool: str(wi.workload_pool) }
      : undefined,
    addonsConfig: expandAddons(cluster.addons_config),
    loggingConfig: expandLogging(cluster.logging_config),
    monitoringConfig: expandMonitoring(cluster.monitoring_config),
    controlPlaneEndpointsConfig: expandControlPlaneEndpoints(
      cluster.control_plane_endpoints_config,
    ),
  });
  if (pools.length) {
    request.nodePools = pools.map(nodePoolRequest);
  } else {
    // No node_pool blocks: GKE creates default-pool from the legacy cluster-level fields.
    request.initialNodeCount = num(cluster.initial_node_count) || 0;
    const nodeConfig = expandNodeConfig(block(cluster.node_config));
    if (nodeConfig) request.nodeConfig = nodeConfig;
  }
  return { location, cluster: request };
}

/** Updates of a cluster, one UpdateCluster (or SetLabels) per changed argument. */
function clusterUpdates(prior, planned, defaults) {
  const calls = [];
  const update = (field, value, what) =>
    calls.push({
      method: 'updateCluster',
      what,
      request: { update: { [field]: value } },
    });
  const next = clusterRequest(planned, defaults).cluster;
  if (changed(prior, planned, 'release_channel')) {
    update(
      'desiredReleaseChannel',
      next.releaseChannel || { channel: 'UNSPECIFIED' },
      'updating GKE release channel',
    );
  }
  if (
    changed(prior, planned, 'min_master_version') &&
    str(planned.min_master_version)
  ) {
    update(
      'desiredMasterVersion',
      str(planned.min_master_version),
      'updating GKE master version',
    );
  }
  if (changed(prior, planned, 'addons_config') && next.addonsConfig) {
    update(
      'desiredAddonsConfig',
      next.addonsConfig,
      'updating GKE cluster addons',
    );
  }
  if (changed(prior, planned, 'master_authorized_networks_config')) {
    update(
      'desiredMasterAuthorizedNetworksConfig',
      next.masterAuthorizedNetworksConfig || { enabled: false },
      'updating GKE cluster master authorized networks',
    );
  }
  if (changed(prior, planned, 'logging_config') && next.loggingConfig) {
    update(
      'desiredLoggingConfig',
      next.loggingConfig,
      'updating GKE cluster logging',
    );
  }
  if (changed(prior, planned, 'monitoring_config') && next.monitoringConfig) {
    update(
      'desiredMonitoringConfig',
      next.monitoringConfig,
      'updating GKE cluster monitoring',
    );
  }
  if (changed(prior, planned, 'workload_identity_config')) {
    update(
      'desiredWorkloadIdentityConfig',
      next.workloadIdentityConfig || { workloadPool: '' },
      'updating GKE workload identity config',
    );
  }
  if (changed(prior, planned, 'enable_multi_networking')) {
    update(
      'desiredEnableMultiNetworking',
      Boolean(planned.enable_multi_networking),
      'updating GKE multi-networking',
    );
  }
  if (
    changed(prior, planned, 'control_plane_endpoints_config') &&
    next.controlPlaneEndpointsConfig
  ) {
    update(
      'desiredControlPlaneEndpointsConfig',
      next.controlPlaneEndpointsConfig,
      'updating GKE control plane endpoints',
    );
  }
  if (!valuesEqual(clusterLabels(prior), clusterLabels(planned))) {
    calls.push({
      method: 'setLabels',
      what: 'updating GKE resource labels',
      request: { resourceLabels: clusterLabels(planned) },
    });
  }
  return calls;
}

// ---- what GKE computes ---------------------------------------------------------------------

/**
 * Values of a cluster's state that come from GKE. Each is only used where the plan left the
 * attribute unknown, so Terraform never sees a configured value change.
 */
function clusterComputed(cluster) {
  const pcc = cluster.privateClusterConfig || {};
  const dns =
    (cluster.controlPlaneEndpointsConfig &&
      cluster.controlPlaneEndpointsConfig.dnsEndpointConfig) ||
    {};
  return {
    attributes: {
      self_link: cluster.selfLink,
      endpoint: cluster.endpoint,
      master_version: cluster.currentMasterVersion,
      services_ipv4_cidr: cluster.servicesIpv4Cidr,
      cluster_ipv4_cidr: cluster.clusterIpv4Cidr,
      label_fingerprint: cluster.labelFingerprint,
      node_locations: cluster.locations,
      tpu_ipv4_cidr_block: cluster.tpuIpv4CidrBlock,
      operation: '',
    },
    nested: {
      private_cluster_config: {
        private_endpoint: pcc.privateEndpoint,
        public_endpoint: pcc.publicEndpoint,
        peering_name: pcc.peeringName,
      },
      control_plane_endpoints_config: {
        dns_endpoint_config: { endpoint: dns.endpoint },
      },
    },
    masterAuth: {
      cluster_ca_certificate:
        (cluster.masterAuth && cluster.masterAuth.clusterCaCertificate) || '',
    },
  };
}

function nodePoolComputed(pool) {
  return {
    attributes: {
      version: pool.version,
      instance_group_urls: pool.instanceGroupUrls || [],
      managed_instance_group_urls: (pool.instanceGroupUrls || []).map(url =>
        url.replace('/instanceGroupManagers/', '/instanceGroups/'),
      ),
      node_locations: pool.locations,
      initial_node_count: Number(pool.initialNodeCount || 0),
      operation: '',
    },
  };
}

module.exports = {
  clusterRequest,
  clusterUpdates,
  clusterOf,
  clusterLocation,
  clusterPath,
  nodePoolRequest,
  nodePoolUpdates,
  clusterComputed,
  nodePoolComputed,
  duration,
};
