import {
  additionalNetworks,
  findAccelerator,
  resolveNodePools,
  type FabricExpectedNetwork,
  type FabricNetworkCheck,
  type FabricStatus,
  type GkeClusterStatus,
  type GpuStackSpec,
  type StatusFlag,
  type StatusSectionState,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { RDMA_INSTALLER } from './ClusterWatcher';

/**
 * The fabric checks (issue 12): the GKE multi-networking objects against the node pools'
 * additional networks, the NCCL RDMA installer on every GPU node of those pools, and each such
 * node advertising its RDMA interfaces. Pure: the inputs are the informers' contents.
 */

/** What the stack expects: the pools with additional networks and those networks. */
export interface FabricExpectation {
  from: 'spec' | 'gke';
  /** Node pools (the `cloud.google.com/gke-nodepool` label) whose nodes get the networks. */
  pools: string[];
  networks: FabricExpectedNetwork[];
}

/** Node extended resources GKE multi-networking adds per Device network (and its `.IP`). */
export const NETWORK_RESOURCE_PREFIX = 'networking.gke.io.networks/';
const NODE_POOL_LABEL = 'cloud.google.com/gke-nodepool';
const ACCELERATOR_LABEL = 'cloud.google.com/gke-accelerator';
/** How many node names a check lists; the rest is counted. */
export const FABRIC_NODE_LIMIT = 20;

export const MULTI_NETWORK_DOC =
  'https://cloud.google.com/kubernetes-engine/docs/how-to/setup-multinetwork-support-for-pods';
export const RDMA_DOC =
  'https://cloud.google.com/ai-hypercomputer/docs/create/gke-ai-hypercompute-custom#install-rdma-configure-nccl';
/** Pods asking for `rdma-0` and `rdma-0.IP` stayed Pending on nodes advertising only `.IP`. */
export const MISSING_RESOURCE_REFERENCE =
  'https://github.com/llm-d/llm-d/issues/1730';

/** The expectation from the validated stack spec the template registered. */
export function expectationFromSpec(
  spec: GpuStackSpec,
): FabricExpectation | undefined {
  const pools = resolveNodePools(spec).filter(p => p.rdma);
  if (pools.length === 0) return undefined;
  return {
    from: 'spec',
    pools: pools.map(p => p.name),
    networks: additionalNetworks(spec).map(n => ({
      name: n.k8sName,
      vpc: n.network,
      subnet: n.subnetwork,
      deviceMode: n.deviceMode,
    })),
  };
}

/**
 * The expectation from what GKE reports: the pools' additional node network configs, in NIC
 * order. GKE does not say which are RDMA; the accelerator catalog's RDMA NIC count of the
 * machine type does (the last N additional NICs, after the gVNIC ones, as the stack creates them).
 */
export function expectationFromGke(
  gke: GkeClusterStatus | undefined,
): FabricExpectation | undefined {
  const pools = (gke?.nodePools ?? []).filter(
    p => (p.additionalNodeNetworks ?? []).length > 0,
  );
  if (pools.length === 0) return undefined;
  const networks = new Map<string, FabricExpectedNetwork>();
  for (const pool of pools) {
    const configs = pool.additionalNodeNetworks ?? [];
    const rdmaNics = pool.machineType
      ? findAccelerator(pool.machineType)?.rdmaNics
      : undefined;
    configs.forEach((c, i) => {
      const key = `${c.network}/${c.subnetwork}`;
      if (networks.has(key)) return;
      let deviceMode: FabricExpectedNetwork['deviceMode'];
      if (rdmaNics !== undefined) {
        deviceMode = i >= configs.length - rdmaNics ? 'RDMA' : 'NetDevice';
      }
      networks.set(key, {
        vpc: c.network,
        subnet: c.subnetwork,
        ...(deviceMode && { deviceMode }),
      });
    });
  }
  return {
    from: 'gke',
    pools: pools.map(p => p.name),
    networks: [...networks.values()],
  };
}

const readyCondition = (obj: any) =>
  (obj?.status?.conditions ?? []).find((c: any) => c.type === 'Ready');

function notReadyProblem(kind: string, obj: any): string[] {
  const ready = readyCondition(obj);
  if (!ready || ready.status === 'True') return [];
  return [
    `${kind} ${obj.metadata?.name} not Ready${
      ready.reason
        ? ` (${ready.reason}${ready.message ? `: ${ready.message}` : ''})`
        : ''
    }`,
  ];
}

function checkNetwork(
  expected: FabricExpectedNetwork,
  paramSets: any[],
  networks: any[],
): FabricNetworkCheck {
  // By name when the spec names it; else the ParamSet GKE's VPC and subnet point to.
  const paramSet = expected.name
    ? paramSets.find(p => p.metadata?.name === expected.name)
    : paramSets.find(
        p =>
          p.spec?.vpc === expected.vpc && p.spec?.vpcSubnet === expected.subnet,
      );
  const name = expected.name ?? paramSet?.metadata?.name;
  const resolved = { ...expected, ...(name && { name }) };
  const network = networks.find(
    n =>
      (name && n.metadata?.name === name) ||
      (paramSet && n.spec?.parametersRef?.name === paramSet.metadata?.name),
  );
  const problems: string[] = [];
  if (!paramSet)
    problems.push(
      `no GKENetworkParamSet ${
        name ?? `for VPC ${expected.vpc} subnet ${expected.subnet}`
      }`,
    );
  if (!network) problems.push(`no Network ${name ?? ''}`.trim());
  const missing = problems.length > 0;
  if (paramSet) {
    if (paramSet.spec?.vpc !== expected.vpc)
      problems.push(
        `vpc ${paramSet.spec?.vpc ?? '(none)'}, expected ${expected.vpc}`,
      );
    if (paramSet.spec?.vpcSubnet !== expected.subnet)
      problems.push(
        `vpcSubnet ${paramSet.spec?.vpcSubnet ?? '(none)'}, expected ${
          expected.subnet
        }`,
      );
    if (
      expected.deviceMode &&
      paramSet.spec?.deviceMode !== expected.deviceMode
    )
      problems.push(
        `deviceMode ${paramSet.spec?.deviceMode ?? '(none)'}, expected ${
          expected.deviceMode
        }`,
      );
    problems.push(...notReadyProblem('GKENetworkParamSet', paramSet));
  }
  if (network) {
    // A Network carrying NetDevice or RDMA interfaces is of type Device (GKE multi-network docs).
    if (network.spec?.type !== 'Device')
      problems.push(
        `Network type ${network.spec?.type ?? '(none)'}, expected Device`,
      );
    const ref = network.spec?.parametersRef;
    if (
      paramSet &&
      (ref?.kind !== 'GKENetworkParamSet' ||
        ref?.name !== paramSet.metadata?.name)
    )
      problems.push(
        `Network ${network.metadata?.name} refers to ${
          ref?.kind ?? '(nothing)'
        } ${ref?.name ?? ''}, not GKENetworkParamSet ${
          paramSet.metadata?.name
        }`.replace(/ +,/, ','),
      );
    problems.push(...notReadyProblem('Network', network));
  }
  let state: FabricNetworkCheck['state'] = 'ok';
  if (missing) state = 'missing';
  else if (problems.length > 0) state = 'mismatch';
  return {
    expected: resolved,
    state,
    paramSetPresent: Boolean(paramSet),
    networkPresent: Boolean(network),
    problems,
  };
}

const podReady = (pod: any) =>
  pod.status?.phase === 'Running' &&
  (pod.status?.conditions ?? []).some(
    (c: any) => c.type === 'Ready' && c.status === 'True',
  );

function isInstallerPod(pod: any, daemonSet: any): boolean {
  if (pod.metadata?.namespace !== RDMA_INSTALLER.namespace) return false;
  const owned = (pod.metadata?.ownerReferences ?? []).some(
    (r: any) => r.kind === 'DaemonSet' && r.name === RDMA_INSTALLER.name,
  );
  if (owned) return true;
  const selector = daemonSet?.spec?.selector?.matchLabels;
  if (!selector || Object.keys(selector).length === 0) return false;
  const labels = pod.metadata?.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export interface FabricInput {
  nodes: any[];
  pods: any[];
  networks: any[];
  paramSets: any[];
  daemonSets: any[];
  expectation?: FabricExpectation;
  /** The fabric section's state (`sections.ts`): missing data makes the verdict `unknown`. */
  section: StatusSectionState;
}

/** The fabric section, or undefined when the cluster neither expects nor has additional networks. */
export function checkFabric(input: FabricInput): FabricStatus | undefined {
  const { expectation } = input;
  const daemonSet = input.daemonSets.find(
    d =>
      d.metadata?.name === RDMA_INSTALLER.name &&
      d.metadata?.namespace === RDMA_INSTALLER.namespace,
  );
  if (
    !expectation &&
    input.paramSets.length === 0 &&
    input.networks.length === 0
  )
    return undefined;

  // Without an expectation, the ParamSets found are what is checked (each needs its Network).
  const expectedNetworks: FabricExpectedNetwork[] =
    expectation?.networks ??
    input.paramSets.map(p => ({
      name: p.metadata?.name,
      vpc: p.spec?.vpc,
      subnet: p.spec?.vpcSubnet,
      ...(p.spec?.deviceMode && { deviceMode: p.spec.deviceMode }),
    }));
  const networks = expectedNetworks.map(e =>
    checkNetwork(e, input.paramSets, input.networks),
  );

  const pools = new Set(expectation?.pools ?? []);
  const rdmaNames = networks
    .filter(n => n.expected.deviceMode !== 'NetDevice' && n.expected.name)
    .map(n => n.expected.name!);
  const gpuNodes = input.nodes.filter(n => {
    const labels = n.metadata?.labels ?? {};
    if (expectation) return pools.has(labels[NODE_POOL_LABEL]);
    // No expectation: the GPU nodes that advertise any additional network.
    return (
      labels[ACCELERATOR_LABEL] !== undefined &&
      Object.keys(n.status?.capacity ?? {}).some(k =>
        k.startsWith(NETWORK_RESOURCE_PREFIX),
      )
    );
  });

  const readyOn = new Set(
    input.pods
      .filter(p => isInstallerPod(p, daemonSet) && podReady(p))
      .map(p => p.spec?.nodeName),
  );
  const notReady = gpuNodes
    .map(n => n.metadata.name as string)
    .filter(name => !readyOn.has(name))
    .sort();

  const incomplete = gpuNodes
    .map(n => {
      const allocatable = n.status?.allocatable ?? n.status?.capacity ?? {};
      const missing = rdmaNames.flatMap(name =>
        [name, `${name}.IP`].filter(
          r =>
            !(
              Number.parseInt(
                allocatable[`${NETWORK_RESOURCE_PREFIX}${r}`] ?? '0',
                10,
              ) > 0
            ),
        ),
      );
      return { node: n.metadata.name as string, missing };
    })
    .filter(x => x.missing.length > 0)
    .sort((a, b) => a.node.localeCompare(b.node));

  const degraded =
    networks.some(n => n.state !== 'ok') ||
    notReady.length > 0 ||
    incomplete.length > 0 ||
    (!daemonSet && gpuNodes.length > 0);
  // Objects that were never listed are not missing: without the data there is no verdict.
  let state: FabricStatus['state'] = degraded ? 'degraded' : 'ok';
  if (
    input.section.state === 'missing' ||
    (!degraded && input.section.state === 'partial')
  )
    state = 'unknown';
  return {
    expectedFrom: expectation?.from ?? 'none',
    state,
    networks,
    installer: {
      present: Boolean(daemonSet),
      readyNodes: gpuNodes.length - notReady.length,
      gpuNodes: gpuNodes.length,
      notReadyNodes: notReady.slice(0, FABRIC_NODE_LIMIT),
      ...(daemonSet && {
        numberReady: daemonSet.status?.numberReady ?? 0,
        desiredNumberScheduled: daemonSet.status?.desiredNumberScheduled ?? 0,
      }),
    },
    nodes: {
      gpuNodes: gpuNodes.length,
      completeNodes: gpuNodes.length - incomplete.length,
      incomplete: incomplete.slice(0, FABRIC_NODE_LIMIT),
    },
  };
}

const listed = (names: string[], total: number) =>
  `${names.join(', ')}${
    total > names.length ? ` and ${total - names.length} more` : ''
  }`;

/** A flag with the fix to try for each fabric mismatch. */
export function fabricFlags(fabric: FabricStatus | undefined): StatusFlag[] {
  if (!fabric || fabric.state === 'unknown') return [];
  const flags: StatusFlag[] = [];
  const link = {
    title: 'GKE multi-network support for Pods',
    url: MULTI_NETWORK_DOC,
  };
  for (const n of fabric.networks) {
    const subject = `Network ${
      n.expected.name ?? `${n.expected.vpc}/${n.expected.subnet}`
    }`;
    if (n.state === 'missing') {
      flags.push({
        severity: 'error',
        code: 'FabricNetworkMissing',
        subject,
        message: `${n.problems.join(
          '; ',
        )}: pods whose networking.gke.io/interfaces name it cannot attach to VPC ${
          n.expected.vpc
        } (subnet ${n.expected.subnet}).`,
        fix: `Apply the stack's GKENetworkParamSet and Network objects again (the template's kubectl step or \`gpu-cluster apply\`); they are rendered from the spec with vpc ${
          n.expected.vpc
        }, vpcSubnet ${n.expected.subnet}${
          n.expected.deviceMode ? `, deviceMode ${n.expected.deviceMode}` : ''
        }.`,
        link,
      });
    } else if (n.state === 'mismatch') {
      flags.push({
        severity: 'error',
        code: 'FabricNetworkMismatch',
        subject,
        message: `Does not match the node pool's additional network: ${n.problems.join(
          '; ',
        )}. NCCL falls back to slow sockets or hangs.`,
        fix: `Correct the GKENetworkParamSet/Network to vpc ${
          n.expected.vpc
        }, vpcSubnet ${n.expected.subnet}${
          n.expected.deviceMode ? `, deviceMode ${n.expected.deviceMode}` : ''
        } (GKE cannot change a node pool's networks, so fix the objects, not the pool), then restart the pods that use it.`,
        link,
      });
    }
  }
  const { installer, nodes } = fabric;
  if (!installer.present && installer.gpuNodes > 0) {
    flags.push({
      severity: 'error',
      code: 'RdmaInstallerNotReady',
      subject: `DaemonSet ${RDMA_INSTALLER.namespace}/${RDMA_INSTALLER.name}`,
      message: `The NCCL RDMA installer is not installed, so ${installer.gpuNodes} GPU node(s) have no gIB NCCL plugin.`,
      fix: `Apply the stack's nccl-rdma-installer DaemonSet (the template's kubectl step or \`gpu-cluster apply\`).`,
      link: {
        title: 'Install the RDMA binary and configure NCCL',
        url: RDMA_DOC,
      },
    });
  } else if (installer.notReadyNodes.length > 0) {
    const missing = installer.gpuNodes - installer.readyNodes;
    flags.push({
      severity: 'error',
      code: 'RdmaInstallerNotReady',
      subject: `DaemonSet ${RDMA_INSTALLER.namespace}/${RDMA_INSTALLER.name}`,
      message: `Ready on ${installer.readyNodes} of ${
        installer.gpuNodes
      } GPU nodes; not on ${listed(
        installer.notReadyNodes,
        missing,
      )}. NCCL jobs there run without GPUDirect RDMA or fail to load the plugin.`,
      fix: `Read the installer's init container on those nodes (\`kubectl -n ${RDMA_INSTALLER.namespace} logs <pod> -c nccl-rdma-installer\`; \`kubectl -n ${RDMA_INSTALLER.namespace} describe ds ${RDMA_INSTALLER.name}\`) and keep jobs off the nodes until it is ready.`,
      link: {
        title: 'Install the RDMA binary and configure NCCL',
        url: RDMA_DOC,
      },
    });
  }
  if (nodes.incomplete.length > 0) {
    const count = nodes.gpuNodes - nodes.completeNodes;
    flags.push({
      severity: 'error',
      code: 'NodeMissingRdmaInterfaces',
      subject: `${count} GPU node(s)`,
      message: `${nodes.incomplete
        .map(
          x =>
            `${x.node} lacks ${x.missing
              .map(r => `${NETWORK_RESOURCE_PREFIX}${r}`)
              .join(', ')}`,
        )
        .join('; ')}${
        count > nodes.incomplete.length
          ? `; and ${count - nodes.incomplete.length} more`
          : ''
      }. Pods asking for those networks stay Pending there.`,
      fix: 'Check that the node pool has the additional node networks (`gcloud container node-pools describe <pool> --format="value(networkConfig.additionalNodeNetworkConfigs)"`) and the Networks are Ready; then cordon the node and delete its VM so GKE recreates it.',
      link,
      reference: MISSING_RESOURCE_REFERENCE,
    });
  }
  return flags;
}
