/**
 * Lookups by key over informer contents, built once per status rebuild so that assembling the
 * status costs in proportion to the cluster (one pass per kind), not workloads × requests or
 * workloads × pods. Every list keeps the informer's order, so "the first match" means what the
 * linear searches it replaces meant.
 */

const CONSUME_ANNOTATION =
  'cluster-autoscaler.kubernetes.io/consume-provisioning-request';
/** The Job controller's label on every pod it creates (Kubernetes ≥ 1.27). */
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';

/** Groups items under every key `keysOf` yields, in input order. */
export function groupBy<T>(
  items: readonly T[],
  keysOf: (item: T) => Iterable<string> | string | undefined,
): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const keys = keysOf(item);
    if (keys === undefined) continue;
    for (const key of typeof keys === 'string' ? [keys] : keys) {
      const group = groups.get(key);
      if (group) group.push(item);
      else groups.set(key, [item]);
    }
  }
  return groups;
}

/** The first item per key, as `Array.prototype.find` would return it. */
export function firstBy<T>(
  items: readonly T[],
  keyOf: (item: T) => string | undefined,
): Map<string, T> {
  const firsts = new Map<string, T>();
  for (const item of items) {
    const key = keyOf(item);
    if (key !== undefined && !firsts.has(key)) firsts.set(key, item);
  }
  return firsts;
}

const nsKey = (namespace: string | undefined, name: string | undefined) =>
  `${namespace ?? ''}/${name ?? ''}`;

/** Every `<prefix>` such that `name` starts with `<prefix>-` (one per dash in the name). */
function* dashPrefixes(name: string): Iterable<string> {
  for (let i = name.indexOf('-'); i > 0; i = name.indexOf('-', i + 1)) {
    yield name.slice(0, i);
  }
}

const attempt = (name: string) => {
  const n = Number.parseInt(name.split('-').pop() ?? '', 10);
  return Number.isFinite(n) ? n : 0;
};

/** ProvisioningRequests by name, by owning Workload and by Kueue's `<workload>-…` naming. */
export class ProvisioningRequestIndex {
  private readonly byName: Map<string, any[]>;
  private readonly byOwner: Map<string, any[]>;
  private readonly byNamePrefix: Map<string, any[]>;

  constructor(provreqs: readonly any[]) {
    this.byName = groupBy(provreqs, p =>
      nsKey(p.metadata.namespace, p.metadata.name),
    );
    this.byOwner = groupBy(provreqs, p =>
      (p.metadata.ownerReferences ?? [])
        .filter((o: any) => o.kind === 'Workload')
        .map((o: any) => nsKey(p.metadata.namespace, o.name))
        // One entry per workload even if it is named twice.
        .filter((k: string, i: number, all: string[]) => all.indexOf(k) === i),
    );
    this.byNamePrefix = groupBy(provreqs, p =>
      [...dashPrefixes(p.metadata.name)].map(prefix =>
        nsKey(p.metadata.namespace, prefix),
      ),
    );
  }

  /** The ProvisioningRequest of a workload: consume annotation, owner reference, or Kueue's naming. */
  of(wl: any): any | undefined {
    const ns = wl.metadata.namespace;
    const consumed = (wl.status?.admissionChecks ?? [])
      .flatMap((a: any) => a.podSetUpdates ?? [])
      .map((u: any) => u.annotations?.[CONSUME_ANNOTATION])
      .find(Boolean);
    const candidates = [
      ...(consumed ? this.byName.get(nsKey(ns, consumed)) ?? [] : []),
      ...(this.byOwner.get(nsKey(ns, wl.metadata.name)) ?? []),
      ...(this.byNamePrefix.get(nsKey(ns, wl.metadata.name)) ?? []),
    ];
    // Kueue suffixes retries with -1, -2...: the newest attempt is the one that matters.
    return candidates.sort(
      (a, b) => attempt(b.metadata.name) - attempt(a.metadata.name),
    )[0];
  }
}

/** Kueue-managed Jobs by namespace and name. */
export class JobIndex {
  private readonly byName: Map<string, any>;

  constructor(jobs: readonly any[]) {
    this.byName = firstBy(jobs, j =>
      nsKey(j.metadata.namespace, j.metadata.name),
    );
  }

  /** The Job behind a workload: its owner reference, else Kueue's `job-<name>-<hash>` naming. */
  of(wl: any): any | undefined {
    const ns = wl.metadata.namespace;
    const owner = (wl.metadata.ownerReferences ?? []).find(
      (o: any) => o.kind === 'Job',
    );
    if (owner) return this.byName.get(nsKey(ns, owner.name));
    const m = /^job-(.+)-[0-9a-z]{5}$/.exec(wl.metadata.name);
    return m ? this.byName.get(nsKey(ns, m[1])) : undefined;
  }
}

/** Pods by the node they are bound to and by the Job that created them. */
export class PodIndex {
  private readonly byNode: Map<string, any[]>;
  private readonly byJob: Map<string, any[]>;

  constructor(pods: readonly any[]) {
    this.byNode = groupBy(pods, p => p.spec?.nodeName || undefined);
    this.byJob = groupBy(pods, p => {
      const job = p.metadata?.labels?.[JOB_NAME_LABEL];
      return job ? nsKey(p.metadata.namespace, job) : undefined;
    });
  }

  onNode(node: string): any[] {
    return this.byNode.get(node) ?? [];
  }

  ofJob(namespace: string, job: string): any[] {
    return this.byJob.get(nsKey(namespace, job)) ?? [];
  }
}

export { nsKey };
