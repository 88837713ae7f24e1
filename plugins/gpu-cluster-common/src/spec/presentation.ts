/**
 * The presentation layer of the stack spec: how the "Create GPU cluster" form shows each field.
 * Titles, help, placeholders, enum labels, order, collapsed groups, the fields shown only for a
 * provisioning mode, and the form's pages. Keyed by spec field path (`nodePools[].provisioning.mode`:
 * `[]` stands for every item of an array).
 *
 * The spec (schema.ts) stays the single source of truth for types, defaults and rules; this file
 * only says how to present it. `yarn generate-template` (scaffolder-backend-module-gpu-cluster)
 * merges both into the template's parameters, and a test checks that every spec field has a
 * title and help here and every key here names a spec field.
 */
import { ACCELERATOR_CATALOG, type GpuType } from './catalog';
import type { ProvisioningMode } from './constants';

/** Names of the scaffolder field extensions (registered by the gpu-cluster frontend plugin). @public */
export const GPU_STACK_FIELD_EXTENSIONS = {
  /** A top-level spec section (object): collapsible groups, checks the section on Next. */
  section: 'GpuStackSection',
  /** The node pools: presets, catalog-bound machine and GPU choices, checks on Next. */
  nodePools: 'GpuNodePools',
  /** The "What will happen" page: resources, GPUs, quota, mode consequences, state location. */
  review: 'GpuStackReview',
} as const;

/** How one spec field is presented. @public */
export interface FieldPresentation {
  /** Label of the field (JSON Schema `title`). */
  title: string;
  /** One or two sentences under the field (`ui:help`; the description of an object). */
  help: string;
  /** Example shown in an empty text field (`ui:placeholder`). */
  placeholder?: string;
  /** Labels of enum values (of the items, for arrays of enums; `true`/`false` for booleans). */
  enumLabels?: Readonly<Record<string, string>>;
  /** Title of the collapsed group of its object the field sits in; omitted: always visible. */
  group?: string;
  /**
   * RJSF widget, when the default one does not fit. `select` on an optional boolean offers
   * "automatic" (the placeholder: the spec derives the value) next to on and off.
   */
  widget?: 'checkboxes' | 'radio' | 'textarea' | 'select';
  /** A field extension rendering this field (`ui:field`), with its options. */
  field?: string;
  fieldOptions?: Readonly<Record<string, unknown>>;
  /**
   * Shown only while a sibling field has one of these values (rendered as JSON Schema
   * `dependencies`, so nothing hidden is validated or required); `required` makes the field
   * required while shown.
   */
  showWhen?: {
    sibling: string;
    oneOf: readonly (string | boolean)[];
    required?: boolean;
  };
  /** Objects: render collapsible, starting collapsed. */
  collapsed?: boolean;
  /** Hide from the scaffolder's final review table (the "What will happen" page covers it). */
  hideInReview?: boolean;
}

/** Human names of the GPU models. @public */
export const GPU_MODEL_NAMES: Readonly<Record<GpuType, string>> = {
  'nvidia-h200-141gb': 'NVIDIA H200 141GB',
  'nvidia-b200': 'NVIDIA B200',
  'nvidia-h100-mega-80gb': 'NVIDIA H100 Mega 80GB',
  'nvidia-h100-80gb': 'NVIDIA H100 80GB',
  'nvidia-a100-80gb': 'NVIDIA A100 80GB',
  'nvidia-tesla-a100': 'NVIDIA A100 40GB',
  'nvidia-l4': 'NVIDIA L4',
  'nvidia-tesla-t4': 'NVIDIA T4',
};

/** "a3-ultragpu-8g — 8× NVIDIA H200 141GB, RDMA": what a machine type carries. */
const MACHINE_TYPE_LABELS = Object.fromEntries(
  ACCELERATOR_CATALOG.map(e => [
    e.machineType,
    `${e.machineType} — ${e.gpuCounts.join(', ')}× ${
      GPU_MODEL_NAMES[e.gpuType]
    }${e.rdmaNics ? ', RDMA' : ''}`,
  ]),
);

const ON_OFF = { true: 'On', false: 'Off' } as const;

const MODE_LABELS = {
  'queued-provisioning':
    'DWS queued provisioning: all nodes at once, through Kueue',
  'flex-start': 'DWS flex-start: nodes as capacity frees up, up to 7 days',
  spot: 'Spot: cheapest, can be preempted at any time',
  'on-demand': 'On-demand: standard VMs, needs regular GPU quota',
  reservation: 'Reservation: consume capacity you reserved',
  'compute-class':
    'Compute Class: fall back through Spot, flex-start and on-demand',
} as const;

const TIER_LABELS = {
  spot: 'Spot',
  'flex-start': 'DWS flex-start',
  'on-demand': 'On-demand',
} as const;

/**
 * Every spec field, in display order within its object. Objects list their children right after
 * themselves; the order here is the order in the form.
 * @public
 */
export const FIELD_PRESENTATION: Readonly<Record<string, FieldPresentation>> = {
  // --- Where and who ---------------------------------------------------------------------------
  identity: {
    title: 'Project, location and owner',
    help: 'Where the cluster is created and which team owns it.',
    field: GPU_STACK_FIELD_EXTENSIONS.section,
  },
  'identity.owner': {
    title: 'Owner',
    help: 'The team that owns the cluster: it appears as owner in the catalog and as the owner label on every cloud resource. You can choose the groups gpuCluster.policy lets you create GPU clusters for.',
    field: 'OwnerPicker',
    fieldOptions: { catalogFilter: [{ kind: 'Group' }] },
  },
  'identity.projectId': {
    title: 'Google Cloud project',
    help: 'The project that will hold the cluster, its networks and buckets: one of those gpuCluster.policy allows the owner. You need GPU quota there.',
    placeholder: 'ml-research-1',
  },
  'identity.namePrefix': {
    title: 'Name prefix',
    help: 'A short lowercase name, unique within the project; every resource is named after it (the cluster becomes <prefix>-gke).',
    placeholder: 'research',
  },
  'identity.region': {
    title: 'Region',
    help: 'Regions where the chosen GPUs are offered.',
  },
  'identity.zones': {
    title: 'Zones',
    help: 'Zones of the region where the chosen machine type is offered. GPU nodes start only in these zones; RDMA machines need exactly one.',
    widget: 'checkboxes',
  },
  'identity.system': {
    title: 'System',
    help: 'The catalog system the cluster belongs to.',
    group: 'Catalog and billing labels',
  },
  'identity.costCenter': {
    title: 'Cost center',
    help: 'Billing cost center, stamped as the cost-center label so billing reports can split GPU spend by team.',
    placeholder: 'cc-1234',
    group: 'Catalog and billing labels',
  },
  'identity.labels': {
    title: 'Extra labels',
    help: 'More Google Cloud labels for every resource that takes labels (lowercase keys and values).',
    group: 'Catalog and billing labels',
  },

  // --- GPU node pools --------------------------------------------------------------------------
  nodePools: {
    title: 'GPUs',
    help: 'Start from a preset, then adjust. Each node pool is one machine type with its own way of obtaining capacity.',
    field: GPU_STACK_FIELD_EXTENSIONS.nodePools,
    hideInReview: true,
  },
  'nodePools[]': {
    title: 'GPU node pool',
    help: 'Nodes of one machine type, scaled by the autoscaler between the minimum and maximum.',
  },
  'nodePools[].machineType': {
    title: 'Machine type',
    help: 'The VM shape; it fixes the GPU model and how many GPUs each node has.',
    enumLabels: MACHINE_TYPE_LABELS,
  },
  'nodePools[].provisioning': {
    title: 'How capacity is obtained',
    help: 'DWS modes wait for capacity and bill only once nodes exist; Spot is cheapest but can be preempted; on-demand and reservations start right away when quota or reserved capacity exists.',
  },
  'nodePools[].provisioning.mode': {
    title: 'Provisioning mode',
    help: 'Decides how long jobs may wait for GPUs, whether nodes can be taken away, and which GPU quota is used.',
    enumLabels: MODE_LABELS,
  },
  'nodePools[].provisioning.maxRunDurationSeconds': {
    title: 'Maximum node lifetime (seconds)',
    help: 'DWS nodes are removed after this long; at most 7 days (604800). Leave empty for the GKE default.',
    placeholder: '604800',
    showWhen: {
      sibling: 'mode',
      oneOf: ['flex-start', 'queued-provisioning'],
    },
  },
  'nodePools[].provisioning.reservation': {
    title: 'Reservation',
    help: 'The Compute Engine reservation the nodes consume; it must be for this machine type in the chosen zone.',
    showWhen: { sibling: 'mode', oneOf: ['reservation'], required: true },
  },
  'nodePools[].provisioning.reservation.name': {
    title: 'Reservation name',
    help: 'Name of a specific reservation.',
    placeholder: 'a100-reservation',
  },
  'nodePools[].provisioning.reservation.projectId': {
    title: 'Reservation project',
    help: 'Only for a shared reservation owned by another project.',
    placeholder: 'capacity-project',
  },
  'nodePools[].provisioning.computeClass': {
    title: 'Compute Class',
    help: 'GKE tries each tier in order and falls back to the next when it cannot get nodes.',
    showWhen: { sibling: 'mode', oneOf: ['compute-class'] },
  },
  'nodePools[].provisioning.computeClass.name': {
    title: 'Compute Class name',
    help: 'Name of the ComputeClass object; empty names it after the node pool.',
    placeholder: '<pool>-ccc',
  },
  'nodePools[].provisioning.computeClass.tiers': {
    title: 'Fallback order',
    help: 'Tried first to last; one node pool is created per tier.',
    enumLabels: TIER_LABELS,
  },
  'nodePools[].provisioning.computeClass.whenUnsatisfiable': {
    title: 'When no tier has capacity',
    help: 'Wait (do not scale up) or scale up on any machine the autoscaler can get.',
    enumLabels: {
      DoNotScaleUp: 'Wait for a tier',
      ScaleUpAnyway: 'Scale up anyway',
    },
  },
  'nodePools[].maxNodes': {
    title: 'Maximum nodes',
    help: 'The most nodes the pool may grow to; GPUs at most = maximum nodes × GPUs per node. The quota you need follows from it.',
  },
  'nodePools[].name': {
    title: 'Node pool name',
    help: 'Name of the GKE node pool (lowercase, at most 40 characters).',
    group: 'Node pool details',
  },
  'nodePools[].gpu': {
    title: 'GPUs per node',
    help: 'Set by the machine type; N1 machines take 1, 2 or 4 T4s.',
    group: 'Node pool details',
  },
  'nodePools[].gpu.type': {
    title: 'GPU model',
    help: 'The GPU the machine type carries; empty uses it.',
    placeholder: 'From the machine type',
    enumLabels: GPU_MODEL_NAMES,
  },
  'nodePools[].gpu.count': {
    title: 'GPUs per node',
    help: 'Empty uses the machine type’s GPU count.',
    placeholder: 'From the machine type',
  },
  'nodePools[].gpu.driverVersion': {
    title: 'GPU driver',
    help: 'GKE installs and updates the NVIDIA driver.',
    enumLabels: {
      LATEST: 'Latest driver for the GKE version',
      DEFAULT: 'Default driver for the GKE version',
      INSTALLATION_DISABLED: 'Do not install (bring your own)',
    },
  },
  'nodePools[].disk': {
    title: 'Boot disk',
    help: 'The boot disk of each node.',
    group: 'Node pool details',
  },
  'nodePools[].disk.type': {
    title: 'Disk type',
    placeholder: 'What the machine needs',
    help: 'Empty picks what the machine needs: Hyperdisk Balanced on A3 Ultra and A4, SSD persistent disk elsewhere.',
    enumLabels: {
      'hyperdisk-balanced': 'Hyperdisk Balanced',
      'pd-ssd': 'SSD persistent disk',
      'pd-balanced': 'Balanced persistent disk',
      'pd-standard': 'Standard persistent disk',
    },
  },
  'nodePools[].disk.sizeGb': {
    title: 'Disk size (GB)',
    help: 'Room for container images and local scratch data.',
  },
  'nodePools[].minNodes': {
    title: 'Minimum nodes',
    help: 'Nodes kept even when idle (and billed). DWS queued pools must start empty.',
    group: 'Node pool details',
  },
  'nodePools[].autoscaling': {
    title: 'Autoscaling',
    help: 'Let the cluster autoscaler add and remove nodes; DWS and Compute Class pools need it.',
    group: 'Node pool details',
  },
  'nodePools[].locationPolicy': {
    title: 'Zone choice when scaling up',
    help: 'ANY takes capacity wherever it is; BALANCED spreads nodes over the zones.',
    group: 'Node pool details',
    enumLabels: {
      ANY: 'Any zone with capacity',
      BALANCED: 'Balance across zones',
    },
  },
  'nodePools[].autoRepair': {
    title: 'Auto-repair nodes',
    help: 'Empty: off for DWS pools (required) and on otherwise.',
    group: 'Node pool details',
    widget: 'select',
    placeholder: 'Automatic: off for DWS pools, on otherwise',
    enumLabels: ON_OFF,
  },
  'nodePools[].autoUpgrade': {
    title: 'Auto-upgrade nodes',
    help: 'On: GKE upgrades nodes as they are created and never drains running DWS nodes. Off needs "No channel" and a pinned version.',
    group: 'Node pool details',
    widget: 'select',
    placeholder: 'Automatic: on',
    enumLabels: ON_OFF,
  },
  'nodePools[].compactPlacement': {
    title: 'Compact placement',
    help: 'Place nodes physically close for lower latency; not with queued provisioning.',
    group: 'Node pool details',
  },
  'nodePools[].rdma': {
    title: 'RDMA networking',
    help: 'Attach the gVNIC and RDMA networks (GPUDirect RDMA); empty turns it on for machines with RDMA NICs.',
    group: 'Node pool details',
    widget: 'select',
    placeholder: 'Automatic: on for machines with RDMA NICs',
    enumLabels: ON_OFF,
  },

  // --- Cluster ---------------------------------------------------------------------------------
  cluster: {
    title: 'Cluster',
    help: 'The private GKE Standard cluster: version, control plane access, add-ons and the CPU system pool.',
    field: GPU_STACK_FIELD_EXTENSIONS.section,
    collapsed: true,
    hideInReview: true,
  },
  'cluster.name': {
    title: 'Cluster name',
    help: 'Empty names it <prefix>-gke.',
    placeholder: '<prefix>-gke',
  },
  'cluster.regional': {
    title: 'Regional control plane',
    help: 'Replicate the control plane across the region’s zones; off makes a zonal cluster in the first zone.',
  },
  'cluster.releaseChannel': {
    title: 'Release channel',
    help: 'How quickly GKE moves the cluster to new Kubernetes versions.',
    enumLabels: {
      RAPID: 'Rapid',
      REGULAR: 'Regular',
      STABLE: 'Stable',
      EXTENDED: 'Extended',
      UNSPECIFIED: 'No channel',
    },
  },
  'cluster.version': {
    title: 'Minimum GKE version',
    help: 'Empty takes the channel’s default version.',
    placeholder: '1.33',
  },
  'cluster.deletionProtection': {
    title: 'Deletion protection',
    help: 'Refuse to delete the cluster until this is turned off.',
  },
  'cluster.systemNodePool': {
    title: 'System node pool',
    help: 'CPU nodes for system workloads, Kueue and the Ray head.',
  },
  'cluster.systemNodePool.machineType': {
    title: 'Machine type',
    help: 'A general-purpose machine type.',
    placeholder: 'e2-standard-8',
  },
  'cluster.systemNodePool.nodeCount': {
    title: 'Nodes per zone',
    help: 'System nodes run all the time.',
  },
  'cluster.privateNodes': {
    title: 'Private nodes',
    help: 'Nodes get internal IP addresses only.',
    group: 'Control plane access',
  },
  'cluster.privateEndpoint': {
    title: 'Private endpoint only',
    help: 'No public IP endpoint: the control plane IP is reachable only from inside the network.',
    group: 'Control plane access',
  },
  'cluster.dnsEndpoint': {
    title: 'DNS endpoint (IAM-authorized)',
    help: 'Reach the private cluster by a DNS name, allowed by IAM rather than by IP ranges: the template and kubectl work from anywhere. Off: add your runner’s range to the authorized networks.',
    group: 'Control plane access',
  },
  'cluster.masterIpv4CidrBlock': {
    title: 'Control plane range',
    help: 'A /28 range for the private control plane, not overlapping any subnet.',
    placeholder: '172.16.0.32/28',
    group: 'Control plane access',
  },
  'cluster.masterGlobalAccess': {
    title: 'Control plane reachable from all regions',
    help: 'Allow access to the private endpoint from every region of the network.',
    group: 'Control plane access',
  },
  'cluster.authorizedNetworks': {
    title: 'Authorized networks',
    help: 'Address ranges allowed to reach the control plane (for example your office, as a.b.c.d/32).',
    group: 'Control plane access',
  },
  'cluster.authorizedNetworks[]': {
    title: 'Authorized network',
    help: 'One address range allowed to reach the control plane.',
  },
  'cluster.authorizedNetworks[].cidrBlock': {
    title: 'Address range',
    help: 'A CIDR block.',
    placeholder: '203.0.113.7/32',
  },
  'cluster.authorizedNetworks[].displayName': {
    title: 'Label',
    help: 'Shown in the Google Cloud console.',
    placeholder: 'office',
  },
  'cluster.dataplaneV2': {
    title: 'Dataplane V2',
    help: 'eBPF networking; required for multi-networking.',
    group: 'Add-ons and observability',
  },
  'cluster.multiNetworking': {
    title: 'Multi-networking',
    help: 'Additional pod networks; required for gVNIC and RDMA.',
    group: 'Add-ons and observability',
  },
  'cluster.rayOperator': {
    title: 'Ray operator',
    help: 'GKE’s managed KubeRay operator; required for the Ray cluster.',
    group: 'Add-ons and observability',
  },
  'cluster.gcsFuseCsi': {
    title: 'Cloud Storage FUSE driver',
    help: 'Mount buckets in pods; required for the training bucket in Ray.',
    group: 'Add-ons and observability',
  },
  'cluster.workloadIdentity': {
    title: 'Workload Identity',
    help: 'Pods act as a Google service account without keys.',
    group: 'Add-ons and observability',
  },
  'cluster.logging': {
    title: 'Cloud Logging',
    help: 'Which components send logs.',
    widget: 'checkboxes',
    group: 'Add-ons and observability',
    enumLabels: {
      SYSTEM_COMPONENTS: 'System components',
      WORKLOADS: 'Workloads',
      APISERVER: 'API server',
      SCHEDULER: 'Scheduler',
      CONTROLLER_MANAGER: 'Controller manager',
    },
  },
  'cluster.monitoring': {
    title: 'Cloud Monitoring',
    help: 'Which components send metrics; DCGM exports GPU metrics.',
    widget: 'checkboxes',
    group: 'Add-ons and observability',
    enumLabels: {
      SYSTEM_COMPONENTS: 'System components',
      DCGM: 'GPU metrics (DCGM)',
      APISERVER: 'API server',
      SCHEDULER: 'Scheduler',
      CONTROLLER_MANAGER: 'Controller manager',
      STORAGE: 'Storage',
      POD: 'Pods',
      DEPLOYMENT: 'Deployments',
    },
  },
  'cluster.managedPrometheus': {
    title: 'Managed Prometheus',
    help: 'Google Cloud Managed Service for Prometheus.',
    group: 'Add-ons and observability',
  },

  // --- Network ---------------------------------------------------------------------------------
  network: {
    title: 'Network',
    help: 'The node network, the gVNIC network and the RDMA network with one subnet per RDMA NIC. Ranges must not overlap.',
    field: GPU_STACK_FIELD_EXTENSIONS.section,
    collapsed: true,
    hideInReview: true,
  },
  'network.primary': {
    title: 'Node network',
    help: 'The subnet of the nodes and the ranges of pods and services.',
  },
  'network.primary.subnetCidr': {
    title: 'Node subnet',
    help: 'Addresses of the nodes.',
    placeholder: '10.0.0.0/20',
  },
  'network.primary.podsCidr': {
    title: 'Pod range',
    help: 'Addresses of the pods.',
    placeholder: '10.4.0.0/14',
  },
  'network.primary.servicesCidr': {
    title: 'Service range',
    help: 'Addresses of Kubernetes services.',
    placeholder: '10.0.32.0/20',
  },
  'network.gvnic': {
    title: 'gVNIC network',
    help: 'A second network for the extra NIC of GPU nodes.',
  },
  'network.gvnic.subnetCidr': {
    title: 'gVNIC subnet',
    help: 'Addresses of the extra NIC.',
    placeholder: '192.168.0.0/24',
  },
  'network.rdma': {
    title: 'RDMA network',
    help: 'Used only by machines with RDMA NICs (A3 Ultra, A4).',
  },
  'network.rdma.subnetCidrs': {
    title: 'RDMA subnets',
    help: 'One subnet per RDMA NIC, in NIC order (8 for A3 Ultra and A4).',
  },
  'network.rdma.mtu': {
    title: 'RDMA MTU',
    help: 'Maximum packet size on the RDMA network.',
  },
  'network.firewall': {
    title: 'Firewall',
    help: 'Rules of the stack’s networks.',
  },
  'network.firewall.internalSourceRanges': {
    title: 'Internal source ranges',
    help: 'Ranges allowed to talk to the nodes on the gVNIC network.',
  },
  'network.firewall.allowIapSsh': {
    title: 'SSH through IAP',
    help: 'Allow SSH to nodes through Identity-Aware Proxy.',
  },

  // --- Kueue -----------------------------------------------------------------------------------
  kueue: {
    title: 'Job queueing (Kueue)',
    help: 'Kueue admits jobs onto GPU capacity; DWS queued provisioning needs it.',
    field: GPU_STACK_FIELD_EXTENSIONS.section,
    collapsed: true,
    hideInReview: true,
  },
  'kueue.enabled': {
    title: 'Install Kueue',
    help: 'Install Kueue and create the queues.',
  },
  'kueue.namespace': {
    title: 'Job namespace',
    help: 'Namespace of the queue users submit jobs to.',
  },
  'kueue.localQueueName': {
    title: 'Queue name',
    help: 'Jobs name it with the kueue.x-k8s.io/queue-name label.',
  },
  'kueue.gpuQuota': {
    title: 'GPU quota of the queue',
    help: 'How many GPUs the queue may admit at once. Empty: what the pools can hold, less what an autoscaling Ray cluster may take; the Ray cluster and the NCCL check must both fit.',
  },
  'kueue.version': {
    title: 'Kueue version',
    help: 'The pinned Kueue release (v0.15.0 or later).',
    group: 'Versions and object names',
  },
  'kueue.clusterQueueName': {
    title: 'ClusterQueue name',
    help: 'Name of the cluster-wide queue.',
    group: 'Versions and object names',
  },
  'kueue.admissionCheckName': {
    title: 'Admission check name',
    help: 'Name of the DWS admission check.',
    group: 'Versions and object names',
  },
  'kueue.provisioningRequestConfigName': {
    title: 'ProvisioningRequestConfig name',
    help: 'Name of the DWS provisioning configuration.',
    group: 'Versions and object names',
  },

  // --- Ray -------------------------------------------------------------------------------------
  ray: {
    title: 'Ray cluster',
    help: 'A KubeRay cluster with GPU workers on the node pools and the training bucket mounted.',
    field: GPU_STACK_FIELD_EXTENSIONS.section,
    collapsed: true,
    hideInReview: true,
  },
  'ray.enabled': {
    title: 'Create a Ray cluster',
    help: 'Create the RayCluster.',
  },
  'ray.name': {
    title: 'Ray cluster name',
    help: 'Name of the RayCluster object.',
  },
  'ray.namespace': {
    title: 'Namespace',
    help: 'Namespace of the Ray cluster.',
  },
  'ray.workerGroups': {
    title: 'Worker groups',
    help: 'GPU workers; each group runs on one node pool.',
  },
  'ray.workerGroups[]': {
    title: 'Worker group',
    help: 'Workers of one node pool.',
  },
  'ray.workerGroups[].name': {
    title: 'Group name',
    help: 'Name of the worker group.',
  },
  'ray.workerGroups[].nodePool': {
    title: 'Node pool',
    help: 'Empty uses the first node pool.',
    placeholder: 'h200-dws',
  },
  'ray.workerGroups[].minReplicas': {
    title: 'Minimum workers',
    help: 'Workers kept at all times, billed while idle. On a queued (DWS) pool this is the Ray cluster’s fixed size and it holds that many nodes’ GPUs of the queue while it exists; 0 keeps only the head, and GPU work runs as Ray jobs through the queue.',
  },
  'ray.workerGroups[].maxReplicas': {
    title: 'Maximum workers',
    help: 'Autoscaling ceiling outside queued pools; these GPUs come out of the queue’s quota. Empty: the pool minus what the NCCL check needs. Leave empty on a queued pool.',
  },
  'ray.workerGroups[].gpusPerWorker': {
    title: 'GPUs per worker',
    help: 'Empty gives each worker all GPUs of a node.',
  },
  'ray.workerGroups[].cpu': {
    title: 'CPU per worker',
    help: 'Empty requests 80% of the node’s vCPUs.',
    placeholder: '160',
  },
  'ray.workerGroups[].memory': {
    title: 'Memory per worker',
    help: 'Empty requests 80% of the node’s memory.',
    placeholder: '1400Gi',
  },
  'ray.dashboard': {
    title: 'Ray dashboard',
    help: 'The dashboard can run code on the cluster, so it is never exposed without authentication.',
  },
  'ray.dashboard.exposure': {
    title: 'Access',
    help: 'Port-forward from your machine, or an ingress behind Identity-Aware Proxy.',
    enumLabels: {
      'port-forward': 'kubectl port-forward only',
      'authenticated-ingress': 'Ingress behind Identity-Aware Proxy',
      none: 'No dashboard access',
    },
  },
  'ray.dashboard.host': {
    title: 'Dashboard host name',
    help: 'DNS name of the authenticated ingress.',
    placeholder: 'ray.example.com',
    showWhen: {
      sibling: 'exposure',
      oneOf: ['authenticated-ingress'],
      required: true,
    },
  },
  'ray.autoscaling': {
    title: 'Ray autoscaling',
    help: 'Empty: on, and off when Kueue admits the Ray cluster (DWS queued pools).',
    group: 'Image and head',
    widget: 'select',
    placeholder:
      'Automatic: off when Kueue admits the Ray cluster, on otherwise',
    enumLabels: ON_OFF,
  },
  'ray.image': {
    title: 'Ray image',
    help: 'Container image of the head and workers.',
    group: 'Image and head',
  },
  'ray.rayVersion': {
    title: 'Ray version',
    help: 'The Ray version inside the image.',
    group: 'Image and head',
  },
  'ray.head': {
    title: 'Head node',
    help: 'The Ray head runs on the system pool.',
    group: 'Image and head',
  },
  'ray.head.cpu': {
    title: 'CPU',
    help: 'CPU of the head pod.',
  },
  'ray.head.memory': {
    title: 'Memory',
    help: 'Memory of the head pod.',
  },

  // --- Verification ----------------------------------------------------------------------------
  verification: {
    title: 'RDMA fabric check',
    help: 'After provisioning, an NCCL all-gather job measures the RDMA bandwidth between GPU nodes.',
    field: GPU_STACK_FIELD_EXTENSIONS.section,
    collapsed: true,
    hideInReview: true,
  },
  'verification.ncclAllGather': {
    title: 'NCCL all-gather test',
    help: 'Submitted through the queue, so it waits for DWS capacity like any job.',
  },
  'verification.ncclAllGather.enabled': {
    title: 'Run the test',
    help: 'Empty: run it when a node pool has RDMA NICs.',
    widget: 'select',
    placeholder: 'Automatic: when a node pool has RDMA NICs',
    enumLabels: ON_OFF,
  },
  'verification.ncclAllGather.nodePool': {
    title: 'Node pool',
    help: 'Empty uses the first RDMA node pool.',
  },
  'verification.ncclAllGather.nodes': {
    title: 'Nodes',
    help: 'Nodes the test spans (at least 2); it holds their GPUs of the queue for the minutes it runs.',
  },
  'verification.ncclAllGather.minBusBandwidthGBps': {
    title: 'Pass threshold (GB/s)',
    help: 'Average bus bandwidth the test must reach. Empty uses the figure for the machine type (240 GB/s on A3 Ultra and A4).',
    placeholder: 'Automatic: from the machine type',
  },
  'verification.ncclAllGather.maxRunDurationSeconds': {
    title: 'Time limit (seconds)',
    help: 'How long the test’s nodes may run.',
  },
  'verification.ncclAllGather.image': {
    title: 'Test image',
    help: 'Image with nccl-tests and the RDMA plugin.',
  },

  // --- Workload identity -----------------------------------------------------------------------
  workloadIdentity: {
    title: 'Service accounts',
    help: 'The Kubernetes service account of Ray and jobs, and the Google service account it acts as.',
    field: GPU_STACK_FIELD_EXTENSIONS.section,
    collapsed: true,
    hideInReview: true,
  },
  'workloadIdentity.kubernetesServiceAccount': {
    title: 'Kubernetes service account',
    help: 'Used by Ray and jobs.',
  },
  'workloadIdentity.namespace': {
    title: 'Namespace',
    help: 'Namespace of the Kubernetes service account.',
  },
  'workloadIdentity.gcpServiceAccountId': {
    title: 'Google service account',
    help: 'ID of the Google service account the pods act as.',
  },
  'workloadIdentity.secretAccess': {
    title: 'Read Secret Manager secrets',
    help: 'Let the pods read the project’s secrets.',
  },

  // --- Storage ---------------------------------------------------------------------------------
  storage: {
    title: 'Storage',
    help: 'A training-data bucket, more buckets and NFS shares mounted in the Ray pods.',
    field: GPU_STACK_FIELD_EXTENSIONS.section,
    collapsed: true,
    hideInReview: true,
  },
  'storage.trainingBucket': {
    title: 'Training-data bucket',
    help: 'A Cloud Storage bucket the pods can read and write.',
  },
  'storage.trainingBucket.enabled': {
    title: 'Create the bucket',
    help: 'Create the bucket and mount it in Ray pods.',
  },
  'storage.trainingBucket.name': {
    title: 'Bucket name',
    help: 'Empty names it <project>-<prefix>-data.',
    placeholder: '<project>-<prefix>-data',
  },
  'storage.trainingBucket.mountPath': {
    title: 'Mount path',
    help: 'Where the pods see the bucket.',
  },
  'storage.trainingBucket.hierarchicalNamespace': {
    title: 'Hierarchical namespace',
    help: 'Faster directory operations through the FUSE mount.',
  },
  'storage.gcsMounts': {
    title: 'More buckets',
    help: 'Existing buckets mounted in the Ray pods.',
  },
  'storage.gcsMounts[]': {
    title: 'Bucket mount',
    help: 'One existing bucket.',
  },
  'storage.gcsMounts[].bucket': {
    title: 'Bucket',
    help: 'Name of an existing bucket.',
    placeholder: 'datasets',
  },
  'storage.gcsMounts[].mountPath': {
    title: 'Mount path',
    help: 'Where the pods see it.',
    placeholder: '/datasets',
  },
  'storage.gcsMounts[].readOnly': {
    title: 'Read-only',
    help: 'Mount without write access.',
  },
  'storage.filestore': {
    title: 'NFS shares (Filestore)',
    help: 'Filestore instances mounted in the Ray pods.',
  },
  'storage.filestore[]': {
    title: 'NFS share',
    help: 'One Filestore instance.',
  },
  'storage.filestore[].mountPath': {
    title: 'Mount path',
    help: 'Where the pods see the share.',
    placeholder: '/shared',
  },
  'storage.filestore[].tier': {
    title: 'Tier',
    help: 'Each tier has a minimum size.',
    enumLabels: {
      BASIC_HDD: 'Basic HDD (from 1 TB)',
      BASIC_SSD: 'Basic SSD (from 2.5 TB)',
      HIGH_SCALE_SSD: 'High Scale SSD (from 10 TB)',
      ENTERPRISE: 'Enterprise (from 1 TB)',
    },
  },
  'storage.filestore[].capacityGb': {
    title: 'Capacity (GB)',
    help: 'Size of the share.',
  },

  // --- Images and builds -----------------------------------------------------------------------
  supplyChain: {
    title: 'Images and builds',
    help: 'Artifact Registry for images and Python packages, and an optional Cloud Build worker pool.',
    field: GPU_STACK_FIELD_EXTENSIONS.section,
    collapsed: true,
    hideInReview: true,
  },
  'supplyChain.artifactRegistry': {
    title: 'Artifact Registry',
    help: 'Each format gets a local, a remote (Docker Hub, PyPI) and a combined repository.',
  },
  'supplyChain.artifactRegistry.enabled': {
    title: 'Create repositories',
    help: 'Create the Artifact Registry repositories.',
  },
  'supplyChain.artifactRegistry.formats': {
    title: 'Formats',
    help: 'Repository formats.',
    widget: 'checkboxes',
    enumLabels: { docker: 'Container images', python: 'Python packages' },
  },
  'supplyChain.cloudBuild': {
    title: 'Cloud Build worker pool',
    help: 'A private pool for building large images.',
  },
  'supplyChain.cloudBuild.enabled': {
    title: 'Create a worker pool',
    help: 'Create the private Cloud Build pool.',
  },
  'supplyChain.cloudBuild.machineType': {
    title: 'Worker machine type',
    help: 'Large images need big workers.',
    showWhen: { sibling: 'enabled', oneOf: [true] },
  },
  'supplyChain.cloudBuild.diskSizeGb': {
    title: 'Worker disk (GB)',
    help: 'Disk of each build worker.',
    showWhen: { sibling: 'enabled', oneOf: [true] },
  },

  // --- Terraform state -------------------------------------------------------------------------
  terraformState: {
    title: 'Terraform state',
    help: 'Where Terraform keeps the record of what it created (needed to change or delete the stack later).',
    field: GPU_STACK_FIELD_EXTENSIONS.section,
    collapsed: true,
    hideInReview: true,
  },
  'terraformState.bucket': {
    title: 'State bucket',
    help: 'An existing bucket; empty uses aiinfra-terraform-<project>.',
    placeholder: 'aiinfra-terraform-<project>',
  },
  'terraformState.prefix': {
    title: 'State folder',
    help: 'Folder in the bucket; empty uses <prefix>-deployment/terraform/state.',
    placeholder: '<prefix>-deployment/terraform/state',
  },
};

/**
 * What each provisioning mode means for the people waiting on and paying for the GPUs, shown on
 * the form's "What will happen" page (GKE DWS, Spot and reservation docs).
 * @public
 */
export const PROVISIONING_MODE_CONSEQUENCES: Readonly<
  Record<ProvisioningMode, readonly string[]>
> = {
  'queued-provisioning': [
    'Jobs wait in the Kueue queue until Dynamic Workload Scheduler can start all the nodes they need at once: minutes when capacity is free, up to days when it is scarce.',
    'GPUs are billed only from the moment nodes are provisioned, at the discounted DWS price; an empty pool costs nothing.',
    'Nodes run at most 7 days, then are removed; the pool returns to zero nodes when the jobs finish.',
  ],
  'flex-start': [
    'Each node is requested from Dynamic Workload Scheduler and starts when capacity is found: minutes, up to days when GPUs are scarce.',
    'GPUs are billed only while nodes exist, at the discounted DWS price.',
    'Nodes run at most 7 days (or the maximum node lifetime you set), then are removed.',
  ],
  spot: [
    'Spot nodes can be preempted at any time with 30 seconds notice: jobs must checkpoint and be able to restart.',
    'Scale-up succeeds only while spare capacity exists; Spot is the cheapest way to get GPUs.',
  ],
  'on-demand': [
    'Nodes start as soon as the regular GPU quota and capacity allow; when the zone is out of GPUs, scale-up fails until capacity returns.',
    'On-demand prices apply while nodes exist, including idle nodes above the minimum.',
  ],
  reservation: [
    'Nodes consume the named reservation and start right away while it has free capacity; they are never preempted.',
    'The reservation is billed whether nodes use it or not.',
  ],
  'compute-class': [
    'GKE tries the tiers in your fallback order and moves to the next when one has no capacity; each tier behaves as its own mode (Spot can be preempted, flex-start waits and lasts at most 7 days).',
  ],
};

/** Spec properties the form never shows (constants that default). @public */
export const SPEC_FIELDS_NOT_IN_FORM = ['apiVersion', 'kind'] as const;

/** One page of the form. @public */
export interface FormPage {
  title: string;
  description: string;
  /** Top-level spec sections on the page, in display order. */
  sections: readonly string[];
  /** Required sections of the page (the rest have defaults). */
  required?: readonly string[];
  /** The "What will happen" page: a form-only field that never holds a value. */
  review?: { property: string; title: string };
  /**
   * Shown only to the users gpuCluster.policy lets create GPU clusters: the page is tagged
   * `GPU_CLUSTER_TEMPLATE_TAG` for the scaffolder's `scaffolder.template.parameter.read`.
   */
  creatorsOnly?: boolean;
}

/**
 * The form's pages; every spec section is on exactly one. The first page is everyone's: a user
 * the policy lets create nothing sees there why and what to ask the platform team for (and
 * cannot go on); the others only creators see.
 * @public
 */
export const FORM_PAGES: readonly FormPage[] = [
  {
    title: 'GPU cluster',
    description:
      'Pick a preset, then say where the cluster goes and which team owns it. Everything else has defaults you can keep.',
    sections: ['nodePools', 'identity'],
    required: ['identity'],
  },
  {
    title: 'Advanced settings',
    description:
      'Optional. Every section starts with working defaults; open one only to change it.',
    creatorsOnly: true,
    sections: [
      'cluster',
      'network',
      'kueue',
      'ray',
      'verification',
      'workloadIdentity',
      'storage',
      'supplyChain',
      'terraformState',
    ],
  },
  {
    title: 'What will happen',
    description:
      'What Create will provision, what it may cost in GPUs and quota, and how the provisioning mode behaves.',
    sections: [],
    review: { property: 'whatWillHappen', title: 'What will happen' },
    creatorsOnly: true,
  },
];

/** Converts a concrete spec path (`nodePools[0].name`) to its presentation key (`nodePools[].name`). @public */
export function presentationKey(path: ReadonlyArray<string | number>): string {
  return path.reduce<string>((key, segment) => {
    if (typeof segment === 'number') return `${key}[]`;
    return key ? `${key}.${segment}` : segment;
  }, '');
}
