/**
 * The bench's cluster sizes and how the emulated cluster is grown to them (the demo's objects
 * cloned), shared by the bench and the profiling script.
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  DEMO,
  type KubeEmulator as Kube,
  type FaultInjector,
  type KubeEmulator,
} from '@gpu-platform/emulators';

export interface Size {
  label: string;
  workloads: number;
  provisioningRequests: number;
  nodes: number;
  pods: number;
  warmCalls: number;
  rebuilds: number;
}

export const SIZES: Size[] = [
  {
    label: 'demo',
    workloads: 0,
    provisioningRequests: 0,
    nodes: 0,
    pods: 0,
    warmCalls: 200,
    rebuilds: 50,
  },
  {
    label: '1k',
    workloads: 1_000,
    provisioningRequests: 200,
    nodes: 50,
    pods: 200,
    warmCalls: 100,
    rebuilds: 20,
  },
  {
    label: '10k',
    workloads: 10_000,
    provisioningRequests: 2_000,
    nodes: 500,
    pods: 2_000,
    warmCalls: 30,
    rebuilds: 10,
  },
];

export const gc = (globalThis as { gc?: () => void }).gc;
export const heapMb = () => {
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

/**
 * The heap after GC once what was just released (a stopped backend's sockets and timers) has
 * settled: a pause, then two collections.
 */
export async function settledHeapMb(): Promise<number> {
  await new Promise(resolve => setTimeout(resolve, 1000));
  gc?.();
  return heapMb();
}

export const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[
    Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))
  ];

export function countRequests(faults: FaultInjector) {
  const counter = { n: 0 };
  const match = faults.match.bind(faults);
  faults.match = (method: string, path: string) => {
    counter.n++;
    return match(method, path);
  };
  return counter;
}

const KUEUE = 'kueue.x-k8s.io/v1beta2';
const PROVREQ = 'autoscaling.x-k8s.io/v1';

/** Clones the demo's Workloads and ProvisioningRequests, and adds GPU nodes and their pods. */
export function grow(kube: KubeEmulator, size: Size) {
  const client = kube.client;
  const workloads = client.list(KUEUE, 'Workload');
  const provreqs = client.list(PROVREQ, 'ProvisioningRequest');
  const ns = DEMO.queueNamespace;
  for (let i = 0; i < size.workloads; i++) {
    const template = structuredClone(workloads[i % workloads.length]);
    const { resourceVersion: _r, uid: _u, ...metadata } = template.metadata;
    client.upsert({
      ...template,
      metadata: { ...metadata, name: `job-bench-${i}-b${String(i % 10)}c0d` },
    });
  }
  for (let i = 0; i < size.provisioningRequests; i++) {
    const template = structuredClone(provreqs[i % provreqs.length]);
    const { resourceVersion: _r, uid: _u, ...metadata } = template.metadata;
    client.upsert({
      ...template,
      metadata: {
        ...metadata,
        name: `job-bench-${i}-b${String(i % 10)}c0d-${DEMO.admissionCheck}-1`,
      },
    });
  }
  for (let i = 0; i < size.nodes; i++) {
    client.upsert({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: `gke-bench-gpu-${i}`,
        labels: {
          'cloud.google.com/gke-nodepool': DEMO.nodePool,
          'cloud.google.com/gke-accelerator': DEMO.accelerator,
          'node.kubernetes.io/instance-type': DEMO.machineType,
          'topology.kubernetes.io/zone': DEMO.zone,
        },
      },
      spec: {},
      status: {
        capacity: { 'nvidia.com/gpu': '8', cpu: '224', memory: '2952Gi' },
        allocatable: { 'nvidia.com/gpu': '8', cpu: '220', memory: '2900Gi' },
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
      },
    });
  }
  for (let i = 0; i < size.pods; i++) {
    client.upsert({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `bench-${i}-0-abcde`,
        namespace: ns,
        labels: { 'batch.kubernetes.io/job-name': `bench-${i}` },
      },
      spec: {
        nodeName: `gke-bench-gpu-${i % Math.max(1, size.nodes)}`,
        containers: [
          {
            name: 'main',
            image: 'busybox',
            resources: {
              limits: { 'nvidia.com/gpu': '2' },
              requests: { 'nvidia.com/gpu': '2' },
            },
          },
        ],
      },
      status: { phase: 'Running' },
    });
  }
  return {
    workloads: client.list(KUEUE, 'Workload').length,
    provisioningRequests: client.list(PROVREQ, 'ProvisioningRequest').length,
    nodes: client.list('v1', 'Node').length,
    pods: client.list('v1', 'Pod').length,
  };
}

/** The bench's own watcher logs nothing (jest's logger mock is not available outside Jest). */
export const quietLogger: LoggerService = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  child: () => quietLogger,
};

/**
 * Changes one Workload in the emulated cluster (a new annotation, so a new resourceVersion) and
 * waits (bounded) until the watcher's informer holds the new version; returns its name.
 */
export async function changeOneWorkload(
  kube: Kube,
  watcher: { snapshot(): { workloads: any[] } },
  i: number,
): Promise<string> {
  const all = kube.client.list(KUEUE, 'Workload');
  const wl = structuredClone(all[(i * 7919) % all.length]);
  wl.metadata.annotations = {
    ...wl.metadata.annotations,
    'bench.gpu-platform.dev/touched': String(i),
  };
  const written = kube.client.upsert(wl);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const held = watcher
      .snapshot()
      .workloads.find(
        w =>
          w.metadata.namespace === written.metadata.namespace &&
          w.metadata.name === written.metadata.name,
      );
    if (held?.metadata.resourceVersion === written.metadata.resourceVersion) {
      return `${written.metadata.namespace}/${written.metadata.name}`;
    }
    await new Promise(resolve => setTimeout(resolve, 20));
  }
  throw new Error('the informer did not see the change within 10 s');
}
