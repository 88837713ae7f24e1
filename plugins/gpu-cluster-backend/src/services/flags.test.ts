import type {
  ProvisioningRequestStatus,
  RayClusterStatus,
  StatusFlag,
  WorkloadStatus,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  CODE_ORDER,
  RAY_STUCK_MS,
  compareFlags,
  detectFlags,
  parseQuotaError,
  parseStockout,
  quotaPageUrl,
  type FlagInput,
} from './flags';

const NOW = Date.parse('2026-09-01T08:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

const input = (over: Partial<FlagInput>): FlagInput => ({
  clusterQueues: [],
  localQueues: [],
  workloads: [],
  provisioningRequests: [],
  rayClusters: [],
  rayJobs: [],
  nodes: [],
  pods: [],
  now: NOW,
  ...over,
});

const pr = (
  name: string,
  state: ProvisioningRequestStatus['state'],
  reason?: string,
  message?: string,
): ProvisioningRequestStatus => ({
  namespace: 'default',
  name,
  state,
  reason,
  message,
  conditions: [],
  details: {},
  workload: 'job-train-1a2b3',
});

const workload = (
  phase: WorkloadStatus['phase'],
  provisioningRequest?: string,
): WorkloadStatus => ({
  namespace: 'default',
  name: 'job-train-1a2b3',
  phase,
  active: true,
  gpus: 8,
  conditions: [],
  admissionChecks: [],
  provisioningRequest,
});

describe('parsing the messages GKE and Compute Engine write', () => {
  it('reads the quota metric, limit and region of a QuotaExceeded message', () => {
    expect(
      parseQuotaError(
        "Provisioning Request could not provision queued instances in the allocated time. The remaining received errors: [QUOTA_EXCEEDED: Quota 'NVIDIA_A100_GPUS' exceeded. Limit: 16.0 in region us-central1.]",
      ),
    ).toEqual({
      metric: 'NVIDIA_A100_GPUS',
      limit: '16.0',
      region: 'us-central1',
    });
    expect(parseQuotaError("Quota 'GPUS_ALL_REGIONS' exceeded.")).toEqual({
      metric: 'GPUS_ALL_REGIONS',
    });
    expect(parseQuotaError('quota exceeded')).toBeUndefined();
  });

  it('reads the exhausted zone and the zones Compute Engine suggests', () => {
    expect(
      parseStockout(
        "[ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS: The zone 'projects/p/zones/us-central1-b' does not have enough resources available to fulfill the request. A n1-standard-4 VM instance with 1 nvidia-tesla-t4 accelerator(s) is currently unavailable in the us-central1-b zone. Consider trying your request in the us-central1-a, us-central1-f zone(s), which currently has capacity to accommodate your request.]",
      ),
    ).toEqual({
      zone: 'us-central1-b',
      suggestedZones: ['us-central1-a', 'us-central1-f'],
    });
    expect(
      parseStockout('zone: us-east5-a\nzonesAvailable: us-east5-b,us-east5-c'),
    ).toEqual({
      zone: undefined,
      suggestedZones: ['us-east5-b', 'us-east5-c'],
    });
    expect(parseStockout('Expected time is indefinite.')).toEqual({
      suggestedZones: [],
    });
  });

  it('builds the quota page link with the project escaped', () => {
    expect(quotaPageUrl('my-project')).toBe(
      'https://console.cloud.google.com/iam-admin/quotas?project=my-project',
    );
    expect(quotaPageUrl('a&b')).toContain('project=a%26b');
  });
});

describe('ProvisioningRequest flags', () => {
  const quota = (name: string) =>
    pr(
      name,
      'Failed',
      'QuotaExceeded',
      "Quota 'NVIDIA_H100_GPUS' exceeded. Limit: 8.0 in region europe-west4.",
    );

  it('flags only the newest failed attempt of a workload Kueue is retrying', () => {
    const flags = detectFlags(
      input({
        provisioningRequests: [
          quota('job-train-1a2b3-dws-prov-1'),
          quota('job-train-1a2b3-dws-prov-2'),
          pr('job-train-1a2b3-dws-prov-3', 'Accepted'),
        ],
        workloads: [workload('Pending', 'job-train-1a2b3-dws-prov-3')],
        projectId: 'p1',
      }),
    );
    expect(flags.map(f => f.subject)).toEqual([
      'ProvisioningRequest default/job-train-1a2b3-dws-prov-2',
    ]);
    expect(flags[0].link?.url).toBe(quotaPageUrl('p1'));
  });

  it('does not flag a failure once the workload runs or finished', () => {
    for (const phase of ['Running', 'Finished'] as const) {
      expect(
        detectFlags(
          input({
            provisioningRequests: [quota('job-train-1a2b3-dws-prov-1')],
            workloads: [workload(phase, 'job-train-1a2b3-dws-prov-1')],
          }),
        ),
      ).toEqual([]);
    }
  });

  it('flags a lapsed booking while the admitted workload has not started', () => {
    const flags = detectFlags(
      input({
        provisioningRequests: [
          pr('job-train-1a2b3-dws-prov-1', 'BookingExpired'),
        ],
        workloads: [workload('Admitted', 'job-train-1a2b3-dws-prov-1')],
      }),
    );
    expect(flags.map(f => f.code)).toEqual(['ProvisioningBookingExpired']);
  });

  it('falls back to the failure decoder for other documented reasons', () => {
    const [flag] = detectFlags(
      input({
        provisioningRequests: [
          pr('x-dws-prov-1', 'Failed', 'IPSpaceExhausted', 'no free IPs'),
        ],
      }),
    );
    expect(flag).toMatchObject({
      code: 'ProvisioningFailed',
      severity: 'error',
      fix: 'Expand the subnet (or add a Pod range) of the node pool.',
    });
  });
});

describe('GPU node and Ray flags', () => {
  const gpuNode = (name: string, ready: 'True' | 'False' | 'Unknown') => ({
    metadata: {
      name,
      labels: { 'cloud.google.com/gke-nodepool': 'h200' },
    },
    status: {
      capacity: { 'nvidia.com/gpu': '8' },
      conditions: [{ type: 'Ready', status: ready, reason: 'KubeletNotReady' }],
    },
  });

  it('sums not-ready GPU nodes into one flag per pool, naming a few', () => {
    const nodes = [
      ...Array.from({ length: 6 }, (_, i) => gpuNode(`n${i}`, 'False')),
      gpuNode('ok', 'True'),
      // A CPU node that is not ready is not a GPU flag.
      {
        metadata: { name: 'cpu' },
        status: { conditions: [{ type: 'Ready', status: 'False' }] },
      },
    ];
    const flags = detectFlags(input({ nodes }));
    expect(flags).toHaveLength(1);
    expect(flags[0].subject).toBe('Node pool h200');
    expect(flags[0].message).toMatch(/^6 of 7 GPU nodes not ready/);
    expect(flags[0].message).toContain(
      'n2 (False KubeletNotReady); and 3 more',
    );
  });

  const rayCluster = (headSince: number): RayClusterStatus => ({
    namespace: 'ray',
    name: 'rc',
    readyWorkers: 0,
    desiredWorkers: 1,
    conditions: [
      {
        type: 'HeadPodReady',
        status: 'False',
        reason: 'HeadPodNotReady',
        lastTransitionTime: ago(headSince),
      },
    ],
  });

  it('flags a Ray head only once it has been not ready past the threshold', () => {
    expect(
      detectFlags(input({ rayClusters: [rayCluster(RAY_STUCK_MS - 60_000)] })),
    ).toEqual([]);
    const [flag] = detectFlags(
      input({ rayClusters: [rayCluster(RAY_STUCK_MS + 60_000)] }),
    );
    expect(flag).toMatchObject({
      code: 'RayHeadNotReady',
      message: expect.stringContaining('16 min (HeadPodNotReady)'),
    });
  });

  it('does not flag a Ray workload pending on its head pod set or for a short while', () => {
    const pending = (podSet: string, since: number): WorkloadStatus => ({
      ...workload('Pending'),
      owner: { kind: 'RayCluster', name: 'rc' },
      conditions: [
        {
          type: 'QuotaReserved',
          status: 'False',
          reason: 'Pending',
          message: `couldn't assign flavors to pod set ${podSet}: insufficient quota for nvidia.com/gpu in flavor h200, previously considered podsets requests (0) + current podset request (16) > maximum capacity (8)`,
          lastTransitionTime: ago(since),
        },
      ],
    });
    expect(
      detectFlags(
        input({
          workloads: [
            pending('head', RAY_STUCK_MS * 2),
            pending('workers', RAY_STUCK_MS / 2),
          ],
        }),
      ),
    ).toEqual([]);
    expect(
      detectFlags(
        input({ workloads: [pending('workers', RAY_STUCK_MS * 2)] }),
      )[0].fix,
    ).toContain("raise flavor h200's nominal quota");
  });
});

describe('flag order', () => {
  it('is the order the OpenAPI spec documents for Flag.code', () => {
    const spec = parse(
      fs.readFileSync(path.join(__dirname, '../schema/openapi.yaml'), 'utf8'),
    );
    expect(spec.components.schemas.Flag.properties.code.enum).toEqual(
      CODE_ORDER,
    );
  });

  const flag = (
    severity: StatusFlag['severity'],
    code: StatusFlag['code'],
    subject = 's',
  ): StatusFlag => ({
    severity,
    code,
    subject,
    message: '',
    fix: '',
  });

  it('puts errors first, then the costliest code, then the subject', () => {
    const sorted = [
      flag('warning', 'AcceptedForLong'),
      flag('error', 'ProvisioningQuotaExceeded', 'b'),
      flag('warning', 'ProvisioningBookingExpired'),
      flag('error', 'ProvisioningQuotaExceeded', 'a'),
      flag('error', 'ProvisioningCapacityRevoked'),
    ].sort(compareFlags);
    expect(sorted.map(f => `${f.code}/${f.subject}`)).toEqual([
      'ProvisioningCapacityRevoked/s',
      'ProvisioningQuotaExceeded/a',
      'ProvisioningQuotaExceeded/b',
      'ProvisioningBookingExpired/s',
      'AcceptedForLong/s',
    ]);
  });
});
