import {
  matchesNodeSelection,
  podRequests,
  taintString,
  untoleratedTaint,
} from '../cluster/podSpec';
import {
  formatAmount,
  resourceAmount,
  type ResourceAmounts,
} from '../cluster/quantity';

/**
 * Kueue's flavor assignment (kubernetes-sigs/kueue v0.19.2 pkg/scheduler/flavorassigner), for
 * one ClusterQueue without cohorts: each pod set, in order, gets a flavor per resource group by
 * trying the group's flavors in order — a flavor is skipped when its `nodeTaints` are not
 * tolerated by the pod set (with the flavor's own tolerations) or its `nodeLabels` contradict
 * the pod set's nodeSelector / required node affinity on the flavor's own label keys — and the
 * first flavor whose nominal quota still holds every resource of the group wins. Borrowing,
 * cohorts, preemption and topology-aware scheduling are not modelled.
 */

export interface FlavorQuota {
  name: string;
  resources: { name: string; nominalQuota: string | number }[];
}

export interface ResourceGroup {
  coveredResources: string[];
  flavors: FlavorQuota[];
}

export interface PodSetRequest {
  name: string;
  count: number;
  template: { metadata?: Record<string, any>; spec?: Record<string, any> };
}

export interface PodSetAssignment {
  name: string;
  flavors: Record<string, string>;
  resourceUsage: Record<string, string>;
  count: number;
}

export type Usage = Record<string, ResourceAmounts>;

export interface AssignmentResult {
  fits: boolean;
  /** `couldn't assign flavors to pod set …` as Kueue's Assignment.Message() writes it. */
  message: string;
  podSetAssignments: PodSetAssignment[];
  /** What the workload would add to the ClusterQueue's usage, per flavor and resource. */
  usage: Usage;
}

/** Total requests of a pod set: one pod's requests times its count. */
export function podSetTotals(ps: PodSetRequest): ResourceAmounts {
  const perPod = podRequests(ps.template?.spec ?? {});
  return Object.fromEntries(
    Object.entries(perPod).map(([k, v]) => [k, v * ps.count]),
  );
}

export function assignFlavors(options: {
  podSets: PodSetRequest[];
  resourceGroups: ResourceGroup[];
  flavors: Map<string, Record<string, any>>;
  /** Usage of every other workload holding quota in this ClusterQueue. */
  usage: Usage;
}): AssignmentResult {
  const { resourceGroups, flavors } = options;
  const rgOf = (resource: string) =>
    resourceGroups.find(rg => (rg.coveredResources ?? []).includes(resource));
  const nominal = (flavor: string, resource: string) => {
    for (const rg of resourceGroups) {
      const f = rg.flavors?.find(x => x.name === flavor);
      const r = f?.resources?.find(x => x.name === resource);
      if (r) return resourceAmount(resource, r.nominalQuota);
    }
    return 0;
  };
  const used = (flavor: string, resource: string) =>
    options.usage[flavor]?.[resource] ?? 0;
  const assignmentUsage: Usage = {};
  const assumed = (flavor: string, resource: string) =>
    assignmentUsage[flavor]?.[resource] ?? 0;
  const podSetAssignments: PodSetAssignment[] = [];
  const failures: string[] = [];

  for (const ps of options.podSets) {
    const requests = podSetTotals(ps);
    const spec = ps.template?.spec ?? {};
    const assigned: Record<string, string> = {};
    const reasons: string[] = [];
    let failed = false;
    for (const [resource, quantity] of Object.entries(requests)) {
      if (assigned[resource]) continue;
      const rg = rgOf(resource);
      if (!rg) {
        if (quantity === 0) continue;
        reasons.push(`resource ${resource} unavailable in ClusterQueue`);
        failed = true;
        break;
      }
      const groupRequests = Object.entries(requests).filter(([r]) =>
        rg.coveredResources.includes(r),
      );
      let chosen: string | undefined;
      for (const { name: flavorName } of rg.flavors ?? []) {
        const flavor = flavors.get(flavorName);
        if (!flavor) {
          reasons.push(`flavor ${flavorName} not found`);
          continue;
        }
        const taint = untoleratedTaint(flavor.spec?.nodeTaints, [
          ...(spec.tolerations ?? []),
          ...(flavor.spec?.tolerations ?? []),
        ]);
        if (taint) {
          reasons.push(
            `untolerated taint ${taintString(taint)} in flavor ${flavorName}`,
          );
          continue;
        }
        const labels = (flavor.spec?.nodeLabels ?? {}) as Record<
          string,
          string
        >;
        if (!matchesNodeSelection(spec, labels, new Set(Object.keys(labels)))) {
          reasons.push(`flavor ${flavorName} doesn't match node affinity`);
          continue;
        }
        let fits = true;
        for (const [r, value] of groupRequests) {
          const quota = nominal(flavorName, r);
          const previous = assumed(flavorName, r);
          if (previous + value > quota) {
            reasons.push(
              `insufficient quota for ${r} in flavor ${flavorName}, previously considered podsets requests (${formatAmount(
                r,
                previous,
              )}) + current podset request (${formatAmount(
                r,
                value,
              )}) > maximum capacity (${formatAmount(r, quota)})`,
            );
            fits = false;
            break;
          }
          const available = Math.max(0, quota - used(flavorName, r));
          if (previous + value > available) {
            reasons.push(
              `insufficient unused quota for ${r} in flavor ${flavorName}, ${formatAmount(
                r,
                previous + value - available,
              )} more needed`,
            );
            fits = false;
            break;
          }
        }
        if (fits) {
          chosen = flavorName;
          break;
        }
      }
      if (!chosen) {
        failed = true;
        break;
      }
      for (const [r] of groupRequests) assigned[r] = chosen;
    }
    if (failed) {
      failures.push(
        `couldn't assign flavors to pod set ${ps.name}: ${[...reasons]
          .sort()
          .join(', ')}`,
      );
      // Kueue stops at the first pod set that cannot be assigned.
      break;
    }
    for (const [r, flavor] of Object.entries(assigned)) {
      assignmentUsage[flavor] ??= {};
      assignmentUsage[flavor][r] = assumed(flavor, r) + requests[r];
    }
    podSetAssignments.push({
      name: ps.name,
      flavors: assigned,
      resourceUsage: Object.fromEntries(
        Object.keys(assigned)
          .sort()
          .map(r => [r, formatAmount(r, requests[r])]),
      ),
      count: ps.count,
    });
  }
  return {
    fits: failures.length === 0,
    message: failures.join('; '),
    podSetAssignments,
    usage: assignmentUsage,
  };
}
