import { addAmounts, toAmounts, type ResourceAmounts } from './quantity';

/**
 * Pod-spec rules shared by the emulated kube-scheduler and Kueue: effective requests, node
 * selection and taint toleration, each as the upstream helper computes it.
 */

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' | string;
}

export interface Toleration {
  key?: string;
  operator?: 'Equal' | 'Exists' | string;
  value?: string;
  effect?: string;
}

type Container = {
  resources?: {
    requests?: Record<string, string>;
    limits?: Record<string, string>;
  };
  restartPolicy?: string;
};

/**
 * A container's requests, with limits standing in for missing requests (the API server's
 * defaulting, pkg/apis/core/v1/defaults.go, and Kueue's `UseLimitsAsMissingRequestsInPod`).
 */
function containerRequests(container: Container): ResourceAmounts {
  return toAmounts({
    ...(container.resources?.limits ?? {}),
    ...(container.resources?.requests ?? {}),
  });
}

/**
 * Requests of one pod as k8s.io/component-helpers `resource.PodRequests` computes them (the
 * scheduler's NodeResourcesFit and Kueue's `NewRequestsFromPodSpec` both use it): the sum of the
 * containers plus restartable init containers (sidecars), at least the largest regular init
 * container together with the sidecars started before it, plus `spec.overhead`.
 * Pod-level `spec.resources` and RuntimeClass overhead lookup are not modelled.
 */
export function podRequests(spec: Record<string, any> = {}): ResourceAmounts {
  const total: ResourceAmounts = {};
  for (const c of spec.containers ?? [])
    addAmounts(total, containerRequests(c));
  const sidecars: ResourceAmounts = {};
  const initMax: ResourceAmounts = {};
  for (const c of spec.initContainers ?? []) {
    const requests = containerRequests(c);
    if (c.restartPolicy === 'Always') {
      addAmounts(sidecars, requests);
      addAmounts(total, requests);
      continue;
    }
    const withSidecars = addAmounts({ ...sidecars }, requests);
    for (const [name, v] of Object.entries(withSidecars)) {
      initMax[name] = Math.max(initMax[name] ?? 0, v);
    }
  }
  for (const [name, v] of Object.entries(initMax)) {
    total[name] = Math.max(total[name] ?? 0, v);
  }
  addAmounts(total, toAmounts(spec.overhead ?? {}));
  for (const [name, v] of Object.entries(total))
    if (v === 0) delete total[name];
  return total;
}

/** Whether a toleration tolerates a taint (k8s.io/api core/v1 Toleration.ToleratesTaint). */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  const operator = toleration.operator || 'Equal';
  if (operator === 'Exists') return true;
  // An empty key with Equal tolerates nothing (validation forbids it); Equal compares values.
  return (
    Boolean(toleration.key) && (toleration.value ?? '') === (taint.value ?? '')
  );
}

/**
 * The first NoSchedule/NoExecute taint none of the tolerations tolerates
 * (v1helper.FindMatchingUntoleratedTaint with DoNotScheduleTaintsFilterFunc).
 */
export function untoleratedTaint(
  taints: Taint[] = [],
  tolerations: Toleration[] = [],
): Taint | undefined {
  return taints.find(
    t =>
      (t.effect === 'NoSchedule' || t.effect === 'NoExecute') &&
      !tolerations.some(tol => tolerates(tol, t)),
  );
}

export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt' | string;
  values?: string[];
}

function requirementMatches(
  r: NodeSelectorRequirement,
  labels: Record<string, string>,
): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = labels[r.key];
  switch (r.operator) {
    case 'In':
      return has && (r.values ?? []).includes(value);
    case 'NotIn':
      return !has || !(r.values ?? []).includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has) return false;
      const a = Number(value);
      const b = Number(r.values?.[0]);
      if (!Number.isInteger(a) || !Number.isInteger(b)) return false;
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/**
 * `spec.nodeSelector` plus the required node affinity (terms ORed, expressions ANDed), as the
 * scheduler's NodeAffinity filter (component-helpers nodeaffinity.GetRequiredNodeAffinity)
 * matches them against node labels. `keys`, when given, keeps only requirements on those label
 * keys — Kueue's `flavorSelector` matches a ResourceFlavor this way, on the flavor's own keys.
 */
export function matchesNodeSelection(
  spec: Record<string, any> = {},
  labels: Record<string, string> = {},
  keys?: Set<string>,
): boolean {
  const relevant = (key: string) => !keys || keys.has(key);
  for (const [k, v] of Object.entries(
    (spec.nodeSelector ?? {}) as Record<string, string>,
  )) {
    if (relevant(k) && labels[k] !== v) return false;
  }
  const terms: { matchExpressions?: NodeSelectorRequirement[] }[] =
    spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
      ?.nodeSelectorTerms ?? [];
  if (terms.length === 0) return true;
  const filtered = terms.map(t =>
    (t.matchExpressions ?? []).filter(e => relevant(e.key)),
  );
  // A term left empty by the key filter matches any flavor (Kueue: terms are ORed).
  if (keys && filtered.some(t => t.length === 0)) return true;
  return filtered.some(
    expressions =>
      expressions.length > 0 &&
      expressions.every(e => requirementMatches(e, labels)),
  );
}

/** `key=value:Effect` (core/v1 Taint.ToString), as Kueue prints an untolerated flavor taint. */
export const taintString = (t: Taint) =>
  `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;
