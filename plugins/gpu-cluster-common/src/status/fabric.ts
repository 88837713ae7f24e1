/**
 * The fabric checks of a GPU cluster: GKE multi-networking objects against the node pools'
 * additional networks, the NCCL RDMA installer on every GPU node, and each GPU node advertising
 * its RDMA interfaces. A mismatch otherwise shows up only as slow or hanging NCCL.
 */

/** One additional network the cluster's GPU node pools expect. @public */
export interface FabricExpectedNetwork {
  /**
   * The Kubernetes name of its Network / GKENetworkParamSet (`gvnic-1`, `rdma-0`…): from the
   * stack spec, else the name of the ParamSet found for the VPC and subnet (absent when none).
   */
  name?: string;
  vpc: string;
  subnet: string;
  /** Absent when the expectation came from GKE and the machine type says nothing. */
  deviceMode?: 'RDMA' | 'NetDevice';
}

/** How one expected network stands in the cluster. @public */
export interface FabricNetworkCheck {
  expected: FabricExpectedNetwork;
  /** `ok`; `missing`: no ParamSet or no Network; `mismatch`: found, but it points elsewhere. */
  state: 'ok' | 'missing' | 'mismatch';
  paramSetPresent: boolean;
  networkPresent: boolean;
  /** What differs (`vpc a != b`…), for `mismatch` and `missing`. */
  problems: string[];
}

/** The NCCL RDMA installer DaemonSet against the GPU nodes that need it. @public */
export interface FabricInstallerCheck {
  /** Whether kube-system/nccl-rdma-installer exists. */
  present: boolean;
  /** GPU nodes in RDMA pools where an installer pod is ready. */
  readyNodes: number;
  /** GPU nodes in RDMA pools. */
  gpuNodes: number;
  /** The GPU nodes without a ready installer pod (first 20). */
  notReadyNodes: string[];
  /** The DaemonSet's own counts (status.numberReady / desiredNumberScheduled). */
  numberReady?: number;
  desiredNumberScheduled?: number;
}

/** The GPU nodes advertising (or not) the RDMA interfaces the pods ask for. @public */
export interface FabricNodeInterfacesCheck {
  /** GPU nodes in RDMA pools. */
  gpuNodes: number;
  /** Of those, the nodes advertising every expected `networking.gke.io.networks/<name>` and `.IP`. */
  completeNodes: number;
  /** Nodes lacking some (first 20), with what they lack. */
  incomplete: { node: string; missing: string[] }[];
}

/** The fabric section of the status. @public */
export interface FabricStatus {
  /**
   * Where the expected networks came from: `spec` (the validated stack spec the template
   * registered), `gke` (the node pools' additional node network configs GKE reports), or `none`
   * (neither known: only the objects and nodes found are reported).
   */
  expectedFrom: 'spec' | 'gke' | 'none';
  /** `ok`; `degraded`: some check failed; `unknown`: the data behind a check is missing. */
  state: 'ok' | 'degraded' | 'unknown';
  networks: FabricNetworkCheck[];
  installer: FabricInstallerCheck;
  nodes: FabricNodeInterfacesCheck;
}
