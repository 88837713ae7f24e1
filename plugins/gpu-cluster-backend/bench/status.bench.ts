/* eslint-disable no-console */
/**
 * The status API at the size of a real shared GPU cluster, against the real emulators, in one run:
 * demo fixtures, 1k and 10k (10,000 Workloads, 2,000 ProvisioningRequests, 500 nodes, 2,000 pods,
 * the demo's objects cloned). Per size: the cold first call (informers list everything), warm
 * calls with the shared cache (p50/p95) and the upstream requests they cause, one page of a list,
 * the rebuild cost (buildClusterStatus over the informers' snapshot, what a cache miss costs),
 * response sizes (raw and gzip) and the backend's heap (after GC, informers and cache included).
 * Prints figures; asserts nothing. Bounded: fixed call counts, a deadline per size, loopback only.
 * Run with `yarn bench` (node --expose-gc so heap figures are after a collection).
 */
import { gzipSync } from 'node:zlib';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  DEMO,
  denyGoogleCredentialDiscovery,
  startGkeEmulator,
  startKubeEmulator,
  type FaultInjector,
  type KubeEmulator,
} from '@gpu-platform/emulators';
import request from 'supertest';
import { gpuClusterPlugin } from '../src/plugin';
import { ClusterWatcher } from '../src/services/ClusterWatcher';
import { buildClusterStatus } from '../src/services/buildStatus';
import { summarizeStatus } from '../src/services/summarize';

interface Size {
  label: string;
  workloads: number;
  provisioningRequests: number;
  nodes: number;
  pods: number;
  warmCalls: number;
  rebuilds: number;
}

const SIZES: Size[] = [
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

/** No size may take longer than this (emulators, backend and every call included). */
const DEADLINE_MS = 300_000;

const gc = (globalThis as { gc?: () => void }).gc;
const heapMb = () => {
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[
    Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))
  ];

function countRequests(faults: FaultInjector) {
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
function grow(kube: KubeEmulator, size: Size) {
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
const quietLogger: LoggerService = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  child: () => quietLogger,
};

interface Figures {
  size: string;
  objects: string;
  cold: number;
  warmP50: number;
  warmP95: number;
  upstreamPerWarmCall: number;
  rebuildP50: number;
  rebuildP95: number;
  pageP50: number;
  statusBytes: number;
  statusGzip: number;
  pageBytes: number;
  heapMb: number;
}

async function measure(size: Size): Promise<Figures> {
  const kube = await startKubeEmulator({
    fixtures: 'demo',
    scenarios: { enabled: false },
  });
  const gke = await startGkeEmulator({ fixtures: 'demo' });
  const counts = grow(kube, size);
  const kubeCount = countRequests(kube.faults);
  const gkeCount = countRequests(gke.faults);
  const heapBefore = heapMb();
  const cluster = {
    name: DEMO.cluster,
    kubernetes: { url: kube.url, caData: kube.caPem, token: kube.token },
    gke: {
      projectId: DEMO.project,
      location: DEMO.region,
      endpoint: {
        host: gke.host,
        port: gke.port,
        caData: gke.caCertPem,
        token: gke.token,
      },
    },
  };
  const backend = await startTestBackend({
    features: [
      gpuClusterPlugin,
      mockServices.rootConfig.factory({
        data: { gpuCluster: { clusters: [cluster] } },
      }),
      catalogServiceMock.factory({
        entities: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Resource',
            metadata: {
              name: DEMO.cluster,
              namespace: 'default',
              annotations: { 'gpu-platform.dev/cluster-name': DEMO.cluster },
            },
            spec: { type: 'kubernetes-cluster' },
          },
        ],
      }),
    ],
  });
  const base = `/api/gpu-cluster/clusters/default/${DEMO.cluster}`;
  const watcher = new ClusterWatcher({
    clusterName: DEMO.cluster,
    connection: cluster.kubernetes,
    logger: quietLogger,
    syncTimeoutMs: 60_000,
  });
  let backendStopped = false;
  try {
    let t = performance.now();
    const first = await request(backend.server)
      .get(`${base}/status`)
      .timeout(120_000);
    const cold = performance.now() - t;
    if (first.status !== 200) throw new Error(`cold call: ${first.status}`);
    const body = JSON.stringify(first.body);
    const upstreamBefore = kubeCount.n + gkeCount.n;
    const warm: number[] = [];
    for (let i = 0; i < size.warmCalls; i++) {
      t = performance.now();
      const res = await request(backend.server)
        .get(`${base}/status`)
        .timeout(60_000);
      warm.push(performance.now() - t);
      if (res.status !== 200) throw new Error(`warm call: ${res.status}`);
    }
    const upstreamWarm = kubeCount.n + gkeCount.n - upstreamBefore;
    const pages: number[] = [];
    let pageBytes = 0;
    for (let i = 0; i < 20; i++) {
      t = performance.now();
      const res = await request(backend.server)
        .get(`${base}/workloads?state=QuotaReserved&limit=20&offset=${i * 20}`)
        .timeout(60_000);
      pages.push(performance.now() - t);
      if (res.status !== 200) throw new Error(`page: ${res.status}`);
      pageBytes = Math.max(pageBytes, JSON.stringify(res.body).length);
    }
    const heap = heapMb() - heapBefore;
    // The backend's long-lived watches hold the client's connections to the emulator; stop it
    // before this watcher lists.
    await backend.stop();
    backendStopped = true;
    // What a cache miss costs: assembling the detail from the informers' contents, then its summary.
    await watcher.ready();
    const snapshot = watcher.snapshot();
    const rebuilds: number[] = [];
    for (let i = 0; i < size.rebuilds; i++) {
      t = performance.now();
      summarizeStatus(
        buildClusterStatus({
          entityRef: `resource:default/${DEMO.cluster}`,
          clusterName: DEMO.cluster,
          snapshot,
          sources: [{ name: 'kubernetes', ok: true }],
          now: Date.now(),
        }),
      );
      rebuilds.push(performance.now() - t);
    }
    return {
      size: size.label,
      objects: `${counts.workloads} wl, ${counts.provisioningRequests} pr, ${counts.nodes} nodes, ${counts.pods} pods`,
      cold,
      warmP50: pct(warm, 50),
      warmP95: pct(warm, 95),
      upstreamPerWarmCall: upstreamWarm / size.warmCalls,
      rebuildP50: pct(rebuilds, 50),
      rebuildP95: pct(rebuilds, 95),
      pageP50: pct(pages, 50),
      statusBytes: body.length,
      statusGzip: gzipSync(body).length,
      pageBytes,
      heapMb: heap,
    };
  } finally {
    await watcher.stop();
    if (!backendStopped) await backend.stop();
    // The Kubernetes emulator's stop can wait on a connection it does not destroy; bounded.
    await Promise.race([
      Promise.all([kube.stop(), gke.stop()]),
      new Promise(resolve => setTimeout(resolve, 3000).unref()),
    ]);
  }
}

const kb = (n: number) =>
  n >= 2 ** 20
    ? `${(n / 2 ** 20).toFixed(2)} MB`
    : `${(n / 1024).toFixed(1)} KB`;
const ms = (n: number) => (n < 10 ? n.toFixed(1) : n.toFixed(0));

async function main() {
  denyGoogleCredentialDiscovery();
  if (!gc) console.log('(run with node --expose-gc for heap figures after GC)');
  // BENCH_SIZES=demo,1k runs a subset (a quick check); the default is every size.
  const only = process.env.BENCH_SIZES?.split(',');
  const rows: Figures[] = [];
  for (const size of SIZES.filter(s => !only || only.includes(s.label))) {
    let timer: NodeJS.Timeout | undefined;
    const figures = await Promise.race([
      measure(size),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${size.label}: over ${DEADLINE_MS} ms`)),
          DEADLINE_MS,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    console.log(`${size.label}: ${JSON.stringify(figures)}`);
    rows.push(figures);
  }
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  console.log(
    [
      line(['', ...rows.map(r => r.size)]),
      line(['---', ...rows.map(() => '---')]),
      line(['objects', ...rows.map(r => r.objects)]),
      line(['cold first call (ms)', ...rows.map(r => ms(r.cold))]),
      line([
        'warm /status p50 / p95 (ms, shared cache)',
        ...rows.map(r => `${ms(r.warmP50)} / ${ms(r.warmP95)}`),
      ]),
      line([
        'upstream requests per warm call',
        ...rows.map(r => r.upstreamPerWarmCall.toFixed(2)),
      ]),
      line([
        'rebuild (cache miss) p50 / p95 (ms)',
        ...rows.map(r => `${ms(r.rebuildP50)} / ${ms(r.rebuildP95)}`),
      ]),
      line([
        '/status response (gzip)',
        ...rows.map(r => `${kb(r.statusBytes)} (${kb(r.statusGzip)})`),
      ]),
      line([
        'one page of 20 workloads: p50 (ms), size',
        ...rows.map(r => `${ms(r.pageP50)}, ${kb(r.pageBytes)}`),
      ]),
      line([
        'backend heap after warm calls (MB, informers + cache)',
        ...rows.map(r => r.heapMb.toFixed(0)),
      ]),
    ].join('\n'),
  );
}

main().then(
  // Nothing the bench started may keep it running (see the bounded stop above).
  () => process.exit(0),
  e => {
    console.error(e);
    process.exit(1);
  },
);
