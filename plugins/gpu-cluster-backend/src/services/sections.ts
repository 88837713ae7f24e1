import type {
  KindSourceState,
  StatusSectionName,
  StatusSectionState,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  WATCHED_KINDS,
  type ClusterSnapshot,
  type KindStatus,
  type WatchedKind,
} from './ClusterWatcher';

/** The informer's state as the response names it (see `KindSourceState`). */
export function kindSourceState(
  kind: WatchedKind,
  status: KindStatus | undefined,
): KindSourceState {
  const base = {
    kind,
    syncedAt: status?.syncedAt,
    error: status?.error,
  };
  switch (status?.state) {
    case 'synced':
      return { kind, state: 'synced', syncedAt: status.syncedAt };
    case 'missing':
      return { ...base, state: 'notInstalled' };
    case 'error':
      // Listed before: the informer still holds the last data.
      return status.syncedAt
        ? { ...base, state: 'stale', staleSince: status.staleSince }
        : { ...base, state: 'unavailable' };
    default:
      return { kind, state: 'starting' };
  }
}

export function kindStatesOf(snapshot?: ClusterSnapshot): KindSourceState[] {
  return WATCHED_KINDS.map(kind =>
    kindSourceState(kind, snapshot?.kinds[kind]),
  );
}

/**
 * What each part of the page is built from: its own kinds (no data without them) and the kinds
 * it is cross-checked with (the explanations read Jobs, ProvisioningRequests and pods).
 */
const SECTION_KINDS: Record<
  StatusSectionName,
  { own: WatchedKind[]; crossChecked: WatchedKind[] }
> = {
  nodes: { own: ['nodes'], crossChecked: [] },
  gpuUsage: { own: ['nodes', 'pods'], crossChecked: [] },
  queues: { own: ['clusterqueues', 'localqueues'], crossChecked: [] },
  workloads: {
    own: ['workloads'],
    crossChecked: [
      'jobs',
      'provisioningrequests',
      'pods',
      'localqueues',
      'clusterqueues',
    ],
  },
  provisioningRequests: { own: ['provisioningrequests'], crossChecked: [] },
  ray: { own: ['rayclusters', 'rayjobs'], crossChecked: [] },
  fabric: {
    own: ['networks', 'gkenetworkparamsets', 'daemonsets'],
    crossChecked: ['nodes', 'pods'],
  },
};

const noData = (k: KindSourceState) =>
  k.state === 'unavailable' || k.state === 'starting';

const describe = (kinds: KindSourceState[]) =>
  kinds
    .map(
      k =>
        `${k.kind} ${k.state === 'starting' ? 'not listed yet' : k.state}${
          k.error ? ` (${k.error})` : ''
        }`,
    )
    .join('; ');

/** Whether each part of the status can be trusted, from the state of the kinds behind it. */
export function sectionStates(
  kinds: KindSourceState[],
): Record<StatusSectionName, StatusSectionState> {
  const byKind = new Map(kinds.map(k => [k.kind, k]));
  const of = (names: WatchedKind[]) =>
    names.map(
      n => byKind.get(n) ?? ({ kind: n, state: 'starting' } as KindSourceState),
    );
  const result = {} as Record<StatusSectionName, StatusSectionState>;
  for (const [section, { own, crossChecked }] of Object.entries(
    SECTION_KINDS,
  ) as [StatusSectionName, (typeof SECTION_KINDS)[StatusSectionName]][]) {
    const mine = of(own);
    const checked = of(crossChecked);
    const stale = [...mine, ...checked].filter(k => k.state === 'stale');
    const staleSince = stale
      .map(k => k.staleSince)
      .filter((x): x is string => Boolean(x))
      .sort()[0];
    if (mine.some(noData)) {
      result[section] = {
        state: 'missing',
        message: describe(mine.filter(noData)),
      };
    } else if (mine.every(k => k.state === 'notInstalled')) {
      result[section] = {
        state: 'notInstalled',
        message: describe(mine),
      };
    } else if (stale.length > 0) {
      result[section] = {
        state: 'stale',
        message: describe(stale),
        staleSince,
      };
    } else if (checked.some(noData)) {
      result[section] = {
        state: 'partial',
        message: describe(checked.filter(noData)),
      };
    } else {
      result[section] = { state: 'ok' };
    }
  }
  return result;
}

/** True when the section's counts mean something (its data is there, possibly stale). */
export const hasData = (s: StatusSectionState) => s.state !== 'missing';
