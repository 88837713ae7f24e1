import { createHash } from 'node:crypto';
import type { KubeClient } from '../kube/KubeClient';
import { condition } from '../kube/objects';
import { matchesNodeSelection, untoleratedTaint } from './cluster/podSpec';
import type { Reconciler } from './ScenarioEngine';

type Obj = Record<string, any>;

/**
 * Fabric faults a node can carry (fault injection for the fabric checks), set with
 * `injectFabricFault`: `installer-not-ready` keeps the DaemonSet pods on the node in their init
 * container (CrashLoopBackOff), `missing-rdma-interfaces` removes the node's
 * `networking.gke.io.networks/rdma-*` resources (the `.IP` ones stay, as in llm-d/llm-d#1730).
 */
export const FABRIC_FAULT_ANNOTATION = 'emulator.gpu-platform.dev/fabric-fault';
export type NodeFabricFault = 'installer-not-ready' | 'missing-rdma-interfaces';
/** The fabric faults `startKubeEmulator({ scenarios: { fabricFault } })` and the CLI select. */
export type FabricFault = NodeFabricFault | 'paramset-wrong-vpc';
export const FABRIC_FAULTS: readonly FabricFault[] = [
  'installer-not-ready',
  'missing-rdma-interfaces',
  'paramset-wrong-vpc',
];

/** True for pods a DaemonSet owns (the cluster autoscaler ignores them when scaling down). */
export const ownedByDaemonSet = (pod: Obj) =>
  (pod.metadata?.ownerReferences ?? []).some(
    (r: Obj) => r.kind === 'DaemonSet',
  );

const podName = (ds: Obj, node: string) =>
  `${ds.metadata.name}-${createHash('sha256')
    .update(node)
    .digest('hex')
    .slice(0, 5)}`;

/**
 * The DaemonSet controller as far as the fabric checks read it: one pod per node the pod template
 * selects (nodeSelector, required node affinity, taints it tolerates — the controller's
 * `nodeShouldRunDaemonPod`), bound to the node (`spec.nodeName`, as the default scheduler does
 * for DaemonSet pods), Running and Ready at once unless the node carries the
 * `installer-not-ready` fault; pods of nodes gone are deleted; `status` counts as
 * kube-controller-manager writes them (desiredNumberScheduled, currentNumberScheduled, numberReady,
 * numberAvailable, numberUnavailable, updatedNumberScheduled). Rolling updates, surge and
 * container restarts are not modelled.
 */
export class DaemonSetController implements Reconciler {
  constructor(private readonly client: KubeClient) {}

  reconcile(): number | undefined {
    const nodes = this.client.list('v1', 'Node');
    const now = new Date(this.client.store.now()).toISOString();
    for (const ds of this.client.list('apps/v1', 'DaemonSet')) {
      if (ds.metadata.deletionTimestamp) continue;
      const ns = ds.metadata.namespace;
      const template = ds.spec?.template ?? {};
      const wanted = nodes.filter(
        n =>
          matchesNodeSelection(template.spec, n.metadata.labels) &&
          !untoleratedTaint(n.spec?.taints, template.spec?.tolerations),
      );
      const wantedNames = new Set(wanted.map(n => n.metadata.name));
      const owned = this.client
        .list('v1', 'Pod', ns)
        .filter(p =>
          (p.metadata.ownerReferences ?? []).some(
            (r: Obj) => r.kind === 'DaemonSet' && r.name === ds.metadata.name,
          ),
        );
      for (const pod of owned)
        if (!wantedNames.has(pod.spec?.nodeName))
          this.client.delete('v1', 'Pod', pod.metadata.name, ns);
      let ready = 0;
      for (const node of wanted) {
        const broken =
          node.metadata.annotations?.[FABRIC_FAULT_ANNOTATION] ===
          'installer-not-ready';
        if (!broken) ready++;
        this.upsertPod(ds, node.metadata.name, broken, now);
      }
      this.client.modify('apps/v1', 'DaemonSet', ds.metadata.name, ns, o => {
        const status: Obj = {
          desiredNumberScheduled: wanted.length,
          currentNumberScheduled: wanted.length,
          numberMisscheduled: 0,
          numberReady: ready,
          numberAvailable: ready,
          updatedNumberScheduled: wanted.length,
          observedGeneration: o.metadata.generation ?? 1,
        };
        if (wanted.length > ready)
          status.numberUnavailable = wanted.length - ready;
        o.status = status;
      });
    }
    return undefined;
  }

  private upsertPod(ds: Obj, node: string, broken: boolean, now: string) {
    const name = podName(ds, node);
    const ns = ds.metadata.namespace;
    const existing = this.client.get('v1', 'Pod', name, ns);
    const phase = broken ? 'Pending' : 'Running';
    if (existing?.status?.phase === phase) return;
    const spec = ds.spec?.template?.spec ?? {};
    const initNames = (spec.initContainers ?? []).map((c: Obj) => c.name);
    this.client.upsert({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: ns,
        labels: { ...(ds.spec?.template?.metadata?.labels ?? {}) },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'DaemonSet',
            name: ds.metadata.name,
            uid: ds.metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: { ...spec, nodeName: node },
      status: {
        phase,
        conditions: [
          condition('PodScheduled', 'True', '', '', now),
          broken
            ? condition(
                'Ready',
                'False',
                'ContainersNotReady',
                'containers with incomplete status: [nccl-rdma-installer]',
                now,
              )
            : condition('Ready', 'True', '', '', now),
        ],
        ...(broken && {
          initContainerStatuses: initNames.map((c: string) => ({
            name: c,
            ready: false,
            restartCount: 3,
            state: {
              waiting: {
                reason: 'CrashLoopBackOff',
                message: `back-off 40s restarting failed container=${c}`,
              },
            },
          })),
        }),
      },
    });
  }
}

/**
 * Injects a fabric fault into an emulated cluster: `paramset-wrong-vpc` points the
 * GKENetworkParamSet `network` (default `rdma-3`) at the `default` VPC; the node faults mark
 * `node` (default: the first GPU node) as described at {@link FABRIC_FAULT_ANNOTATION}.
 */
export function injectFabricFault(
  client: KubeClient,
  fault: FabricFault,
  target?: string,
): string {
  if (fault === 'paramset-wrong-vpc') {
    const name = target ?? 'rdma-3';
    client.modify(
      'networking.gke.io/v1',
      'GKENetworkParamSet',
      name,
      undefined,
      o => {
        o.spec.vpc = 'default';
      },
    );
    return name;
  }
  const node =
    target ??
    client
      .list('v1', 'Node')
      .filter(n => n.metadata.labels?.['cloud.google.com/gke-accelerator'])
      .map(n => n.metadata.name as string)
      .sort()[0];
  if (!node) throw new Error('no GPU node to inject a fabric fault into');
  client.modify('v1', 'Node', node, undefined, o => {
    o.metadata.annotations = {
      ...(o.metadata.annotations ?? {}),
      [FABRIC_FAULT_ANNOTATION]: fault,
    };
    if (fault === 'missing-rdma-interfaces') {
      for (const field of ['capacity', 'allocatable'])
        for (const key of Object.keys(o.status?.[field] ?? {}))
          if (/^networking\.gke\.io\.networks\/rdma-\d+$/.test(key))
            delete o.status[field][key];
    }
  });
  return node;
}
