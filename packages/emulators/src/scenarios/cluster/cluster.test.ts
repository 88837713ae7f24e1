import {
  gkeNodePool,
  gkeReservedCpuMillis,
  gkeReservedMemoryBytes,
} from './nodePools';
import { matchesNodeSelection, podRequests, untoleratedTaint } from './podSpec';
import { formatAmount, parseQuantity, resourceAmount } from './quantity';

describe('quantities as the scheduler and Kueue count them', () => {
  it('parses and prints canonical quantities', () => {
    expect(parseQuantity('16Gi')).toBe(16 * 2 ** 30);
    expect(resourceAmount('cpu', '500m')).toBe(500);
    expect(resourceAmount('cpu', '0.1')).toBe(100);
    expect(resourceAmount('memory', '1.5Gi')).toBe(1610612736);
    expect(formatAmount('cpu', 4000)).toBe('4');
    expect(formatAmount('cpu', 4500)).toBe('4500m');
    expect(formatAmount('memory', 16 * 2 ** 30)).toBe('16Gi');
    expect(formatAmount('memory', 2000)).toBe('2k');
    expect(formatAmount('nvidia.com/gpu', 16)).toBe('16');
    expect(() => parseQuantity('lots')).toThrow(/quantities must match/);
  });
});

describe('pod requests (component-helpers resource.PodRequests)', () => {
  it('sums containers and sidecars, takes the largest init container, adds overhead, uses limits for missing requests', () => {
    expect(
      podRequests({
        initContainers: [
          { resources: { requests: { cpu: '2' } } },
          { restartPolicy: 'Always', resources: { requests: { cpu: '100m' } } },
          { resources: { requests: { cpu: '3' } } },
        ],
        containers: [
          { resources: { requests: { cpu: '1' }, limits: { memory: '1Gi' } } },
          { resources: { limits: { 'nvidia.com/gpu': '8' } } },
        ],
        overhead: { cpu: '250m' },
      }),
    ).toEqual({
      // max(1 + 0.1 sidecar, 3 + 0.1 sidecar before it) + 0.25 overhead
      cpu: 3350,
      memory: 2 ** 30,
      'nvidia.com/gpu': 8,
    });
  });
});

describe('node selection and taints', () => {
  const labels = { 'cloud.google.com/gke-nodepool': 'gpu', zone: 'b' };
  it('matches nodeSelector and required affinity (terms ORed, expressions ANDed)', () => {
    expect(matchesNodeSelection({ nodeSelector: { zone: 'b' } }, labels)).toBe(
      true,
    );
    expect(matchesNodeSelection({ nodeSelector: { zone: 'c' } }, labels)).toBe(
      false,
    );
    const affinity = (expressions: any[][]) => ({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: expressions.map(e => ({ matchExpressions: e })),
          },
        },
      },
    });
    expect(
      matchesNodeSelection(
        affinity([
          [{ key: 'zone', operator: 'In', values: ['a'] }],
          [{ key: 'cloud.google.com/gke-nodepool', operator: 'Exists' }],
        ]),
        labels,
      ),
    ).toBe(true);
    expect(
      matchesNodeSelection(
        affinity([[{ key: 'zone', operator: 'NotIn', values: ['b'] }]]),
        labels,
      ),
    ).toBe(false);
    // Kueue matches a flavor only on the flavor's own label keys.
    expect(
      matchesNodeSelection(
        { nodeSelector: { other: 'x' } },
        labels,
        new Set(Object.keys(labels)),
      ),
    ).toBe(true);
  });
  it('finds the first NoSchedule/NoExecute taint no toleration covers', () => {
    const taints = [
      { key: 'pref', effect: 'PreferNoSchedule' },
      { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' },
    ];
    expect(untoleratedTaint(taints, [])?.key).toBe('nvidia.com/gpu');
    expect(
      untoleratedTaint(taints, [{ key: 'nvidia.com/gpu', operator: 'Exists' }]),
    ).toBeUndefined();
    expect(untoleratedTaint(taints, [{ operator: 'Exists' }])).toBeUndefined();
    expect(
      untoleratedTaint(taints, [
        { key: 'nvidia.com/gpu', operator: 'Equal', value: 'absent' },
      ])?.key,
    ).toBe('nvidia.com/gpu');
  });
});

describe('GKE node pools', () => {
  it('reserves CPU and memory as GKE documents and labels/taints GPU and queued pools', () => {
    expect(gkeReservedCpuMillis(8)).toBe(90); // 60 + 10 + 10 + 4 × 2.5
    expect(gkeReservedMemoryBytes(32)).toBe(
      Math.round((1 + 0.8 + 0.8 + 0.06 * 16) * 2 ** 30) + 100 * 2 ** 20,
    );
    const pool = gkeNodePool({
      name: 'h200',
      machineType: 'a3-ultragpu-8g',
      vcpus: 224,
      memoryGb: 2952,
      accelerator: { type: 'nvidia-h200-141gb', count: 8 },
      queuedProvisioning: true,
      maxNodes: 2,
      zone: 'us-central1-b',
    });
    expect(pool.labels).toMatchObject({
      'cloud.google.com/gke-nodepool': 'h200',
      'cloud.google.com/gke-accelerator': 'nvidia-h200-141gb',
      'cloud.google.com/gke-queued': 'true',
      'cloud.google.com/gke-flex-start': 'true',
    });
    expect(pool.taints).toEqual([
      { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' },
      {
        key: 'cloud.google.com/gke-queued',
        value: 'true',
        effect: 'NoSchedule',
      },
    ]);
    expect(pool.initialNodes).toBe(0);
    expect(pool.allocatable['nvidia.com/gpu']).toBe(8);
    expect(pool.allocatable.cpu).toBe(224_000 - gkeReservedCpuMillis(224));
  });
});
