/** Enumerations and pinned defaults of the stack spec. */

/** Provisioning modes of a GPU node pool. @public */
export const PROVISIONING_MODES = [
  'queued-provisioning',
  'flex-start',
  'spot',
  'on-demand',
  'reservation',
  'compute-class',
] as const;
/** @public */
export type ProvisioningMode = (typeof PROVISIONING_MODES)[number];

/** Tiers a Custom Compute Class falls back through. @public */
export const COMPUTE_CLASS_TIERS = ['spot', 'flex-start', 'on-demand'] as const;
/** @public */
export type ComputeClassTier = (typeof COMPUTE_CLASS_TIERS)[number];

/** Ray dashboard exposure. @public */
export const DASHBOARD_EXPOSURES = [
  'none',
  'port-forward',
  'authenticated-ingress',
] as const;

/** Filestore tiers accepted by seed 004's NFS_FILESHARE_LIST, with their minimum capacity. @public */
export const FILESTORE_TIERS = {
  BASIC_HDD: 1024,
  BASIC_SSD: 2560,
  HIGH_SCALE_SSD: 10240,
  ENTERPRISE: 1024,
} as const;

/** The Kueue release the stack pins (first with ClusterQueue v1beta2 storage is v0.16.0). @public */
export const DEFAULT_KUEUE_VERSION = 'v0.19.2';
/** Default Ray image and version (the KubeRay v1.7 line supports Ray ≥ 2.x). @public */
export const DEFAULT_RAY_VERSION = '2.49.2';
/** @public */
export const DEFAULT_RAY_IMAGE = `rayproject/ray:${DEFAULT_RAY_VERSION}-py311-gpu`;
/** NCCL gIB plugin image used by the RDMA installer and the verification job. @public */
export const DEFAULT_NCCL_GIB_IMAGE =
  'us-docker.pkg.dev/gce-ai-infra/gpudirect-gib/nccl-plugin-gib:v1.1.0';
/** Image with nccl-tests for the all-gather verification job. @public */
export const DEFAULT_NCCL_TEST_IMAGE =
  'us-docker.pkg.dev/gce-ai-infra/gpudirect-gib/nccl-plugin-gib-diagnostic:v1.1.0';
