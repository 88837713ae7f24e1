/**
 * The GPU stack spec: the single source of truth from which the template form (JSON Schema), the
 * Terraform variables, the Kubernetes manifests and the reference documentation derive.
 *
 * Every field carries a `.describe()`; cross-field rules live in {@link validateStack} (a
 * superRefine) so that an invalid combination is rejected, with the offending field path, before
 * anything is rendered.
 */
import { z } from 'zod';
import { MACHINE_TYPES, GPU_TYPES } from './catalog';
import { IPV4_CIDR_PATTERN } from './cidr';
import {
  BUCKET_NAME_PATTERN,
  DISPLAY_NAME_PATTERN,
  ENTITY_REF_PATTERN,
  GKE_NAME_PATTERN,
  GKE_VERSION_PATTERN,
  HOSTNAME_PATTERN,
  IMAGE_PATTERN,
  K8S_NAME_PATTERN,
  K8S_NAMESPACE_PATTERN,
  LABEL_KEY_PATTERN,
  LABEL_VALUE_PATTERN,
  MOUNT_PATH_PATTERN,
  NAME_PREFIX_PATTERN,
  OBJECT_PREFIX_PATTERN,
  PROJECT_ID_PATTERN,
  QUANTITY_PATTERN,
  RAY_VERSION_PATTERN,
  REGION_PATTERN,
  RESERVATION_NAME_PATTERN,
  SEMVER_TAG_PATTERN,
  SERVICE_ACCOUNT_ID_PATTERN,
  SYSTEM_NAME_PATTERN,
  ZONE_PATTERN,
} from './patterns';
import { validateStack } from './validate';
import {
  COMPUTE_CLASS_TIERS,
  DASHBOARD_EXPOSURES,
  DEFAULT_KUEUE_VERSION,
  DEFAULT_NCCL_TEST_IMAGE,
  DEFAULT_RAY_IMAGE,
  DEFAULT_RAY_VERSION,
  FILESTORE_TIERS,
  PROVISIONING_MODES,
} from './constants';

const pattern = (re: RegExp, what: string) =>
  z
    .string({
      error: issue =>
        issue.input === undefined ? `required: ${what}` : `must be ${what}`,
    })
    .regex(re, { message: `must be ${what}` });

const cidr = () =>
  pattern(IPV4_CIDR_PATTERN, 'an IPv4 CIDR block such as 192.168.0.0/24');
const k8sName = () =>
  pattern(
    K8S_NAME_PATTERN,
    'a Kubernetes name (lowercase letters, digits, hyphens; at most 63)',
  );
const k8sNamespace = () =>
  pattern(K8S_NAMESPACE_PATTERN, 'a Kubernetes namespace name');
const image = () =>
  pattern(
    IMAGE_PATTERN,
    'a container image reference (registry/path:tag[@sha256:digest])',
  );
const quantity = () =>
  pattern(QUANTITY_PATTERN, 'a Kubernetes quantity such as 8, 500m or 32Gi');
const mountPath = () =>
  pattern(
    MOUNT_PATH_PATTERN,
    'an absolute path of safe segments without ".." (e.g. /data)',
  );

const identitySchema = z
  .strictObject({
    projectId: pattern(
      PROJECT_ID_PATTERN,
      'a GCP project id (6-30 chars: lowercase letters, digits, hyphens)',
    ).describe('GCP project that holds every resource (seed 004 PROJECT_ID).'),
    namePrefix: pattern(
      NAME_PREFIX_PATTERN,
      'a lowercase name of at most 20 chars (letters, digits, hyphens; letter first)',
    ).describe(
      'Unique prefix of every resource name of this stack (seed 004 NAME_PREFIX).',
    ),
    region: pattern(REGION_PATTERN, 'a GCP region such as us-central1')
      .default('us-central1')
      .describe('GCP region of the cluster, subnets, bucket and registries.'),
    zones: z
      .array(pattern(ZONE_PATTERN, 'a GCP zone such as us-central1-b'))
      .min(1)
      .max(4)
      .default(['us-central1-b'])
      .describe(
        'Zones of the GPU node pools; the first one also names the RDMA network profile (<zone>-vpc-roce).',
      ),
    owner: pattern(
      ENTITY_REF_PATTERN,
      'a Backstage group or user reference such as group:default/ml-platform',
    ).describe(
      'Owning Backstage group; stamped on the catalog entity and as the `owner` label on every resource.',
    ),
    system: pattern(SYSTEM_NAME_PATTERN, 'a Backstage system name')
      .default('gpu-platform')
      .describe(
        'Backstage system the cluster belongs to; stamped as the `system` label.',
      ),
    costCenter: pattern(
      LABEL_VALUE_PATTERN,
      'a GCP label value (lowercase letters, digits, _ and -; at most 63)',
    )
      .optional()
      .describe(
        'Billing cost centre; stamped as the `cost-center` label on every resource that takes labels (a `cost-center` entry in labels does the same).',
      ),
    labels: z
      .record(
        pattern(
          LABEL_KEY_PATTERN,
          'a GCP label key (lowercase letter first; lowercase letters, digits, _ and -; at most 63)',
        ),
        pattern(
          LABEL_VALUE_PATTERN,
          'a GCP label value (lowercase letters, digits, _ and -; at most 63)',
        ),
      )
      .default({})
      .describe(
        'Extra GCP labels for every resource that takes labels (billing reports filter on them).',
      ),
  })
  .describe(
    'Who and where: project, naming, location, ownership and billing labels.',
  );

const networkSchema = z
  .strictObject({
    primary: z
      .strictObject({
        subnetCidr: cidr()
          .default('10.0.0.0/20')
          .describe('Primary range of the cluster (node) subnet.'),
        podsCidr: cidr()
          .default('10.4.0.0/14')
          .describe(
            'Secondary range for Pod IPs (VPC-native, --enable-ip-alias).',
          ),
        servicesCidr: cidr()
          .default('10.0.32.0/20')
          .describe('Secondary range for Service IPs.'),
      })
      .prefault({})
      .describe(
        'Primary VPC of the nodes (north-south traffic on the VM primary NIC).',
      ),
    gvnic: z
      .strictObject({
        subnetCidr: cidr()
          .default('192.168.0.0/24')
          .describe(
            'Subnet of the additional gVNIC VPC (seed 001: 192.168.0.0/24).',
          ),
      })
      .prefault({})
      .describe(
        'Second standard VPC for the additional Titanium gVNIC of GPU nodes (Kubernetes network gvnic-1).',
      ),
    rdma: z
      .strictObject({
        subnetCidrs: z
          .array(cidr())
          .max(16)
          .default(Array.from({ length: 8 }, (_, n) => `192.168.${n + 1}.0/24`))
          .describe(
            'One subnet per RDMA NIC, in NIC order (seed 001: 192.168.1.0/24 … 192.168.8.0/24).',
          ),
        mtu: z
          .number()
          .int()
          .min(1460)
          .max(8896)
          .default(8896)
          .describe('MTU of the RDMA VPC.'),
      })
      .prefault({})
      .describe(
        "RDMA VPC created with the zone's `<zone>-vpc-roce` network profile; used only when a pool has RDMA NICs.",
      ),
    firewall: z
      .strictObject({
        internalSourceRanges: z
          .array(cidr())
          .min(1)
          .default(['192.168.0.0/16'])
          .describe(
            'Source ranges allowed tcp/udp/icmp inside the gVNIC VPC (seed 001 internal rule).',
          ),
        allowIapSsh: z
          .boolean()
          .default(false)
          .describe(
            'Allow SSH from Identity-Aware Proxy (35.235.240.0/20) to nodes.',
          ),
      })
      .prefault({})
      .describe('Firewall rules of the stack VPCs.'),
  })
  .prefault({})
  .describe('VPCs, subnets and firewall rules. CIDRs must not overlap.');

const clusterSchema = z
  .strictObject({
    name: pattern(
      GKE_NAME_PATTERN,
      'a GKE cluster name (lowercase letters, digits, hyphens; at most 40)',
    )
      .optional()
      .describe('GKE cluster name; defaults to `<namePrefix>-gke`.'),
    regional: z
      .boolean()
      .default(true)
      .describe(
        'Regional control plane (seed 001 uses --region); false makes a zonal cluster in the first zone.',
      ),
    privateNodes: z
      .boolean()
      .default(true)
      .describe('Nodes get internal IPs only.'),
    privateEndpoint: z
      .boolean()
      .default(true)
      .describe(
        "No public IP endpoint: the control plane's IP is reachable only from inside the VPC (the DNS endpoint still admits IAM-authorized callers).",
      ),
    dnsEndpoint: z
      .boolean()
      .default(true)
      .describe(
        "GKE's DNS-based control-plane endpoint (gke-<id>.<region>.gke.goog): reachable from anywhere but authorized by IAM (container.clusters.connect), so the template and kubectl reach a private cluster without an IP allow-list. Off: list the runner's egress range in authorizedNetworks.",
      ),
    masterIpv4CidrBlock: cidr()
      .default('172.16.0.32/28')
      .describe('/28 range of the private control plane.'),
    masterGlobalAccess: z
      .boolean()
      .default(false)
      .describe('Allow control plane access from every region of the VPC.'),
    authorizedNetworks: z
      .array(
        z.strictObject({
          cidrBlock: cidr().describe(
            'CIDR allowed to reach the control plane (e.g. your IP/32; seed 000 TF_VAR_client_ip).',
          ),
          displayName: pattern(
            DISPLAY_NAME_PATTERN,
            'letters, digits, spaces, _ . or - (at most 64)',
          )
            .default('')
            .describe('Label of the entry in the GKE console.'),
        }),
      )
      .max(50)
      .default([])
      .describe(
        "Master authorized networks of the control plane's IP endpoints (at most /16 for public ranges; 0.0.0.0/0 is refused). Not needed with the DNS endpoint.",
      ),
    releaseChannel: z
      .enum(['UNSPECIFIED', 'RAPID', 'REGULAR', 'STABLE', 'EXTENDED'])
      .default('REGULAR')
      .describe('GKE release channel.'),
    version: pattern(
      GKE_VERSION_PATTERN,
      'a GKE version such as 1.33.1-gke.1107000 or a prefix such as 1.33',
    )
      .optional()
      .describe(
        'Minimum control plane version (seed 001 GKE_VERSION); empty takes the channel default.',
      ),
    dataplaneV2: z
      .boolean()
      .default(true)
      .describe(
        'Dataplane V2 (ADVANCED_DATAPATH); required by multi-networking.',
      ),
    multiNetworking: z
      .boolean()
      .default(true)
      .describe(
        'Multi-networking (required for the gVNIC and RDMA additional networks).',
      ),
    rayOperator: z
      .boolean()
      .default(true)
      .describe('GKE Ray operator add-on (installs KubeRay).'),
    gcsFuseCsi: z
      .boolean()
      .default(true)
      .describe('GCS FUSE CSI driver add-on.'),
    workloadIdentity: z
      .boolean()
      .default(true)
      .describe('Workload Identity (<project>.svc.id.goog pool).'),
    logging: z
      .array(
        z.enum([
          'SYSTEM_COMPONENTS',
          'WORKLOADS',
          'APISERVER',
          'SCHEDULER',
          'CONTROLLER_MANAGER',
        ]),
      )
      .default(['SYSTEM_COMPONENTS', 'WORKLOADS'])
      .describe('Cloud Logging components.'),
    monitoring: z
      .array(
        z.enum([
          'SYSTEM_COMPONENTS',
          'DCGM',
          'APISERVER',
          'SCHEDULER',
          'CONTROLLER_MANAGER',
          'STORAGE',
          'POD',
          'DEPLOYMENT',
        ]),
      )
      .default(['SYSTEM_COMPONENTS', 'DCGM'])
      .describe('Cloud Monitoring components (DCGM exports GPU metrics).'),
    managedPrometheus: z
      .boolean()
      .default(true)
      .describe('Google Cloud Managed Service for Prometheus.'),
    systemNodePool: z
      .strictObject({
        machineType: pattern(
          /^[a-z][a-z0-9]*-(?:standard|highmem|highcpu)-\d{1,3}$/,
          'a general-purpose machine type such as e2-standard-8',
        )
          .default('e2-standard-8')
          .describe(
            'Machine type of the CPU system pool (seed 001 --machine-type=e2-standard-8).',
          ),
        nodeCount: z
          .number()
          .int()
          .min(1)
          .max(100)
          .default(2)
          .describe(
            'Nodes per zone of the system pool (seed 001 --num-nodes=2).',
          ),
      })
      .prefault({})
      .describe('CPU node pool for system workloads, Kueue and the Ray head.'),
    deletionProtection: z
      .boolean()
      .default(true)
      .describe(
        'Terraform deletion protection of the cluster; `gpu-cluster destroy` turns it off itself before deleting the stack.',
      ),
  })
  .prefault({})
  .describe('Private GKE Standard cluster settings.');

const provisioningSchema = z
  .strictObject({
    mode: z
      .enum(PROVISIONING_MODES)
      .default('queued-provisioning')
      .describe(
        'How GPU capacity is obtained: queued-provisioning (DWS flex-start + queued provisioning through Kueue, all-or-nothing), flex-start (DWS without a queue), spot, on-demand, reservation, or compute-class (Custom Compute Class falling back through `computeClass.tiers`).',
      ),
    maxRunDurationSeconds: z
      .number()
      .int()
      .min(600)
      .max(604800)
      .optional()
      .describe(
        'Node max run duration (flex-start caps it at 7 days = 604800 s); empty leaves the GKE default.',
      ),
    reservation: z
      .strictObject({
        name: pattern(
          RESERVATION_NAME_PATTERN,
          'a Compute Engine reservation name',
        ).describe('Specific reservation to consume.'),
        projectId: pattern(PROJECT_ID_PATTERN, 'a GCP project id')
          .optional()
          .describe('Project of a shared reservation.'),
      })
      .optional()
      .describe('Reservation consumed in `reservation` mode.'),
    computeClass: z
      .strictObject({
        name: k8sName()
          .optional()
          .describe('ComputeClass name; defaults to `<pool>-ccc`.'),
        tiers: z
          .array(z.enum(COMPUTE_CLASS_TIERS))
          .min(1)
          .max(3)
          .default(['spot', 'flex-start', 'on-demand'])
          .describe(
            'Fallback order; one manual node pool per tier is created (seed 000: Spot first, then on-demand).',
          ),
        whenUnsatisfiable: z
          .enum(['DoNotScaleUp', 'ScaleUpAnyway'])
          .default('DoNotScaleUp')
          .describe('What the autoscaler does when no tier can be obtained.'),
      })
      .prefault({})
      .describe('Custom Compute Class used in `compute-class` mode.'),
  })
  .prefault({})
  .describe('Provisioning model of the node pool.');

const nodePoolSchema = z
  .strictObject({
    name: pattern(
      GKE_NAME_PATTERN,
      'a GKE node pool name (lowercase letters, digits, hyphens; at most 40)',
    )
      .default('h200-dws')
      .describe('Node pool name (seed 001 NODEPOOL_NAME).'),
    machineType: z
      .enum(MACHINE_TYPES)
      .default('a3-ultragpu-8g')
      .describe('GPU machine type from the accelerator catalog.'),
    gpu: z
      .strictObject({
        type: z
          .enum(GPU_TYPES as [string, ...string[]])
          .optional()
          .describe("GPU type; defaults to the machine type's GPU."),
        count: z
          .number()
          .int()
          .min(1)
          .max(16)
          .optional()
          .describe("GPUs per VM; defaults to the machine type's count."),
        driverVersion: z
          .enum(['DEFAULT', 'LATEST', 'INSTALLATION_DISABLED'])
          .default('LATEST')
          .describe(
            'GKE-managed GPU driver version (seed 001 gpu-driver-version=latest).',
          ),
      })
      .prefault({})
      .describe('Accelerators of each VM.'),
    disk: z
      .strictObject({
        type: z
          .enum(['hyperdisk-balanced', 'pd-ssd', 'pd-balanced', 'pd-standard'])
          .optional()
          .describe(
            'Boot disk type; defaults to hyperdisk-balanced on A3 Ultra/A4 (which require it) and pd-ssd elsewhere.',
          ),
        sizeGb: z
          .number()
          .int()
          .min(50)
          .max(65536)
          .default(500)
          .describe('Boot disk size in GB.'),
      })
      .prefault({})
      .describe('Boot disk of each node.'),
    minNodes: z
      .number()
      .int()
      .min(0)
      .max(1000)
      .default(0)
      .describe('Minimum nodes in total (0 for DWS: the pool starts empty).'),
    maxNodes: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(4)
      .describe('Maximum nodes in total (seed 001 TOTAL_MAX_NODES).'),
    autoscaling: z
      .boolean()
      .default(true)
      .describe('Cluster autoscaler on (required for DWS).'),
    locationPolicy: z
      .enum(['ANY', 'BALANCED'])
      .default('ANY')
      .describe('Autoscaler location policy (seed 001 --location-policy=ANY).'),
    autoRepair: z
      .boolean()
      .optional()
      .describe(
        'Node auto-repair; defaults to off for flex-start/queued pools (required) and on otherwise.',
      ),
    autoUpgrade: z
      .boolean()
      .optional()
      .describe(
        'Node auto-upgrade; on by default (GKE upgrades DWS flex-start and queued nodes short-lived: new nodes get the new version, running ones are never drained). Off only with cluster.releaseChannel UNSPECIFIED: GKE refuses it on a release channel.',
      ),
    compactPlacement: z
      .boolean()
      .default(false)
      .describe('COMPACT placement policy (not with queued provisioning).'),
    rdma: z
      .boolean()
      .optional()
      .describe(
        'Attach the gVNIC and RDMA additional networks; defaults to true on machines with RDMA NICs.',
      ),
    provisioning: provisioningSchema,
  })
  .describe('A GPU node pool.');

const kueueSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe(
        'Install Kueue and create the queues (required by queued provisioning).',
      ),
    version: pattern(SEMVER_TAG_PATTERN, 'a release tag such as v0.19.2')
      .default(DEFAULT_KUEUE_VERSION)
      .describe(
        'Pinned Kueue release (v0.15.0 or later: the queues use the v1beta2 API).',
      ),
    namespace: k8sNamespace()
      .default('default')
      .describe('Namespace of the LocalQueue (where jobs are submitted).'),
    clusterQueueName: k8sName()
      .default('dws-cluster-queue')
      .describe('ClusterQueue name.'),
    localQueueName: k8sName()
      .default('dws-local-queue')
      .describe(
        'LocalQueue name jobs refer to with kueue.x-k8s.io/queue-name.',
      ),
    admissionCheckName: k8sName()
      .default('dws-prov')
      .describe('AdmissionCheck name of the DWS ProvisioningRequest check.'),
    provisioningRequestConfigName: k8sName()
      .default('dws-config')
      .describe('ProvisioningRequestConfig name.'),
    gpuQuota: z
      .number()
      .int()
      .min(1)
      .max(100000)
      .optional()
      .describe(
        "Cap of the nvidia.com/gpu quota of each GPU pool's flavor. A pool's queue quota is its capacity (maxNodes × GPUs) minus the GPUs an autoscaling RayCluster may take outside the queue; a Kueue-admitted RayCluster holds its workers' GPUs of it while it exists, and the NCCL verification its nodes' GPUs while it runs — both must fit.",
      ),
  })
  .prefault({})
  .describe('Kueue job queueing (seed 001 step 8-9).');

const workerGroupSchema = z.strictObject({
  name: k8sName().default('gpu-workers').describe('Worker group name.'),
  nodePool: pattern(GKE_NAME_PATTERN, 'a node pool name of this spec')
    .optional()
    .describe('GPU node pool the workers run on; defaults to the first pool.'),
  minReplicas: z
    .number()
    .int()
    .min(0)
    .max(1000)
    .default(0)
    .describe(
      "Workers kept at all times. On a queued-provisioning pool this is the RayCluster's fixed size: Kueue admits it whole and it holds minReplicas × gpusPerWorker GPUs of the queue (and as many nodes, billed) for as long as it exists; 0 keeps only a CPU head on the system pool, and GPU work runs as RayJobs through the queue. Elsewhere it is the autoscaler's floor (billed while idle).",
    ),
  maxReplicas: z
    .number()
    .int()
    .min(0)
    .max(1000)
    .optional()
    .describe(
      "Autoscaler ceiling on pools without queued provisioning. These GPUs (maxReplicas × gpusPerWorker) are taken out of the pool's queue quota, since Ray scales outside the queue; defaults to the pool's capacity minus what the NCCL verification needs. Leave empty on a queued-provisioning pool (fixed size).",
    ),
  gpusPerWorker: z
    .number()
    .int()
    .min(1)
    .max(16)
    .optional()
    .describe('GPUs per worker; defaults to the GPUs of one node.'),
  cpu: quantity()
    .optional()
    .describe(
      "CPU request/limit of a worker; defaults to 80% of the node's vCPUs.",
    ),
  memory: quantity()
    .optional()
    .describe(
      "Memory request/limit of a worker; defaults to 80% of the node's memory.",
    ),
});

const raySchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Create a KubeRay RayCluster.'),
    name: k8sName().default('ray').describe('RayCluster name.'),
    namespace: k8sNamespace()
      .default('default')
      .describe('Namespace of the RayCluster.'),
    image: image()
      .default(DEFAULT_RAY_IMAGE)
      .describe(
        'Ray image (seed 000 builds a custom one into Artifact Registry).',
      ),
    rayVersion: pattern(RAY_VERSION_PATTERN, 'a Ray version such as 2.49.2')
      .default(DEFAULT_RAY_VERSION)
      .describe('Ray version of the image.'),
    head: z
      .strictObject({
        cpu: quantity().default('4').describe('CPU of the head pod.'),
        memory: quantity().default('16Gi').describe('Memory of the head pod.'),
      })
      .prefault({})
      .describe(
        'Ray head: CPU only, pinned to the system pool (it must fit one system node), never on a GPU node.',
      ),
    workerGroups: z
      .array(workerGroupSchema)
      .min(1)
      .max(8)
      .prefault([{}])
      .describe('GPU worker groups.'),
    autoscaling: z
      .boolean()
      .optional()
      .describe(
        'Ray in-tree autoscaler; defaults to on, and to off when a worker group sits on a queued-provisioning pool (Kueue then admits the whole RayCluster at its fixed size).',
      ),
    dashboard: z
      .strictObject({
        exposure: z
          .enum(DASHBOARD_EXPOSURES)
          .default('port-forward')
          .describe(
            'none, port-forward (kubectl port-forward only; the dashboard is read/write, never exposed unauthenticated) or authenticated-ingress (GKE Ingress behind IAP).',
          ),
        host: pattern(HOSTNAME_PATTERN, 'a DNS host name')
          .optional()
          .describe('Host name of the authenticated ingress.'),
      })
      .prefault({})
      .describe('Ray dashboard exposure.'),
  })
  .prefault({})
  .describe(
    'KubeRay RayCluster with GPU workers on RDMA networking and the training bucket mounted.',
  );

const verificationSchema = z
  .strictObject({
    ncclAllGather: z
      .strictObject({
        enabled: z
          .boolean()
          .optional()
          .describe(
            'Render the NCCL all-gather verification Job (seed 001 step 10); defaults to on when a pool has RDMA NICs.',
          ),
        nodePool: pattern(GKE_NAME_PATTERN, 'a node pool name of this spec')
          .optional()
          .describe('RDMA pool to test; defaults to the first RDMA pool.'),
        nodes: z
          .number()
          .int()
          .min(2)
          .max(64)
          .default(2)
          .describe(
            "Nodes the test spans (2 as in Google's acceptance test). It holds nodes × GPUs of the pool's queue quota while it runs (at most maxRunDurationSeconds); DWS provisions the nodes for it and releases them after.",
          ),
        maxRunDurationSeconds: z
          .number()
          .int()
          .min(60)
          .max(604800)
          .default(600)
          .describe('provreq maxRunDurationSeconds of the Job.'),
        image: image()
          .default(DEFAULT_NCCL_TEST_IMAGE)
          .describe('Image with nccl-tests and the gIB plugin.'),
        minBusBandwidthGBps: z
          .number()
          .min(1)
          .max(10000)
          .optional()
          .describe(
            "Pass threshold of the average bus bandwidth (GB/s); defaults to the accelerator catalog's minimum for the pool's machine type (60 % of its RDMA line rate).",
          ),
      })
      .prefault({})
      .describe('NCCL RDMA fabric test submitted through the DWS queue.'),
  })
  .prefault({})
  .describe('Post-provisioning verification.');

const workloadIdentitySchema = z
  .strictObject({
    kubernetesServiceAccount: k8sName()
      .default('gke-training')
      .describe('Kubernetes ServiceAccount used by Ray and jobs (seed 003).'),
    namespace: k8sNamespace()
      .default('default')
      .describe('Namespace of the Kubernetes ServiceAccount.'),
    gcpServiceAccountId: pattern(
      SERVICE_ACCOUNT_ID_PATTERN,
      'a service account id (6-30 chars)',
    )
      .default('gke-training-wli')
      .describe(
        'GCP service account the Kubernetes ServiceAccount impersonates.',
      ),
    secretAccess: z
      .boolean()
      .default(true)
      .describe(
        'Grant read access to Secret Manager secrets (seed 000 iam.tf).',
      ),
  })
  .prefault({})
  .describe(
    'Workload Identity binding between a Kubernetes and a GCP service account.',
  );

const storageSchema = z
  .strictObject({
    trainingBucket: z
      .strictObject({
        enabled: z
          .boolean()
          .default(true)
          .describe('Create the training-data bucket (seed 000 gcs.tf).'),
        name: pattern(
          BUCKET_NAME_PATTERN,
          'a GCS bucket name (3-63 chars, no dots)',
        )
          .optional()
          .describe(
            'Bucket name; defaults to `<projectId>-<namePrefix>-data` (shortened to 63).',
          ),
        mountPath: mountPath()
          .optional()
          .describe(
            'Where Ray pods mount the bucket through GCS FUSE; defaults to /data, or to /training-data when a mount you list (gcsMounts, filestore) uses /data.',
          ),
        hierarchicalNamespace: z
          .boolean()
          .default(false)
          .describe('Hierarchical namespace (faster FUSE directory ops).'),
      })
      .prefault({})
      .describe(
        'GCS bucket for training data, read-write for the workload service account.',
      ),
    gcsMounts: z
      .array(
        z.strictObject({
          bucket: pattern(BUCKET_NAME_PATTERN, 'a GCS bucket name').describe(
            'Existing bucket.',
          ),
          mountPath: mountPath().describe('Mount path in Ray pods.'),
          readOnly: z.boolean().default(true).describe('Mount read-only.'),
        }),
      )
      .max(10)
      .default([])
      .describe(
        'Extra existing buckets mounted through GCS FUSE (seed 004 GCS_MOUNT_LIST).',
      ),
    filestore: z
      .array(
        z.strictObject({
          mountPath: mountPath().describe('Mount path of the NFS share.'),
          tier: z
            .enum(
              Object.keys(FILESTORE_TIERS) as [keyof typeof FILESTORE_TIERS],
            )
            .describe('Filestore tier.'),
          capacityGb: z
            .number()
            .int()
            .min(1024)
            .max(102400)
            .default(2560)
            .describe('Capacity in GB (tier minimums apply).'),
        }),
      )
      .max(5)
      .default([])
      .describe('Filestore NFS shares (seed 004 NFS_FILESHARE_LIST).'),
  })
  .prefault({})
  .describe('Shared storage.');

const supplyChainSchema = z
  .strictObject({
    artifactRegistry: z
      .strictObject({
        enabled: z
          .boolean()
          .default(true)
          .describe(
            'Create Artifact Registry repositories (seed 000 registry.tf).',
          ),
        formats: z
          .array(z.enum(['docker', 'python']))
          .min(1)
          .default(['docker', 'python'])
          .describe(
            'Formats; each gets a local, a remote (Docker Hub / PyPI) and a virtual repository.',
          ),
      })
      .prefault({})
      .describe('Artifact Registry for images and Python packages.'),
    cloudBuild: z
      .strictObject({
        enabled: z
          .boolean()
          .default(false)
          .describe(
            'Create a Cloud Build private worker pool (seed 000 build.tf).',
          ),
        machineType: pattern(
          /^e2-(?:standard|highcpu|highmem)-\d{1,2}$/,
          'an E2 machine type such as e2-highcpu-32',
        )
          .default('e2-highcpu-32')
          .describe('Worker machine type (large images need big workers).'),
        diskSizeGb: z
          .number()
          .int()
          .min(100)
          .max(4000)
          .default(500)
          .describe('Worker disk size in GB.'),
      })
      .prefault({})
      .describe('Cloud Build private pool.'),
  })
  .prefault({})
  .describe('Images and packages.');

const terraformStateSchema = z
  .strictObject({
    bucket: pattern(BUCKET_NAME_PATTERN, 'a GCS bucket name')
      .optional()
      .describe(
        'State bucket; defaults to `aiinfra-terraform-<projectId>` (seed 004 TERRAFORM_GCS_PATH).',
      ),
    prefix: pattern(
      OBJECT_PREFIX_PATTERN,
      'an object prefix of safe /-separated segments without ".."',
    )
      .optional()
      .describe(
        'State prefix; defaults to `<namePrefix>-deployment/terraform/state`.',
      ),
  })
  .prefault({})
  .describe('Terraform GCS backend.');

const baseSchema = z.strictObject({
  apiVersion: z
    .literal('gpu-platform.dev/v1alpha1')
    .default('gpu-platform.dev/v1alpha1')
    .describe('Spec format version.'),
  kind: z.literal('GpuStack').default('GpuStack').describe('Spec kind.'),
  identity: identitySchema,
  network: networkSchema,
  cluster: clusterSchema,
  nodePools: z
    .array(nodePoolSchema)
    .min(1)
    .max(8)
    .prefault([{}])
    .describe('GPU node pools (seed 001: one a3-ultragpu-8g DWS pool).'),
  kueue: kueueSchema,
  ray: raySchema,
  verification: verificationSchema,
  workloadIdentity: workloadIdentitySchema,
  storage: storageSchema,
  supplyChain: supplyChainSchema,
  terraformState: terraformStateSchema,
});

/** The stack spec with every cross-field rule. @public */
export const gpuStackSpecSchema = baseSchema
  .superRefine(validateStack)
  .describe('A GPU cluster stack on GKE.');

/** The parsed spec, defaults applied. @public */
export type GpuStackSpec = z.output<typeof baseSchema>;
/** What a user writes (defaults optional). @public */
export type GpuStackSpecInput = z.input<typeof baseSchema>;
/** @public */
export type GpuNodePoolSpec = GpuStackSpec['nodePools'][number];
/** @public */
export type RayWorkerGroupSpec = GpuStackSpec['ray']['workerGroups'][number];
