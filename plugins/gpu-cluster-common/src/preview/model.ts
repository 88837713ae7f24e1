/**
 * What `POST /api/gpu-cluster/stack/preview` answers for the form's "What will happen" page: the
 * resources Create will make (from the same render the template's actions use), the GPUs and
 * quota at most, what the provisioning modes imply, and where the Terraform state will live.
 */
import type { ProvisioningMode } from '../spec/constants';
import type { SpecIssue } from '../spec/parse';
import type { GpuQuotaNeed } from '../spec/quota';

/** A GPU node pool as Terraform creates it. @public */
export interface StackPreviewNodePool {
  name: string;
  machineType: string;
  gpuType: string;
  gpusPerNode: number;
  minNodes: number;
  maxNodes: number;
  /** maxNodes × gpusPerNode. */
  maxGpus: number;
  zones: string[];
  mode: ProvisioningMode;
  /** The Compute Class tier this pool serves (compute-class mode). */
  tier?: string;
  rdma: boolean;
}

/** One cloud resource Terraform will create. @public */
export interface StackPreviewCloudResource {
  /** What it is, in words (e.g. "GKE cluster", "VPC network"). */
  kind: string;
  name: string;
  detail?: string;
}

/** One Kubernetes object kubectl will apply. @public */
export interface StackPreviewKubernetesObject {
  file: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** A provisioning mode of the stack and what it means for the user. @public */
export interface StackPreviewMode {
  mode: ProvisioningMode;
  nodePools: string[];
  consequences: string[];
}

/** @public */
export interface StackPreview {
  cluster: {
    name: string;
    location: string;
    projectId: string;
    region: string;
    zones: string[];
  };
  /** Every GPU node pool at its maximum. */
  gpus: {
    maxNodes: number;
    maxGpus: number;
    nodePools: StackPreviewNodePool[];
  };
  quota: GpuQuotaNeed[];
  modes: StackPreviewMode[];
  cloudResources: StackPreviewCloudResource[];
  kubernetesObjects: StackPreviewKubernetesObject[];
  /** Kueue release installed before the objects, when Kueue is on. */
  kueueVersion?: string;
  state: {
    backend: 'gcs' | 'local';
    /** `gs://bucket/prefix`, or where local state is kept. */
    location: string;
    explanation: string;
  };
  /** Not errors, but worth reading (e.g. a zone the catalog does not know for the machine type). */
  warnings: string[];
}

/** The answer of the preview endpoint. @public */
export type StackPreviewResponse =
  | { valid: true; preview: StackPreview }
  | { valid: false; issues: SpecIssue[] };
