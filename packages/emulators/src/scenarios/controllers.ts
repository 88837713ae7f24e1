import { createHash } from 'node:crypto';
import type { KubeClient } from '../kube/KubeClient';
import { condition } from '../kube/objects';
import type { StoredEvent } from '../kube/store/ObjectStore';
import type { ContainerLogs } from '../kube/server/podLog';
import type { EmulatedFabric } from './ncclTest';
import { DEMO } from '../demo/names';
import { ScenarioEngine } from './ScenarioEngine';
import { RAY_PORTS, rayHeadService } from './rayHead';
import { deploymentRolloutStages, needsRollout } from './deployments';
import { DaemonSetController } from './daemonSets';
import { FIXTURE_ANNOTATION, KueueController } from './kueue/KueueController';
import {
  ClusterController,
  type DwsOutcome,
} from './cluster/ClusterController';
import type { EmulatedNodePool } from './cluster/nodePools';

export type { DwsOutcome } from './cluster/ClusterController';
export { OUTCOME_ANNOTATION } from './cluster/ClusterController';
export { QUEUE_LABEL, FIXTURE_ANNOTATION } from './kueue/KueueController';

export interface ScenarioTimings {
  quotaReservationMs: number;
  acceptMs: number;
  provisionMs: number;
  podStartMs: number;
  runMs: number;
  bookingMs: number;
  failAfterMs: number;
  revokeAfterMs: number;
  rayHeadReadyMs: number;
  rayJobRunMs: number;
  /** From a Deployment's new generation to all its replicas available. */
  deploymentReadyMs: number;
  /** How long an autoscaled node sits empty before the cluster autoscaler removes it. */
  scaleDownUnneededMs: number;
}

export const DEFAULT_TIMINGS: ScenarioTimings = {
  quotaReservationMs: 1000,
  acceptMs: 2000,
  provisionMs: 60_000,
  podStartMs: 5000,
  runMs: 30_000,
  bookingMs: 10 * 60_000, // GKE's booking duration
  failAfterMs: 30_000,
  revokeAfterMs: 20_000,
  rayHeadReadyMs: 5000,
  rayJobRunMs: 30_000,
  deploymentReadyMs: 2000,
  scaleDownUnneededMs: 10 * 60_000, // cluster autoscaler --scale-down-unneeded-time default
};

/** Resources whose changes wake the reconcilers. */
const WATCHED = new Set([
  'batch/jobs',
  'apps/daemonsets',
  '/pods',
  '/nodes',
  '/namespaces',
  '/podtemplates',
  'ray.io/rayclusters',
  'ray.io/rayjobs',
  'kueue.x-k8s.io/workloads',
  'kueue.x-k8s.io/clusterqueues',
  'kueue.x-k8s.io/localqueues',
  'kueue.x-k8s.io/resourceflavors',
  'kueue.x-k8s.io/admissionchecks',
  'kueue.x-k8s.io/provisioningrequestconfigs',
  'kueue.x-k8s.io/workloadpriorityclasses',
  'autoscaling.x-k8s.io/provisioningrequests',
]);

/**
 * The emulated cluster's controllers: Kueue (KueueController), the Job controller, KubeRay,
 * kube-scheduler, GKE's cluster autoscaler and its DWS ProvisioningRequest controller
 * (ClusterController) run level-triggered on every store change and at their timed
 * transitions; Deployment rollouts stay scripted stages. All time comes from the engine's clock.
 */
export class ScriptedControllers {
  private readonly unsubscribe: () => void;
  readonly kueue: KueueController;
  readonly cluster: ClusterController;

  constructor(
    private readonly client: KubeClient,
    readonly engine: ScenarioEngine,
    private readonly timings: ScenarioTimings = DEFAULT_TIMINGS,
    defaultOutcome: DwsOutcome = 'provisioned',
    options: {
      nodePools?: EmulatedNodePool[];
      project?: string;
      cluster?: string;
      containerLogs?: ContainerLogs;
    } = {},
  ) {
    this.kueue = new KueueController(client, timings);
    this.cluster = new ClusterController(client, {
      project: options.project ?? DEMO.project,
      cluster: options.cluster ?? DEMO.cluster,
      defaultOutcome,
      timings,
      containerLogs: options.containerLogs,
    });
    if (options.nodePools) this.cluster.setNodePools(options.nodePools);
    engine.addReconciler(this.kueue);
    engine.addReconciler(this.cluster);
    engine.addReconciler(new DaemonSetController(client));
    this.unsubscribe = client.store.subscribe(event => this.onEvent(event));
  }

  stop() {
    this.unsubscribe();
  }

  /** Degrades (or heals) the RDMA fabric of a node pool's NCCL runs. */
  setRdmaFabric(poolName: string, fabric: EmulatedFabric) {
    this.cluster.setRdmaFabric(poolName, fabric);
    this.engine.markDirty();
  }

  /** Replaces the node pools of the emulated cluster (their initial nodes are created now). */
  setNodePools(pools: EmulatedNodePool[]) {
    this.cluster.setNodePools(pools);
    this.engine.markDirty();
  }

  private now() {
    return this.client.store.now();
  }

  private onEvent(event: StoredEvent) {
    const o = event.object;
    if (WATCHED.has(event.resource)) this.engine.markDirty();
    if (
      event.type === 'DELETED' ||
      o.metadata.annotations?.[FIXTURE_ANNOTATION]
    )
      return;
    if (event.resource === 'apps/deployments' && needsRollout(o)) {
      this.engine.enqueue(() =>
        this.engine.start(
          `deployment/${o.metadata.namespace}/${o.metadata.name}/${o.metadata.generation}`,
          deploymentRolloutStages(
            this.client,
            o,
            this.timings.deploymentReadyMs,
            () => this.now(),
          ),
        ),
      );
    }
  }
}

/** The head Service (`<name>-head-svc`, dashboard 8265), head Pod and ready status KubeRay writes. */
export function rayHeadObjects(
  name: string,
  ns: string,
  svcName: string,
  headPod: string,
  rc: Record<string, any>,
  time: string,
) {
  const { service, headIp: serviceIP } = rayHeadService(name, ns, svcName);
  const h = createHash('sha256').update(name).digest();
  const podIP = `10.8.${h[2] % 200}.${10 + (h[3] % 200)}`;
  return {
    service,
    pod: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: headPod,
        namespace: ns,
        labels: { 'ray.io/cluster': name, 'ray.io/node-type': 'head' },
      },
      spec: rc.spec?.headGroupSpec?.template?.spec ?? {
        containers: [{ name: 'ray-head', image: 'rayproject/ray:2.49.0' }],
      },
      status: {
        phase: 'Running',
        podIP,
        conditions: [condition('Ready', 'True', '', '', time)],
      },
    },
    status: {
      state: 'ready',
      head: { podIP, serviceIP, podName: headPod, serviceName: svcName },
      endpoints: Object.fromEntries(
        RAY_PORTS.map(p => [p.name, String(p.port)]),
      ),
      lastUpdateTime: time,
      conditions: [
        condition(
          'RayClusterProvisioned',
          'True',
          'AllPodRunningAndReadyFirstTime',
          'All Ray Pods are ready for the first time',
          time,
        ),
        condition(
          'HeadPodReady',
          'True',
          'HeadPodRunningAndReady',
          'Head Pod ready',
          time,
        ),
      ],
    },
  };
}
