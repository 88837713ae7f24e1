import { buildClusterStatus } from './buildStatus';
import {
  WATCHED_KINDS,
  describeError,
  type ClusterSnapshot,
  type KindStatus,
  type WatchedKind,
} from './ClusterWatcher';
import { kindSourceState, sectionStates } from './sections';

const snapshot = (
  states: Partial<Record<WatchedKind, KindStatus>>,
): ClusterSnapshot => {
  const snap: any = { kinds: {} };
  for (const kind of WATCHED_KINDS) {
    snap[kind] = [];
    snap.kinds[kind] = states[kind] ?? {
      state: 'synced',
      syncedAt: '2026-09-01T07:00:00Z',
    };
  }
  return snap;
};

const build = (states: Partial<Record<WatchedKind, KindStatus>>) =>
  buildClusterStatus({
    entityRef: 'resource:default/c',
    clusterName: 'c',
    snapshot: snapshot(states),
    sources: [{ name: 'kubernetes', ok: true }],
    now: 0,
  });

describe('sections', () => {
  it('treats CRDs the cluster does not serve as empty for real (KubeRay, DWS absent)', () => {
    const status = build({
      rayclusters: { state: 'missing', error: '404: Not Found' },
      rayjobs: { state: 'missing', error: '404: Not Found' },
      provisioningrequests: { state: 'missing', error: '404: Not Found' },
    });
    expect(status.sections.ray.state).toBe('notInstalled');
    expect(status.sections.provisioningRequests.state).toBe('notInstalled');
    expect(status.sections.workloads.state).toBe('ok');
    expect(status.summary.waitingProvisioningRequests).toBe(0);
  });

  it('leaves every count out when no kind listed, instead of zeros', () => {
    const status = build(
      Object.fromEntries(
        WATCHED_KINDS.map(k => [
          k,
          { state: 'error', error: '403: Forbidden' },
        ]),
      ),
    );
    expect(status.summary).toEqual({});
    expect(
      Object.values(status.sections).every(s => s.state === 'missing'),
    ).toBe(true);
    expect(status.sources[0].kinds?.[0]).toEqual({
      kind: 'nodes',
      state: 'unavailable',
      error: '403: Forbidden',
      syncedAt: undefined,
    });
  });

  it('names a kind that failed after it synced as stale, since when', () => {
    const kind = kindSourceState('pods', {
      state: 'error',
      error: '500: Internal Server Error',
      syncedAt: '2026-09-01T07:00:00Z',
      staleSince: '2026-09-01T07:05:00Z',
    });
    expect(kind).toMatchObject({
      state: 'stale',
      staleSince: '2026-09-01T07:05:00Z',
    });
    const sections = sectionStates([kind]);
    expect(sections.gpuUsage).toEqual({
      state: 'missing',
      message: 'nodes not listed yet',
    });
    const all = sectionStates(
      WATCHED_KINDS.map(k =>
        k === 'pods' ? kind : { kind: k, state: 'synced' as const },
      ),
    );
    expect(all.gpuUsage).toEqual({
      state: 'stale',
      staleSince: '2026-09-01T07:05:00Z',
      message: 'pods stale (500: Internal Server Error)',
    });
    expect(all.workloads.state).toBe('stale');
    expect(all.nodes.state).toBe('ok');
  });
});

describe('describeError', () => {
  it('keeps the code and first line, and never the token an error echoes', () => {
    const token = 'emulator-token-0123456789';
    const err = Object.assign(
      new Error(`Unauthorized: bearer ${token} rejected\nbody: {...}`),
      { code: 401 },
    );
    expect(describeError(err, [token])).toBe(
      '401: Unauthorized: bearer [redacted] rejected',
    );
  });
});
