import { createHash } from 'node:crypto';
import type { KubeClient } from '../../kube/KubeClient';
import { condition, setCondition } from '../../kube/objects';
import { labelSelectorMatches } from '../cluster/labels';
import {
  assignFlavors,
  type PodSetRequest,
  type ResourceGroup,
  type Usage,
} from './flavorAssigner';
import { formatAmount, resourceAmount } from '../cluster/quantity';

/**
 * The parts of Kueue v0.19.2 (kubernetes-sigs/kueue, default feature gates) the emulator runs:
 * the job integrations that turn a queue-labelled batch/v1 Job, RayCluster or RayJob into a
 * Workload (pkg/controller/jobs/{job,raycluster,rayjob}), the queue reconcilers, the scheduler
 * (priority then FIFO per ClusterQueue, StrictFIFO or BestEffortFIFO, flavor assignment against
 * nominal quota with every quota-holding Workload of the queue counted), the provisioning
 * admission check (pkg/controller/admissionchecks/provisioning), check-based eviction and the
 * job framework's start/stop, which injects each flavor's nodeLabels and tolerations and the
 * checks' podSetUpdates into the pod templates (pkg/podset). Reasons and messages are Kueue's.
 */

export const KUEUE_API = 'kueue.x-k8s.io/v1beta2';
export const PROVREQ_API = 'autoscaling.x-k8s.io/v1';
export const QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';
export const FIXTURE_ANNOTATION = 'emulator.gpu-platform.dev/fixture';
const PROVISIONING_CONTROLLER = 'kueue.x-k8s.io/provisioning-request';
const PROVREQ_ANNOTATION_PREFIX = 'provreq.kueue.x-k8s.io/';
const ELASTIC_JOB_ANNOTATION = 'kueue.x-k8s.io/elastic-job';
/** autoscaling.x-k8s.io/v1 ProvisioningRequestPodAnnotationKey / ProvisioningClassPodAnnotationKey. */
export const CONSUME_PROVREQ_ANNOTATION =
  'autoscaling.x-k8s.io/consume-provisioning-request';
export const PROVREQ_CLASS_ANNOTATION =
  'autoscaling.x-k8s.io/provisioning-class-name';

type Obj = Record<string, any>;

export const isFixture = (o: Obj) =>
  Boolean(o.metadata?.annotations?.[FIXTURE_ANNOTATION]);
const cond = (o: Obj, type: string) =>
  (o.status?.conditions ?? []).find((c: any) => c.type === type);
const isTrue = (o: Obj, type: string) => cond(o, type)?.status === 'True';
const controllerOf = (o: Obj) =>
  (o.metadata?.ownerReferences ?? []).find((r: any) => r.controller);

/** A kind Kueue integrates with: how to read its pod sets and how to run or stop it. */
export interface JobIntegration {
  apiVersion: string;
  kind: string;
  podSets(job: Obj): PodSetRequest[];
  isSuspended(job: Obj): boolean;
  /** Pod templates in pod-set order, for injecting and restoring pod-set info. */
  templates(job: Obj): Obj[];
  setSuspended(job: Obj, suspended: boolean): void;
  /** Finished, with success and Kueue's message, or undefined while it runs. */
  finished(job: Obj): { success: boolean; message: string } | undefined;
}

const jobIntegration: JobIntegration = {
  apiVersion: 'batch/v1',
  kind: 'Job',
  podSets: job => {
    const parallelism = job.spec?.parallelism ?? 1;
    const completions = job.spec?.completions;
    return [
      {
        name: 'main',
        // Job.podsCount(): parallelism, bounded by completions when set.
        count:
          completions === undefined
            ? parallelism
            : Math.min(parallelism, completions),
        template: structuredClone(job.spec?.template ?? {}),
      },
    ];
  },
  isSuspended: job => job.spec?.suspend === true,
  templates: job => [job.spec.template],
  setSuspended: (job, suspended) => {
    job.spec.suspend = suspended;
  },
  finished: job => {
    if (isTrue(job, 'Complete'))
      return { success: true, message: 'Job finished successfully' };
    const failed = cond(job, 'Failed');
    if (failed?.status === 'True')
      return { success: false, message: failed.message ?? 'Job failed' };
    return undefined;
  },
};

/** RayCluster pod sets: `head` (count 1) and one per worker group (replicas × numOfHosts). */
function rayClusterPodSets(spec: Obj = {}): PodSetRequest[] {
  const head = structuredClone(spec.headGroupSpec?.template ?? {});
  if (spec.enableInTreeAutoscaling) {
    head.spec = head.spec ?? {};
    // The autoscaler sidecar KubeRay adds to the head (Kueue's autoscalerContainer).
    head.spec.containers = [
      ...(head.spec.containers ?? []),
      {
        name: 'autoscaler',
        resources: {
          requests: { cpu: '500m', memory: '512Mi' },
          limits: { cpu: '500m', memory: '512Mi' },
        },
      },
    ];
  }
  return [
    { name: 'head', count: 1, template: head },
    ...(spec.workerGroupSpecs ?? []).map((g: Obj) => ({
      name: g.groupName,
      count: (g.replicas ?? 1) * Math.max(1, g.numOfHosts ?? 1),
      template: structuredClone(g.template ?? {}),
    })),
  ];
}

const rayClusterIntegration: JobIntegration = {
  apiVersion: 'ray.io/v1',
  kind: 'RayCluster',
  podSets: rc => rayClusterPodSets(rc.spec),
  isSuspended: rc => rc.spec?.suspend === true,
  templates: rc => [
    rc.spec.headGroupSpec.template,
    ...(rc.spec.workerGroupSpecs ?? []).map((g: Obj) => g.template),
  ],
  setSuspended: (rc, suspended) => {
    rc.spec.suspend = suspended;
  },
  finished: rc =>
    rc.status?.state === 'failed'
      ? { success: false, message: rc.status?.reason ?? '' }
      : undefined,
};

/** KubeRay's default submitter container resources (Kueue's defaultSubmitterResources). */
const submitterTemplate = (job: Obj) =>
  job.spec?.submitterPodTemplate ?? {
    spec: {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'ray-job-submitter',
          image:
            job.spec?.rayClusterSpec?.headGroupSpec?.template?.spec
              ?.containers?.[0]?.image,
          resources: {
            limits: { cpu: '1', memory: '1Gi' },
            requests: { cpu: '500m', memory: '200Mi' },
          },
        },
      ],
    },
  };

const rayJobIntegration: JobIntegration = {
  apiVersion: 'ray.io/v1',
  kind: 'RayJob',
  podSets: job => [
    ...rayClusterPodSets(job.spec?.rayClusterSpec),
    ...((job.spec?.submissionMode ?? 'K8sJobMode') === 'K8sJobMode'
      ? [
          {
            name: 'submitter',
            count: 1,
            template: structuredClone(submitterTemplate(job)),
          },
        ]
      : []),
  ],
  isSuspended: job => job.spec?.suspend === true,
  templates: job => {
    const rc = job.spec.rayClusterSpec;
    const templates = [
      rc.headGroupSpec.template,
      ...(rc.workerGroupSpecs ?? []).map((g: Obj) => g.template),
    ];
    if ((job.spec.submissionMode ?? 'K8sJobMode') === 'K8sJobMode') {
      job.spec.submitterPodTemplate ??= structuredClone(submitterTemplate(job));
      templates.push(job.spec.submitterPodTemplate);
    }
    return templates;
  },
  setSuspended: (job, suspended) => {
    job.spec.suspend = suspended;
  },
  finished: job => {
    if (job.status?.jobDeploymentStatus === 'Complete')
      return {
        success: job.status?.jobStatus === 'SUCCEEDED',
        message: job.status?.message ?? '',
      };
    if (job.status?.jobDeploymentStatus === 'Failed')
      return { success: false, message: job.status?.message ?? '' };
    return undefined;
  },
};

export const INTEGRATIONS = [
  jobIntegration,
  rayClusterIntegration,
  rayJobIntegration,
];
const integrationFor = (apiVersion: string, kind: string) =>
  INTEGRATIONS.find(i => i.kind === kind && i.apiVersion === apiVersion);

/** `<kind>-<name>-<sha1(kind\ngroup\nname\nuid)[:5]>` (jobframework GetWorkloadNameForOwnerWithGVK). */
export function workloadNameFor(
  kind: string,
  group: string,
  name: string,
  uid: string,
) {
  const hash = createHash('sha1')
    .update(`${kind}\n${group}\n${name}\n${uid}`)
    .digest('hex')
    .slice(0, 5);
  return `${`${kind.toLowerCase()}-${name}`.slice(0, 253 - 6)}-${hash}`;
}

/** `<workload>-<check>-<attempt>` (provisioning.ProvisioningRequestName). */
export const provisioningRequestName = (
  workload: string,
  check: string,
  attempt: number,
) => `${workload}-${check}-${attempt}`;

export interface KueueTimings {
  /** Emulated scheduling-cycle latency between a Workload's creation and its first admission attempt. */
  quotaReservationMs: number;
}

/**
 * Admission webhook behaviour of Kueue's job integrations (the `mjob`/`mraycluster`/`mrayjob`
 * defaulting webhooks suspend queue-labelled jobs; `vraycluster.kb.io` refuses in-tree
 * autoscaling unless the job is elastic). Returns a denial message or undefined.
 */
export function kueueJobWebhook(obj: Obj, operation: 'CREATE' | 'UPDATE') {
  const integration = integrationFor(obj.apiVersion, obj.kind);
  if (!integration || !obj.metadata?.labels?.[QUEUE_LABEL]) return undefined;
  if (operation === 'CREATE' && obj.spec) {
    obj.spec.suspend = true;
  }
  const rayClusterSpec =
    obj.kind === 'RayCluster' ? obj.spec : obj.spec?.rayClusterSpec;
  if (
    obj.kind !== 'Job' &&
    rayClusterSpec?.enableInTreeAutoscaling === true &&
    obj.metadata?.annotations?.[ELASTIC_JOB_ANNOTATION] !== 'true'
  ) {
    const webhook =
      obj.kind === 'RayCluster' ? 'vraycluster.kb.io' : 'vrayjob.kb.io';
    const path =
      obj.kind === 'RayCluster'
        ? 'spec.enableInTreeAutoscaling'
        : 'spec.rayClusterSpec.enableInTreeAutoscaling';
    return `admission webhook "${webhook}" denied the request: ${path}: Invalid value: true: a kueue managed job should only use autoscaling when workload slicing is enabled`;
  }
  const groups = rayClusterSpec?.workerGroupSpecs ?? [];
  const headNamed = groups.findIndex((g: Obj) => g.groupName === 'head');
  if (obj.kind !== 'Job' && headNamed >= 0) {
    const webhook =
      obj.kind === 'RayCluster' ? 'vraycluster.kb.io' : 'vrayjob.kb.io';
    const base = obj.kind === 'RayCluster' ? 'spec' : 'spec.rayClusterSpec';
    return `admission webhook "${webhook}" denied the request: ${base}.workerGroupSpecs[${headNamed}].groupName: Forbidden: "head" is reserved for the head group`;
  }
  return undefined;
}

const formatTotal = (resource: string, amount: number) =>
  amount === 0 ? '0' : formatAmount(resource, amount);

export class KueueController {
  constructor(
    private readonly client: KubeClient,
    private readonly timings: KueueTimings,
  ) {}

  private now() {
    return this.client.store.now();
  }

  private nowMs() {
    return Date.parse(this.client.store.now());
  }

  /** One level-triggered pass over every Kueue concern; returns the earliest time it must run again. */
  reconcile(): number | undefined {
    this.collectGarbage();
    this.reconcileAdmissionChecks();
    this.createWorkloads();
    this.reconcileQueues();
    this.evictOnChecks();
    const next = this.schedule();
    this.reconcileProvisioning();
    this.syncAdmitted();
    this.runOrStopJobs();
    this.finishWorkloads();
    this.reconcileQueueStatus();
    return next;
  }

  /**
   * The garbage collector's part for Kueue's objects: a Workload whose job is gone is deleted
   * (its finalizer removed, as the job reconciler does), and with it its ProvisioningRequests
   * and their PodTemplates (owner references).
   */
  private collectGarbage() {
    for (const wl of this.list('Workload')) {
      if (isFixture(wl)) continue;
      const ref = controllerOf(wl);
      if (!ref || !integrationFor(ref.apiVersion, ref.kind)) continue;
      const job = this.client.get(
        ref.apiVersion,
        ref.kind,
        ref.name,
        wl.metadata.namespace,
      );
      if (job && job.metadata.uid === ref.uid) continue;
      this.client.delete(
        KUEUE_API,
        'Workload',
        wl.metadata.name,
        wl.metadata.namespace,
      );
    }
    const owners = new Set(
      [
        ...this.list('Workload'),
        ...this.client.list(PROVREQ_API, 'ProvisioningRequest'),
      ].map(o => o.metadata.uid),
    );
    for (const [apiVersion, kind] of [
      [PROVREQ_API, 'ProvisioningRequest'],
      ['v1', 'PodTemplate'],
    ]) {
      for (const o of this.client.list(apiVersion, kind)) {
        const ref = controllerOf(o);
        if (
          isFixture(o) ||
          !ref ||
          !['Workload', 'ProvisioningRequest'].includes(ref.kind)
        )
          continue;
        if (!owners.has(ref.uid))
          this.client.delete(
            apiVersion,
            kind,
            o.metadata.name,
            o.metadata.namespace,
          );
      }
    }
  }

  private list(kind: string, namespace?: string) {
    return this.client.list(KUEUE_API, kind, namespace);
  }

  private updateWorkload(wl: Obj, mutate: (o: Obj) => void) {
    return this.client.modify(
      KUEUE_API,
      'Workload',
      wl.metadata.name,
      wl.metadata.namespace,
      mutate,
    );
  }

  private setWlCondition(
    o: Obj,
    type: string,
    status: 'True' | 'False',
    reason: string,
    message: string,
  ) {
    o.status = o.status ?? {};
    o.status.conditions = setCondition(o.status.conditions, {
      ...condition(type, status, reason, message, this.now()),
      observedGeneration: o.metadata.generation,
    });
  }

  /** AdmissionCheck `Active` for the provisioning controller (admissioncheck_reconciler.go). */
  private reconcileAdmissionChecks() {
    for (const ac of this.list('AdmissionCheck')) {
      if (isFixture(ac) || ac.spec?.controllerName !== PROVISIONING_CONTROLLER)
        continue;
      const ref = ac.spec?.parameters;
      const config =
        ref?.kind === 'ProvisioningRequestConfig' &&
        this.client.get(KUEUE_API, 'ProvisioningRequestConfig', ref.name);
      const active = config
        ? condition(
            'Active',
            'True',
            'Active',
            'The admission check is active',
            this.now(),
          )
        : condition(
            'Active',
            'False',
            'BadParametersRef',
            ref
              ? `provisioningrequestconfigs.kueue.x-k8s.io "${ref.name}" not found`
              : 'missing parameters reference',
            this.now(),
          );
      this.client.modify(
        KUEUE_API,
        'AdmissionCheck',
        ac.metadata.name,
        undefined,
        o => {
          o.status = {
            ...(o.status ?? {}),
            conditions: setCondition(o.status?.conditions, {
              ...active,
              observedGeneration: o.metadata.generation,
            }),
          };
        },
      );
    }
  }

  /** ClusterQueue and LocalQueue `Active` (cache/scheduler/clusterqueue.go, localqueue_controller.go). */
  private reconcileQueues() {
    const flavors = new Set(
      this.list('ResourceFlavor').map(f => f.metadata.name),
    );
    const checks = new Map(
      this.list('AdmissionCheck').map(ac => [ac.metadata.name, ac]),
    );
    for (const cq of this.list('ClusterQueue')) {
      if (isFixture(cq)) continue;
      const missingFlavors = [
        ...new Set(
          (cq.spec?.resourceGroups ?? []).flatMap((rg: Obj) =>
            (rg.flavors ?? []).map((f: Obj) => f.name),
          ),
        ),
      ]
        .filter(f => !flavors.has(f as string))
        .sort();
      const checkNames = (
        cq.spec?.admissionChecksStrategy?.admissionChecks ?? []
      ).map((c: Obj) => c.name);
      const missingChecks = checkNames
        .filter((c: string) => !checks.has(c))
        .sort();
      const inactiveChecks = checkNames
        .filter(
          (c: string) => checks.has(c) && !isTrue(checks.get(c)!, 'Active'),
        )
        .sort();
      const reasons: string[] = [];
      const messages: string[] = [];
      if (cq.spec?.stopPolicy && cq.spec.stopPolicy !== 'None') {
        reasons.push('Stopped');
        messages.push('is stopped');
      }
      if (missingFlavors.length) {
        reasons.push('FlavorNotFound');
        messages.push(
          `references missing ResourceFlavor(s): [${missingFlavors.join(',')}]`,
        );
      }
      if (missingChecks.length) {
        reasons.push('AdmissionCheckNotFound');
        messages.push(
          `references missing AdmissionCheck(s): [${missingChecks.join(',')}]`,
        );
      }
      if (inactiveChecks.length) {
        reasons.push('AdmissionCheckInactive');
        messages.push(
          `references inactive AdmissionCheck(s): [${inactiveChecks.join(
            ',',
          )}]`,
        );
      }
      const active = reasons.length
        ? condition(
            'Active',
            'False',
            reasons[0],
            `Can't admit new workloads: ${messages.join(', ')}.`,
            this.now(),
          )
        : condition(
            'Active',
            'True',
            'Ready',
            'Can admit new workloads',
            this.now(),
          );
      this.client.modify(
        KUEUE_API,
        'ClusterQueue',
        cq.metadata.name,
        undefined,
        o => {
          o.status = {
            pendingWorkloads: 0,
            reservingWorkloads: 0,
            admittedWorkloads: 0,
            ...(o.status ?? {}),
            conditions: setCondition(o.status?.conditions, active),
          };
        },
      );
    }
    for (const lq of this.list('LocalQueue')) {
      if (isFixture(lq)) continue;
      const cq = this.client.get(
        KUEUE_API,
        'ClusterQueue',
        lq.spec?.clusterQueue,
      );
      let active;
      if (lq.spec?.stopPolicy && lq.spec.stopPolicy !== 'None') {
        active = condition(
          'Active',
          'False',
          'Stopped',
          'LocalQueue is stopped',
          this.now(),
        );
      } else if (!cq) {
        active = condition(
          'Active',
          'False',
          'ClusterQueueDoesNotExist',
          "Can't submit new workloads to clusterQueue",
          this.now(),
        );
      } else if (isTrue(cq, 'Active')) {
        active = condition(
          'Active',
          'True',
          'Ready',
          'Can submit new workloads to localQueue',
          this.now(),
        );
      } else {
        active = condition(
          'Active',
          'False',
          'ClusterQueueIsInactive',
          "Can't submit new workloads to clusterQueue",
          this.now(),
        );
      }
      this.client.modify(
        KUEUE_API,
        'LocalQueue',
        lq.metadata.name,
        lq.metadata.namespace,
        o => {
          o.status = {
            pendingWorkloads: 0,
            reservingWorkloads: 0,
            admittedWorkloads: 0,
            ...(o.status ?? {}),
            conditions: setCondition(o.status?.conditions, active),
          };
        },
      );
    }
  }

  /** Jobs, RayClusters and RayJobs with a queue name get their Workload (jobframework ConstructWorkload). */
  private createWorkloads() {
    const existing = new Set(
      this.list('Workload').map(
        w => `${w.metadata.namespace}/${controllerOf(w)?.uid}`,
      ),
    );
    // The job reconcilers create Workloads as jobs appear: in the jobs' creation order.
    const jobs = INTEGRATIONS.flatMap(integration =>
      this.client
        .list(integration.apiVersion, integration.kind)
        .map(job => ({ integration, job })),
    ).sort(
      (a, b) =>
        this.client.store.creationRevision(a.job.metadata.uid) -
        this.client.store.creationRevision(b.job.metadata.uid),
    );
    for (const { integration, job } of jobs) {
      const queue = job.metadata.labels?.[QUEUE_LABEL];
      if (!queue || isFixture(job)) continue;
      // A RayCluster a RayJob created is admitted through the RayJob's Workload.
      if (controllerOf(job)?.kind === 'RayJob') continue;
      if (existing.has(`${job.metadata.namespace}/${job.metadata.uid}`))
        continue;
      const [group] = integration.apiVersion.split('/');
      const name = workloadNameFor(
        integration.kind,
        integration.apiVersion.includes('/') ? group : '',
        job.metadata.name,
        job.metadata.uid,
      );
      if (this.client.get(KUEUE_API, 'Workload', name, job.metadata.namespace))
        continue;
      const annotations = Object.fromEntries(
        Object.entries(job.metadata.annotations ?? {}).filter(([k]) =>
          k.startsWith(PROVREQ_ANNOTATION_PREFIX),
        ),
      );
      const priorityClass =
        job.metadata.labels?.['kueue.x-k8s.io/priority-class'];
      const wpc = priorityClass
        ? this.client.get(KUEUE_API, 'WorkloadPriorityClass', priorityClass)
        : undefined;
      this.client.upsert({
        apiVersion: KUEUE_API,
        kind: 'Workload',
        metadata: {
          name,
          namespace: job.metadata.namespace,
          labels: { 'kueue.x-k8s.io/job-uid': job.metadata.uid },
          ...(Object.keys(annotations).length ? { annotations } : {}),
          finalizers: ['kueue.x-k8s.io/resource-in-use'],
          ownerReferences: [
            {
              apiVersion: integration.apiVersion,
              kind: integration.kind,
              name: job.metadata.name,
              uid: job.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: {
          queueName: queue,
          active: true,
          priority: wpc?.value ?? 0,
          ...(wpc
            ? {
                priorityClassRef: {
                  group: 'kueue.x-k8s.io',
                  kind: 'WorkloadPriorityClass',
                  name: priorityClass,
                },
              }
            : {}),
          podSets: integration.podSets(job),
        },
      });
      // The webhook suspends at creation; an object created while Kueue was absent is
      // suspended here, before it can start.
      if (!integration.isSuspended(job) && !this.ownerAdmitted(job)) {
        this.client.modify(
          integration.apiVersion,
          integration.kind,
          job.metadata.name,
          job.metadata.namespace,
          o => integration.setSuspended(o, true),
        );
      }
    }
  }

  private ownerAdmitted(job: Obj) {
    return this.list('Workload', job.metadata.namespace).some(
      w => controllerOf(w)?.uid === job.metadata.uid && isTrue(w, 'Admitted'),
    );
  }

  private queueOf(wl: Obj) {
    const lq = this.client.get(
      KUEUE_API,
      'LocalQueue',
      wl.spec?.queueName,
      wl.metadata.namespace,
    );
    const cq = lq
      ? this.client.get(KUEUE_API, 'ClusterQueue', lq.spec?.clusterQueue)
      : undefined;
    return { lq, cq, cqName: lq?.spec?.clusterQueue as string | undefined };
  }

  /** workload_controller.go getQueueBlocker: why the workload's queues cannot take it. */
  private queueBlocker(
    wl: Obj,
    lq: Obj | undefined,
    cq: Obj | undefined,
    cqName: string | undefined,
  ): string | undefined {
    if (!lq) return `LocalQueue ${wl.spec?.queueName} doesn't exist`;
    if (lq.spec?.stopPolicy && lq.spec.stopPolicy !== 'None')
      return `LocalQueue ${wl.spec?.queueName} is inactive`;
    if (!cq) return `ClusterQueue ${cqName} doesn't exist`;
    if (!isTrue(cq, 'Active')) return `ClusterQueue ${cqName} is inactive`;
    return undefined;
  }

  private holdsQuota(wl: Obj) {
    return (
      isTrue(wl, 'QuotaReserved') &&
      wl.status?.admission &&
      !isTrue(wl, 'Finished')
    );
  }

  /** Quota held per ClusterQueue, flavor and resource, by every workload with a reservation. */
  private usageByQueue(workloads: Obj[]) {
    const usage = new Map<string, Usage>();
    for (const wl of workloads) {
      if (!this.holdsQuota(wl)) continue;
      const cqName = wl.status.admission.clusterQueue;
      const cqUsage = usage.get(cqName) ?? {};
      for (const psa of wl.status.admission.podSetAssignments ?? []) {
        for (const [resource, flavor] of Object.entries(
          (psa.flavors ?? {}) as Record<string, string>,
        )) {
          const quantity = psa.resourceUsage?.[resource];
          if (quantity === undefined) continue;
          cqUsage[flavor] ??= {};
          cqUsage[flavor][resource] =
            (cqUsage[flavor][resource] ?? 0) +
            resourceAmount(resource, quantity);
        }
      }
      usage.set(cqName, cqUsage);
    }
    return usage;
  }

  private checksFor(cq: Obj, flavorsAssigned?: Set<string>): string[] {
    const allFlavors = new Set<string>(
      (cq.spec?.resourceGroups ?? []).flatMap((rg: Obj) =>
        (rg.flavors ?? []).map((f: Obj) => f.name),
      ),
    );
    return (cq.spec?.admissionChecksStrategy?.admissionChecks ?? [])
      .filter((c: Obj) => {
        const on = new Set<string>(
          c.onFlavors?.length ? c.onFlavors : allFlavors,
        );
        // workload.AdmissionChecksForWorkload: with an admission, the checks of its flavors;
        // without one, only the checks that apply to every flavor of the queue.
        return flavorsAssigned
          ? [...flavorsAssigned].some(f => on.has(f))
          : [...allFlavors].every(f => on.has(f));
      })
      .map((c: Obj) => c.name as string);
  }

  /**
   * The scheduler: per active ClusterQueue, the pending workloads in priority then FIFO order
   * (creation time, or the eviction time of a requeued workload); StrictFIFO stops at the first
   * workload that does not fit, BestEffortFIFO goes on with the next.
   */
  private schedule(): number | undefined {
    const now = this.nowMs();
    const workloads = this.list('Workload');
    const usage = this.usageByQueue(workloads);
    const flavors = new Map(
      this.list('ResourceFlavor').map(f => [f.metadata.name, f]),
    );
    let next: number | undefined;
    const later = (t: number) => {
      next = next === undefined ? t : Math.min(next, t);
    };
    const pendingByQueue = new Map<string, Obj[]>();
    for (const wl of workloads) {
      if (isFixture(wl) || wl.metadata.deletionTimestamp) continue;
      if (this.holdsQuota(wl) || isTrue(wl, 'Finished')) continue;
      if (wl.spec?.active === false) continue;
      const { lq, cq, cqName } = this.queueOf(wl);
      const blocker = this.queueBlocker(wl, lq, cq, cqName);
      if (blocker) {
        // workload_controller.go getQueueBlocker, legacy (default) reason.
        this.updateWorkload(wl, o =>
          this.setWlCondition(
            o,
            'QuotaReserved',
            'False',
            'Inadmissible',
            blocker,
          ),
        );
        continue;
      }
      const requeueAt = wl.status?.requeueState?.requeueAt;
      if (requeueAt && Date.parse(requeueAt) > now) {
        later(Date.parse(requeueAt));
        continue;
      }
      const created = Date.parse(wl.metadata.creationTimestamp);
      if (created + this.timings.quotaReservationMs > now) {
        later(created + this.timings.quotaReservationMs);
        continue;
      }
      const list = pendingByQueue.get(cqName!) ?? [];
      list.push(wl);
      pendingByQueue.set(cqName!, list);
    }
    for (const [cqName, pending] of pendingByQueue) {
      const cq = this.client.get(KUEUE_API, 'ClusterQueue', cqName)!;
      const queueTime = (wl: Obj) =>
        Date.parse(
          cond(wl, 'Evicted')?.status === 'True'
            ? cond(wl, 'Evicted').lastTransitionTime
            : wl.metadata.creationTimestamp,
        );
      const created = (wl: Obj) =>
        this.client.store.creationRevision(wl.metadata.uid);
      pending.sort(
        (a, b) =>
          (b.spec?.priority ?? 0) - (a.spec?.priority ?? 0) ||
          queueTime(a) - queueTime(b) ||
          created(a) - created(b),
      );
      const strict =
        (cq.spec?.queueingStrategy ?? 'BestEffortFIFO') === 'StrictFIFO';
      const cqUsage = usage.get(cqName) ?? {};
      const nsSelector = cq.spec?.namespaceSelector;
      for (const wl of pending) {
        const ns = this.client.get('v1', 'Namespace', wl.metadata.namespace);
        // A null namespaceSelector admits no namespace; `{}` admits every one (CRD doc).
        if (
          !nsSelector ||
          !labelSelectorMatches(nsSelector, ns?.metadata?.labels ?? {})
        ) {
          // workload.ErrNamespaceMismatch, reported with the legacy "Pending" reason.
          this.updateWorkload(wl, o =>
            this.setWlCondition(
              o,
              'QuotaReserved',
              'False',
              'Pending',
              "workload namespace doesn't match ClusterQueue selector",
            ),
          );
          if (strict) break;
          continue;
        }
        const result = assignFlavors({
          podSets: wl.spec?.podSets ?? [],
          resourceGroups: (cq.spec?.resourceGroups ?? []) as ResourceGroup[],
          flavors,
          usage: cqUsage,
        });
        if (!result.fits) {
          this.updateWorkload(wl, o =>
            this.setWlCondition(
              o,
              'QuotaReserved',
              'False',
              'Pending',
              result.message,
            ),
          );
          if (strict) break;
          continue;
        }
        for (const [flavor, amounts] of Object.entries(result.usage)) {
          cqUsage[flavor] ??= {};
          for (const [r, v] of Object.entries(amounts))
            cqUsage[flavor][r] = (cqUsage[flavor][r] ?? 0) + v;
        }
        usage.set(cqName, cqUsage);
        const assigned = new Set(
          result.podSetAssignments.flatMap(p => Object.values(p.flavors)),
        );
        const checks = this.checksFor(cq, assigned);
        this.updateWorkload(wl, o => {
          o.status = o.status ?? {};
          o.status.admission = {
            clusterQueue: cqName,
            podSetAssignments: result.podSetAssignments,
          };
          // workload.SetQuotaReservation: QuotaReserved, and a previous eviction is reset.
          this.setWlCondition(
            o,
            'QuotaReserved',
            'True',
            'QuotaReserved',
            `Quota reserved in ClusterQueue ${cqName}`,
          );
          if (isTrue(o, 'Evicted')) {
            this.setWlCondition(
              o,
              'Evicted',
              'False',
              'QuotaReserved',
              `Previously: ${cond(o, 'Evicted').message}`,
            );
          }
          delete o.status.requeueState;
          const previous = new Map(
            (o.status.admissionChecks ?? []).map((c: Obj) => [c.name, c]),
          );
          o.status.admissionChecks = checks.map(
            name =>
              previous.get(name) ?? {
                name,
                state: 'Pending',
                message: '',
                lastTransitionTime: this.now(),
              },
          );
          if (o.status.admissionChecks.length === 0)
            delete o.status.admissionChecks;
        });
      }
    }
    return next;
  }

  private provisioningConfigs() {
    const configs = new Map<string, Obj | undefined>();
    for (const ac of this.list('AdmissionCheck')) {
      if (ac.spec?.controllerName !== PROVISIONING_CONTROLLER) continue;
      const ref = ac.spec?.parameters;
      configs.set(
        ac.metadata.name,
        isTrue(ac, 'Active') && ref?.kind === 'ProvisioningRequestConfig'
          ? this.client.get(KUEUE_API, 'ProvisioningRequestConfig', ref.name)
          : undefined,
      );
    }
    return configs;
  }

  /**
   * The provisioning admission check (admissionchecks/provisioning/controller.go): for a
   * workload with quota, one ProvisioningRequest per attempt holding only the pod sets that use
   * the config's managedResources (PodTemplates `ppt-<request>-<podset>` with the flavor's node
   * selection applied), and the check state derived from the request's conditions.
   */
  private reconcileProvisioning() {
    const configs = this.provisioningConfigs();
    if (configs.size === 0) return;
    const flavors = new Map(
      this.list('ResourceFlavor').map(f => [f.metadata.name, f]),
    );
    for (const wl of this.list('Workload')) {
      if (isFixture(wl) || !this.holdsQuota(wl)) continue;
      for (const state of wl.status?.admissionChecks ?? []) {
        if (!configs.has(state.name)) continue;
        const prc = configs.get(state.name);
        if (!prc) {
          this.setCheck(wl, state.name, 'Pending', 'the check is not active');
          continue;
        }
        const managed = new Set<string>(prc.spec?.managedResources ?? []);
        const uses = (ps: Obj) =>
          [
            ...(ps.template?.spec?.containers ?? []),
            ...(ps.template?.spec?.initContainers ?? []),
          ].some((c: Obj) =>
            Object.keys({
              ...(c.resources?.requests ?? {}),
              ...(c.resources?.limits ?? {}),
            }).some(r => managed.size === 0 || managed.has(r)),
          );
        const podSets = (wl.spec?.podSets ?? []).filter(
          (ps: Obj) => ps.count > 0 && uses(ps),
        );
        if (podSets.length === 0) {
          if (state.state !== 'Ready')
            this.setCheck(
              wl,
              state.name,
              'Ready',
              'the provisioning request is not needed',
            );
          continue;
        }
        if (state.state === 'Ready' && !this.requestOf(wl, state.name))
          continue;
        const retry = prc.spec?.retryStrategy ?? {};
        const limit = retry.backoffLimitCount ?? 3;
        let request = this.requestOf(wl, state.name);
        const attemptOf = (pr: Obj) =>
          Number(/-(\d+)$/.exec(pr.metadata.name)?.[1] ?? 1);
        if (
          !request ||
          ((isTrue(request, 'Failed') ||
            (isTrue(request, 'BookingExpired') && !isTrue(wl, 'Admitted'))) &&
            state.state === 'Pending' &&
            attemptOf(request) <= (state.retryCount ?? 0))
        ) {
          const attempt = request
            ? attemptOf(request) + 1
            : (state.retryCount ?? 0) + 1;
          request = this.createRequest(
            wl,
            state.name,
            attempt,
            prc,
            podSets,
            flavors,
          );
        }
        const attempt = attemptOf(request);
        const message = (type: string) => cond(request!, type)?.message ?? '';
        const backoff = (count: number) =>
          Math.min(
            (retry.backoffBaseSeconds ?? 60) * 2 ** count,
            retry.backoffMaxSeconds ?? 1800,
          );
        if (isTrue(request, 'Failed')) {
          if (attempt <= limit) {
            if (attempt > (state.retryCount ?? 0) && state.state !== 'Retry')
              this.setCheck(
                wl,
                state.name,
                'Retry',
                `Retrying after failure: ${message('Failed')}`,
                {
                  requeueAfterSeconds: backoff(state.retryCount ?? 0),
                },
              );
          } else if (state.state !== 'Rejected') {
            this.setCheck(wl, state.name, 'Rejected', message('Failed'));
          }
        } else if (isTrue(request, 'CapacityRevoked')) {
          if (
            wl.spec?.active !== false &&
            !isTrue(wl, 'Finished') &&
            state.state !== 'Rejected'
          )
            this.setCheck(
              wl,
              state.name,
              'Rejected',
              message('CapacityRevoked'),
            );
        } else if (isTrue(request, 'BookingExpired')) {
          if (!isTrue(wl, 'Admitted')) {
            if (attempt <= limit) {
              if (attempt > (state.retryCount ?? 0) && state.state !== 'Retry')
                this.setCheck(
                  wl,
                  state.name,
                  'Retry',
                  `Retrying after booking expired: ${message(
                    'BookingExpired',
                  )}`,
                  {
                    requeueAfterSeconds: backoff(state.retryCount ?? 0),
                  },
                );
            } else if (state.state !== 'Rejected') {
              this.setCheck(
                wl,
                state.name,
                'Rejected',
                message('BookingExpired'),
              );
            }
          }
        } else if (isTrue(request, 'Provisioned')) {
          if (state.state !== 'Ready') {
            this.setCheck(wl, state.name, 'Ready', message('Provisioned'), {
              podSetUpdates: this.podSetUpdates(request, prc),
            });
          }
        } else if (isTrue(request, 'Accepted')) {
          const provisioned = cond(request, 'Provisioned');
          if (provisioned)
            this.setCheck(wl, state.name, 'Pending', provisioned.message);
        }
      }
    }
  }

  private requestOf(wl: Obj, check: string): Obj | undefined {
    const prefix = `${wl.metadata.name}-${check}-`;
    return this.client
      .list(PROVREQ_API, 'ProvisioningRequest', wl.metadata.namespace)
      .filter(
        pr =>
          pr.metadata.name.startsWith(prefix) &&
          /^\d+$/.test(pr.metadata.name.slice(prefix.length)),
      )
      .sort(
        (a, b) =>
          Number(b.metadata.name.slice(prefix.length)) -
          Number(a.metadata.name.slice(prefix.length)),
      )[0];
  }

  private createRequest(
    wl: Obj,
    check: string,
    attempt: number,
    prc: Obj,
    podSets: Obj[],
    flavors: Map<string, Obj>,
  ) {
    const name = provisioningRequestName(wl.metadata.name, check, attempt);
    const ns = wl.metadata.namespace;
    const owner = (o: Obj) => ({
      apiVersion: o.apiVersion,
      kind: o.kind,
      name: o.metadata.name,
      uid: o.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    });
    const request = this.client.upsert({
      apiVersion: PROVREQ_API,
      kind: 'ProvisioningRequest',
      metadata: {
        name,
        namespace: ns,
        labels: { 'kueue.x-k8s.io/managed': 'true' },
        ownerReferences: [
          owner({ ...wl, apiVersion: KUEUE_API, kind: 'Workload' }),
        ],
      },
      spec: {
        provisioningClassName: prc.spec?.provisioningClassName,
        parameters: {
          ...(prc.spec?.parameters ?? {}),
          ...Object.fromEntries(
            Object.entries(wl.metadata.annotations ?? {})
              .filter(([k]) => k.startsWith(PROVREQ_ANNOTATION_PREFIX))
              .map(([k, v]) => [k.slice(PROVREQ_ANNOTATION_PREFIX.length), v]),
          ),
        },
        podSets: podSets.map((ps: Obj) => ({
          podTemplateRef: { name: `ppt-${name}-${ps.name}` },
          count: ps.count,
        })),
      },
    });
    for (const ps of podSets) {
      const psa = (wl.status?.admission?.podSetAssignments ?? []).find(
        (a: Obj) => a.name === ps.name,
      );
      const template = structuredClone(ps.template ?? {});
      mergePodSetInfo(template, podSetInfoFromAssignment(psa, flavors));
      useLimitsAsMissingRequests(template.spec ?? {});
      this.client.upsert({
        apiVersion: 'v1',
        kind: 'PodTemplate',
        metadata: {
          name: `ppt-${name}-${ps.name}`,
          namespace: ns,
          labels: { 'kueue.x-k8s.io/managed': 'true' },
          ownerReferences: [
            owner({
              ...request,
              apiVersion: PROVREQ_API,
              kind: 'ProvisioningRequest',
            }),
          ],
        },
        template,
      });
    }
    return request;
  }

  /** podSetUpdates of a provisioned request (provisioning controller podSetUpdates()). */
  private podSetUpdates(request: Obj, prc: Obj) {
    return (request.spec?.podSets ?? []).map((ps: Obj) => {
      const name = ps.podTemplateRef.name.slice(
        `ppt-${request.metadata.name}-`.length,
      );
      const nodeSelector: Record<string, string> = {};
      for (const s of prc.spec?.podSetUpdates?.nodeSelector ?? []) {
        const value =
          request.status?.provisioningClassDetails?.[
            s.valueFromProvisioningClassDetail
          ];
        if (value !== undefined) nodeSelector[s.key] = String(value);
      }
      return {
        name,
        annotations: {
          [CONSUME_PROVREQ_ANNOTATION]: request.metadata.name,
          [PROVREQ_CLASS_ANNOTATION]: request.spec?.provisioningClassName,
        },
        ...(prc.spec?.podSetUpdates ? { nodeSelector } : {}),
      };
    });
  }

  private setCheck(
    wl: Obj,
    name: string,
    state: string,
    message: string,
    extra: Obj = {},
  ) {
    this.updateWorkload(wl, o => {
      o.status.admissionChecks = (o.status.admissionChecks ?? []).map(
        (c: Obj) => {
          if (c.name !== name) return c;
          if (c.state === state && c.message === message) return c;
          const next: Obj = {
            ...c,
            state,
            message,
            lastTransitionTime:
              c.state === state ? c.lastTransitionTime : this.now(),
            ...extra,
          };
          if (state !== 'Ready') delete next.podSetUpdates;
          return next;
        },
      );
    });
  }

  /** workload.SyncAdmittedCondition with the default gates: Admitted once quota and every check are in. */
  private syncAdmitted() {
    for (const wl of this.list('Workload')) {
      if (isFixture(wl)) continue;
      const ready =
        this.holdsQuota(wl) &&
        (wl.status?.admissionChecks ?? []).every(
          (c: Obj) => c.state === 'Ready',
        );
      if (ready && !isTrue(wl, 'Admitted')) {
        this.updateWorkload(wl, o =>
          this.setWlCondition(
            o,
            'Admitted',
            'True',
            'Admitted',
            'The workload is admitted',
          ),
        );
      }
    }
  }

  /**
   * Check-based eviction (workload_controller.go reconcileCheckBasedEviction): a Retry check
   * evicts the workload (requeued after the check's backoff); a Rejected one deactivates it.
   */
  private evictOnChecks() {
    for (const wl of this.list('Workload')) {
      if (isFixture(wl) || isTrue(wl, 'Finished')) continue;
      const checks: Obj[] = wl.status?.admissionChecks ?? [];
      const rejected = checks.filter(c => c.state === 'Rejected');
      const retry = checks.filter(c => c.state === 'Retry');
      const describe = (list: Obj[], state: string) =>
        `${
          list.length > 1 ? 'AdmissionChecks' : 'AdmissionCheck'
        } in ${state} state: ${list
          .map(c => (c.message ? `"${c.name}" (${c.message})` : `"${c.name}"`))
          .join('; ')}`;
      if (rejected.length && wl.spec?.active !== false) {
        const message = `The workload is deactivated due to ${describe(
          rejected,
          'Rejected',
        )}`;
        this.updateWorkload(wl, o => {
          o.spec.active = false;
        });
        this.evict(wl, 'Deactivated', message, 'WorkloadDeactivated');
      } else if (
        retry.length &&
        this.holdsQuota(wl) &&
        !isTrue(wl, 'Evicted')
      ) {
        const seconds = Math.max(...retry.map(c => c.requeueAfterSeconds ?? 0));
        this.evict(
          wl,
          'AdmissionCheck',
          `Evicted due to ${describe(retry, 'Retry')}`,
          'AdmissionCheck',
          seconds,
        );
      } else if (
        wl.spec?.active === false &&
        this.holdsQuota(wl) &&
        !isTrue(wl, 'Evicted')
      ) {
        this.evict(
          wl,
          'Deactivated',
          'The workload is deactivated',
          'WorkloadDeactivated',
        );
      }
    }
  }

  /**
   * Evicts (workload/evict prepareForEviction) and, as the job reconciler does once the job is
   * stopped, releases the quota: Evicted=True, checks reset to Pending, QuotaReserved=False.
   */
  private evict(
    wl: Obj,
    reason: string,
    message: string,
    requeueReason: string,
    backoffSeconds = 0,
  ) {
    const now = this.now();
    this.updateWorkload(wl, o => {
      this.setWlCondition(o, 'Evicted', 'True', reason, message);
      o.status.admissionChecks = (o.status.admissionChecks ?? []).map(
        (c: Obj) =>
          c.state === 'Pending'
            ? c
            : {
                name: c.name,
                state: 'Pending',
                message: `Reset to Pending after eviction. Previously: ${c.state}`,
                lastTransitionTime: now,
                ...(c.requeueAfterSeconds !== undefined
                  ? { requeueAfterSeconds: c.requeueAfterSeconds }
                  : {}),
                ...(c.state === 'Retry' || c.retryCount !== undefined
                  ? {
                      retryCount:
                        (c.retryCount ?? 0) + (c.state === 'Retry' ? 1 : 0),
                    }
                  : {}),
              },
      );
      delete o.status.admission;
      this.setWlCondition(o, 'QuotaReserved', 'False', 'Pending', message);
      if (isTrue(o, 'Admitted'))
        this.setWlCondition(
          o,
          'Admitted',
          'False',
          'NoReservation',
          'The workload has no reservation',
        );
      this.setWlCondition(o, 'Requeued', 'False', requeueReason, message);
      if (backoffSeconds > 0) {
        o.status.requeueState = {
          count: (o.status.requeueState?.count ?? 0) + 1,
          requeueAt: new Date(this.nowMs() + backoffSeconds * 1000)
            .toISOString()
            .replace(/\.\d{3}Z$/, 'Z'),
        };
      }
    });
  }

  /** The job reconciler: start an admitted job with its pod-set info, stop one that lost its admission. */
  private runOrStopJobs() {
    const flavors = new Map(
      this.list('ResourceFlavor').map(f => [f.metadata.name, f]),
    );
    for (const wl of this.list('Workload')) {
      if (isFixture(wl)) continue;
      const ref = controllerOf(wl);
      const integration = ref && integrationFor(ref.apiVersion, ref.kind);
      if (!integration) continue;
      const job = this.client.get(
        ref.apiVersion,
        ref.kind,
        ref.name,
        wl.metadata.namespace,
      );
      if (!job || job.metadata.uid !== ref.uid) continue;
      const admitted =
        isTrue(wl, 'Admitted') &&
        this.holdsQuota(wl) &&
        wl.spec?.active !== false;
      if (admitted && integration.isSuspended(job)) {
        this.client.modify(
          ref.apiVersion,
          ref.kind,
          ref.name,
          wl.metadata.namespace,
          o => {
            const templates = integration.templates(o);
            (wl.status.admission.podSetAssignments ?? []).forEach(
              (psa: Obj, i: number) => {
                if (!templates[i]) return;
                const info = podSetInfoFromAssignment(psa, flavors);
                for (const check of wl.status?.admissionChecks ?? []) {
                  const update = (check.podSetUpdates ?? []).find(
                    (u: Obj) => u.name === psa.name,
                  );
                  if (update) mergeInfo(info, update);
                }
                mergePodSetInfo(templates[i], info);
              },
            );
            integration.setSuspended(o, false);
          },
        );
      } else if (
        !admitted &&
        !integration.isSuspended(job) &&
        !isTrue(wl, 'Finished')
      ) {
        // Stop and restore the pod templates Kueue changed (RestorePodSetsInfo).
        this.client.modify(
          ref.apiVersion,
          ref.kind,
          ref.name,
          wl.metadata.namespace,
          o => {
            const templates = integration.templates(o);
            (wl.spec?.podSets ?? []).forEach((ps: Obj, i: number) => {
              if (!templates[i]) return;
              templates[i].metadata = structuredClone(
                ps.template?.metadata ?? {},
              );
              templates[i].spec = templates[i].spec ?? {};
              for (const key of ['nodeSelector', 'tolerations'] as const) {
                if (ps.template?.spec?.[key] === undefined)
                  delete templates[i].spec[key];
                else
                  templates[i].spec[key] = structuredClone(
                    ps.template.spec[key],
                  );
              }
            });
            integration.setSuspended(o, true);
          },
        );
      }
    }
  }

  /** Finished=True from the job's own completion (jobframework, Finished reason Succeeded/Failed). */
  private finishWorkloads() {
    for (const wl of this.list('Workload')) {
      if (isFixture(wl) || isTrue(wl, 'Finished')) continue;
      const ref = controllerOf(wl);
      const integration = ref && integrationFor(ref.apiVersion, ref.kind);
      if (!integration) continue;
      const job = this.client.get(
        ref.apiVersion,
        ref.kind,
        ref.name,
        wl.metadata.namespace,
      );
      const done = job && integration.finished(job);
      if (!done) continue;
      this.updateWorkload(wl, o =>
        this.setWlCondition(
          o,
          'Finished',
          'True',
          done.success ? 'Succeeded' : 'Failed',
          done.message,
        ),
      );
    }
  }

  /** Pending / reserving / admitted counts and flavor usage on the queues' status. */
  private reconcileQueueStatus() {
    const workloads = this.list('Workload').filter(w => !isTrue(w, 'Finished'));
    const usage = this.usageByQueue(workloads);
    for (const cq of this.list('ClusterQueue')) {
      if (isFixture(cq)) continue;
      const mine = workloads.filter(
        w => this.queueOf(w).cqName === cq.metadata.name,
      );
      const counts = {
        pendingWorkloads: mine.filter(
          w => !this.holdsQuota(w) && w.spec?.active !== false,
        ).length,
        reservingWorkloads: mine.filter(w => this.holdsQuota(w)).length,
        admittedWorkloads: mine.filter(
          w => isTrue(w, 'Admitted') && this.holdsQuota(w),
        ).length,
      };
      const cqUsage = usage.get(cq.metadata.name) ?? {};
      const flavorsReservation = (cq.spec?.resourceGroups ?? []).flatMap(
        (rg: Obj) =>
          (rg.flavors ?? []).map((f: Obj) => ({
            name: f.name,
            resources: (rg.coveredResources ?? []).map((r: string) => ({
              name: r,
              total: formatTotal(r, cqUsage[f.name]?.[r] ?? 0),
              borrowed: '0',
            })),
          })),
      );
      this.client.modify(
        KUEUE_API,
        'ClusterQueue',
        cq.metadata.name,
        undefined,
        o => {
          o.status = {
            ...(o.status ?? {}),
            ...counts,
            flavorsReservation,
            flavorsUsage: flavorsReservation,
          };
        },
      );
      for (const lq of this.list('LocalQueue')) {
        if (isFixture(lq) || lq.spec?.clusterQueue !== cq.metadata.name)
          continue;
        const local = mine.filter(
          w =>
            w.metadata.namespace === lq.metadata.namespace &&
            w.spec?.queueName === lq.metadata.name,
        );
        this.client.modify(
          KUEUE_API,
          'LocalQueue',
          lq.metadata.name,
          lq.metadata.namespace,
          o => {
            o.status = {
              ...(o.status ?? {}),
              pendingWorkloads: local.filter(
                w => !this.holdsQuota(w) && w.spec?.active !== false,
              ).length,
              reservingWorkloads: local.filter(w => this.holdsQuota(w)).length,
              admittedWorkloads: local.filter(
                w => isTrue(w, 'Admitted') && this.holdsQuota(w),
              ).length,
            };
          },
        );
      }
    }
  }
}

export interface PodSetInfo {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  nodeSelector?: Record<string, string>;
  tolerations?: Obj[];
}

/** podset.FromAssignment: each assigned flavor's nodeLabels and tolerations. */
export function podSetInfoFromAssignment(
  psa: Obj | undefined,
  flavors: Map<string, Obj>,
): PodSetInfo {
  const info: PodSetInfo = { nodeSelector: {}, tolerations: [] };
  const seen = new Set<string>();
  for (const flavorName of Object.values(
    (psa?.flavors ?? {}) as Record<string, string>,
  )) {
    if (seen.has(flavorName)) continue;
    seen.add(flavorName);
    const flavor = flavors.get(flavorName);
    Object.assign(info.nodeSelector!, flavor?.spec?.nodeLabels ?? {});
    info.tolerations!.push(...(flavor?.spec?.tolerations ?? []));
  }
  return info;
}

function mergeInfo(into: PodSetInfo, update: Obj) {
  into.labels = { ...(into.labels ?? {}), ...(update.labels ?? {}) };
  into.annotations = {
    ...(into.annotations ?? {}),
    ...(update.annotations ?? {}),
  };
  into.nodeSelector = {
    ...(into.nodeSelector ?? {}),
    ...(update.nodeSelector ?? {}),
  };
  into.tolerations = [
    ...(into.tolerations ?? []),
    ...(update.tolerations ?? []),
  ];
}

/** podset.Merge: labels, annotations and nodeSelector merged in, tolerations appended once. */
export function mergePodSetInfo(template: Obj, info: PodSetInfo) {
  template.metadata = template.metadata ?? {};
  template.spec = template.spec ?? {};
  if (info.labels && Object.keys(info.labels).length)
    template.metadata.labels = {
      ...(template.metadata.labels ?? {}),
      ...info.labels,
    };
  if (info.annotations && Object.keys(info.annotations).length)
    template.metadata.annotations = {
      ...(template.metadata.annotations ?? {}),
      ...info.annotations,
    };
  if (info.nodeSelector && Object.keys(info.nodeSelector).length)
    template.spec.nodeSelector = {
      ...(template.spec.nodeSelector ?? {}),
      ...info.nodeSelector,
    };
  const tolerations: Obj[] = [...(template.spec.tolerations ?? [])];
  for (const t of info.tolerations ?? []) {
    if (!tolerations.some(x => JSON.stringify(x) === JSON.stringify(t)))
      tolerations.push(t);
  }
  if (tolerations.length) template.spec.tolerations = tolerations;
}

/** workload.UseLimitsAsMissingRequestsInPod. */
function useLimitsAsMissingRequests(spec: Obj) {
  for (const c of [
    ...(spec.initContainers ?? []),
    ...(spec.containers ?? []),
  ]) {
    if (!c.resources?.limits) continue;
    c.resources.requests = {
      ...c.resources.limits,
      ...(c.resources.requests ?? {}),
    };
  }
}
