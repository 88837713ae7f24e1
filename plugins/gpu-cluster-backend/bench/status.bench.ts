/* eslint-disable no-console */
/**
 * The status API at the size of a real shared GPU cluster, side by side with the stock
 * `@backstage/plugin-kubernetes-backend`, both in one test backend against the real emulators, in
 * one run: demo fixtures, 1k and 10k (10,000 Workloads, 2,000 ProvisioningRequests, 500 nodes,
 * 2,000 pods, the demo's objects cloned).
 *
 * Per size and plugin: the cold first call, warm p50/p95, 10 concurrent viewers × N calls p95,
 * upstream requests per warm call (the emulators' fault injectors count every request), the
 * response raw and gzipped, the heap after GC and the peak RSS while it served. For the project
 * also: the first call with on-demand informers (warm-up off, a backend of its own), the startup
 * warm-up (informers synced, status assembled), the first call once warmed, one page of a list,
 * the informers' heap, and a rebuild from scratch against one after a single Workload changed.
 *
 * The stock plugin is configured as a platform engineer would point its Kubernetes tab at the
 * cluster: a config cluster (serviceAccount token, caData), customResources for Kueue Workloads,
 * ClusterQueues, LocalQueues, ProvisioningRequests and Ray (RayCluster, RayJob), and an entity
 * whose `backstage.io/kubernetes-label-selector` selects every object (the emulated objects carry
 * no `backstage.io/kubernetes-id` label); it is called as its tab calls it:
 * `POST /api/kubernetes/services/:name` with the entity.
 *
 * Prints figures; asserts nothing. Bounded: fixed call counts, a deadline per size, loopback only.
 * The emulators run in the same process: heap and RSS include them (compare within a run).
 * Run with `yarn bench` (node --expose-gc so heap figures are after a collection).
 */
import { gzipSync } from 'node:zlib';
import {
  coreServices,
  createServiceFactory,
  type RootLoggerService,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  DEMO,
  denyGoogleCredentialDiscovery,
  startGkeEmulator,
  startKubeEmulator,
} from '@gpu-platform/emulators';
import request from 'supertest';
import { gpuClusterPlugin } from '../src/plugin';
import { ClusterWatcher } from '../src/services/ClusterWatcher';
import { StatusBuilder } from '../src/services/buildStatus';
import { summarizeStatus } from '../src/services/summarize';
import {
  SIZES,
  changeOneWorkload,
  countRequests,
  gc,
  grow,
  heapMb,
  pct,
  quietLogger,
  settledHeapMb,
  type Size,
} from './cluster';

/** No size may take longer than this (emulators, backends and every call included). */
const DEADLINE_MS = 600_000;
const VIEWERS = 10;

/** Calls per plugin and size; the stock plugin moves every object per call, so fewer at 10k. */
const CALLS: Record<
  string,
  {
    projectWarm: number;
    stockWarm: number;
    projectPerViewer: number;
    stockPerViewer: number;
  }
> = {
  demo: {
    projectWarm: 200,
    stockWarm: 30,
    projectPerViewer: 10,
    stockPerViewer: 10,
  },
  '1k': {
    projectWarm: 100,
    stockWarm: 10,
    projectPerViewer: 10,
    stockPerViewer: 10,
  },
  '10k': {
    projectWarm: 50,
    stockWarm: 5,
    projectPerViewer: 10,
    stockPerViewer: 2,
  },
};

const LABEL_SELECTOR_ANNOTATION = 'backstage.io/kubernetes-label-selector';
/** Every object: none carries this label. */
const EVERY_OBJECT = '!bench.gpu-platform.dev/none';

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: DEMO.cluster,
    namespace: 'default',
    annotations: {
      'gpu-platform.dev/cluster-name': DEMO.cluster,
      [LABEL_SELECTOR_ANNOTATION]: EVERY_OBJECT,
    },
  },
  spec: { type: 'kubernetes-cluster' },
};

const STOCK_CUSTOM_RESOURCES = [
  { group: 'kueue.x-k8s.io', apiVersion: 'v1beta2', plural: 'workloads' },
  { group: 'kueue.x-k8s.io', apiVersion: 'v1beta2', plural: 'clusterqueues' },
  { group: 'kueue.x-k8s.io', apiVersion: 'v1beta2', plural: 'localqueues' },
  {
    group: 'autoscaling.x-k8s.io',
    apiVersion: 'v1',
    plural: 'provisioningrequests',
  },
  { group: 'ray.io', apiVersion: 'v1', plural: 'rayclusters' },
  { group: 'ray.io', apiVersion: 'v1', plural: 'rayjobs' },
];

interface LogLine {
  message: string;
  meta?: Record<string, unknown>;
}

/** The backend's root logger: quiet, keeping what the warm-up reports. */
function capturingLogger(lines: LogLine[]): RootLoggerService {
  const logger: RootLoggerService = {
    error() {},
    warn(message) {
      lines.push({ message });
    },
    info(message, meta) {
      lines.push({ message, meta: meta as Record<string, unknown> });
    },
    debug() {},
    child: () => logger,
  };
  return logger;
}

/** Peak RSS and heap while something runs (sampled every 20 ms). */
function memoryPeak() {
  const peak = { rss: 0, heap: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heap = Math.max(peak.heap, m.heapUsed);
  };
  sample();
  const timer = setInterval(sample, 20);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { rssMb: peak.rss / 2 ** 20, heapMb: peak.heap / 2 ** 20 };
    },
  };
}

interface PluginFigures {
  cold: number;
  warmP50: number;
  warmP95: number;
  viewersP95: number;
  callsPerViewer: number;
  upstreamPerWarmCall: number;
  bytes: number;
  gzip: number;
  /** Heap after GC once it served, less the heap before the backend started. */
  heapAfterMb: number;
  peakRssMb: number;
  peakHeapMb: number;
}

interface Figures {
  size: string;
  objects: string;
  project: PluginFigures;
  stock: PluginFigures;
  coldOnDemand: number;
  startupSyncMs?: number;
  startupAssembleMs?: number;
  warmUpSeen: boolean;
  pageP50: number;
  pageBytes: number;
  informersHeapMb: number;
  rebuildFullP50: number;
  rebuildChangedP50: number;
  rebuildChangedP95: number;
  rebuildDerived: string;
}

type Call = () => Promise<{ status: number; body: unknown; text: string }>;

/** `calls` sequential calls; their durations and the upstream requests they caused. */
async function sequential(call: Call, calls: number, upstream: () => number) {
  const before = upstream();
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    const res = await call();
    times.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`warm call: ${res.status}`);
  }
  return { times, upstream: (upstream() - before) / calls };
}

/** VIEWERS concurrent viewers making `perViewer` calls each; every call's duration. */
async function viewers(call: Call, perViewer: number) {
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: VIEWERS }, async () => {
      for (let i = 0; i < perViewer; i++) {
        const t = performance.now();
        const res = await call();
        times.push(performance.now() - t);
        if (res.status !== 200) throw new Error(`viewer call: ${res.status}`);
      }
    }),
  );
  return times;
}

/**
 * What a rebuild costs over the informers' contents: from scratch, and after one Workload changed
 * (the builder reusing what the previous build derived). Its builders are gone when it returns.
 */
async function measureRebuilds(
  kube: Parameters<typeof changeOneWorkload>[0],
  watcher: ClusterWatcher,
  size: Size,
) {
  const input = () => ({
    entityRef: `resource:default/${DEMO.cluster}`,
    clusterName: DEMO.cluster,
    snapshot: watcher.snapshot(),
    sources: [{ name: 'kubernetes' as const, ok: true }],
    now: Date.now(),
  });
  const full: number[] = [];
  for (let i = 0; i < size.rebuilds; i++) {
    const t = performance.now();
    summarizeStatus(new StatusBuilder().build(input()));
    full.push(performance.now() - t);
  }
  const builder = new StatusBuilder();
  builder.build(input());
  const changed: number[] = [];
  const derived: number[] = [];
  for (let i = 0; i < size.rebuilds; i++) {
    await changeOneWorkload(kube, watcher, i);
    const t = performance.now();
    summarizeStatus(builder.build(input()));
    changed.push(performance.now() - t);
    derived.push(Object.values(builder.derived()).reduce((a, b) => a + b, 0));
  }
  return {
    rebuildFullP50: pct(full, 50),
    rebuildChangedP50: pct(changed, 50),
    rebuildChangedP95: pct(changed, 95),
    rebuildDerived: `${Math.min(...derived)}–${Math.max(...derived)}`,
  };
}

async function measure(size: Size): Promise<Figures> {
  const calls = CALLS[size.label];
  const kube = await startKubeEmulator({
    fixtures: 'demo',
    scenarios: { enabled: false },
  });
  const gke = await startGkeEmulator({ fixtures: 'demo' });
  const counts = grow(kube, size);
  const kubeCount = countRequests(kube.faults);
  const gkeCount = countRequests(gke.faults);
  const upstream = () => kubeCount.n + gkeCount.n;
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
  const catalog = catalogServiceMock.factory({ entities: [entity] });
  const base = `/api/gpu-cluster/clusters/default/${DEMO.cluster}`;
  const stopEmulators = () =>
    // The Kubernetes emulator's stop can wait on a connection it does not destroy; bounded.
    Promise.race([
      Promise.all([kube.stop(), gke.stop()]),
      new Promise(resolve => setTimeout(resolve, 3000).unref()),
    ]);

  try {
    // 1. The on-demand path (no warm-up): the first viewer starts the informers.
    const heapBefore = heapMb();
    const onDemand = await startTestBackend({
      features: [
        gpuClusterPlugin,
        mockServices.rootConfig.factory({
          data: { gpuCluster: { clusters: [cluster], warmUpAtStartup: false } },
        }),
        catalog,
      ],
    });
    let t = performance.now();
    const onDemandFirst = await request(onDemand.server)
      .get(`${base}/status`)
      .timeout(120_000);
    const coldOnDemand = performance.now() - t;
    await onDemand.stop();
    if (onDemandFirst.status !== 200) {
      throw new Error(`on-demand cold call: ${onDemandFirst.status}`);
    }

    // 2. Both plugins in one backend; the gpu-cluster plugin warms its clusters at startup.
    const lines: LogLine[] = [];
    const backend = await startTestBackend({
      features: [
        gpuClusterPlugin,
        import('@backstage/plugin-kubernetes-backend'),
        createServiceFactory({
          service: coreServices.rootLogger,
          deps: {},
          factory: () => capturingLogger(lines),
        }),
        mockServices.rootConfig.factory({
          data: {
            gpuCluster: { clusters: [cluster] },
            kubernetes: {
              serviceLocatorMethod: { type: 'multiTenant' },
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    {
                      name: DEMO.cluster,
                      url: kube.url,
                      authProvider: 'serviceAccount',
                      serviceAccountToken: kube.token,
                      caData: Buffer.from(kube.caPem).toString('base64'),
                      // The emulator serves no metrics.k8s.io.
                      skipMetricsLookup: true,
                    },
                  ],
                },
              ],
              customResources: STOCK_CUSTOM_RESOURCES,
            },
          },
        }),
        catalog,
      ],
    });
    try {
      const deadline = Date.now() + 120_000;
      let warmed: LogLine | undefined;
      while (!warmed && Date.now() < deadline) {
        warmed = lines.find(l => l.message.startsWith('gpu-cluster warm-up'));
        if (!warmed) await new Promise(resolve => setTimeout(resolve, 20));
      }
      const project: Call = () =>
        request(backend.server).get(`${base}/status`).timeout(120_000);
      const stock: Call = () =>
        request(backend.server)
          .post(`/api/kubernetes/services/${DEMO.cluster}`)
          .send({ entity })
          .timeout(300_000);

      // The project's plugin.
      let peak = memoryPeak();
      t = performance.now();
      const first = await project();
      const projectCold = performance.now() - t;
      if (first.status !== 200) throw new Error(`first call: ${first.status}`);
      const projectBody = first.text;
      const projectWarm = await sequential(
        project,
        calls.projectWarm,
        upstream,
      );
      const pages: number[] = [];
      let pageBytes = 0;
      for (let i = 0; i < 20; i++) {
        t = performance.now();
        const res = await request(backend.server)
          .get(
            `${base}/workloads?state=QuotaReserved&limit=20&offset=${i * 20}`,
          )
          .timeout(60_000);
        pages.push(performance.now() - t);
        if (res.status !== 200) throw new Error(`page: ${res.status}`);
        pageBytes = Math.max(pageBytes, res.text.length);
      }
      const projectViewers = await viewers(project, calls.projectPerViewer);
      const projectPeak = peak.stop();
      const projectHeap = heapMb() - heapBefore;

      // The stock plugin, in the same backend against the same emulator.
      peak = memoryPeak();
      t = performance.now();
      const stockFirst = await stock();
      const stockCold = performance.now() - t;
      if (stockFirst.status !== 200) {
        throw new Error(
          `stock call: ${stockFirst.status} ${stockFirst.text.slice(0, 300)}`,
        );
      }
      const stockErrors = (stockFirst.body as any)?.items?.flatMap(
        (i: any) => i.errors ?? [],
      );
      if (stockErrors?.length) {
        console.log(
          `${size.label}: stock plugin errors: ${JSON.stringify(
            stockErrors,
          ).slice(0, 500)}`,
        );
      }
      const stockBody = stockFirst.text;
      const stockWarm = await sequential(stock, calls.stockWarm, upstream);
      const stockViewers = await viewers(stock, calls.stockPerViewer);
      const stockPeak = peak.stop();
      const stockHeap = heapMb() - heapBefore;

      const figures = (
        cold: number,
        warm: { times: number[]; upstream: number },
        concurrent: number[],
        perViewer: number,
        body: string,
        heapAfter: number,
        p: { rssMb: number; heapMb: number },
      ): PluginFigures => ({
        cold,
        warmP50: pct(warm.times, 50),
        warmP95: pct(warm.times, 95),
        viewersP95: pct(concurrent, 95),
        callsPerViewer: perViewer,
        upstreamPerWarmCall: warm.upstream,
        bytes: Buffer.byteLength(body),
        gzip: gzipSync(body).length,
        heapAfterMb: heapAfter,
        peakRssMb: p.rssMb,
        peakHeapMb: p.heapMb,
      });
      const result = {
        project: figures(
          projectCold,
          projectWarm,
          projectViewers,
          calls.projectPerViewer,
          projectBody,
          projectHeap,
          projectPeak,
        ),
        stock: figures(
          stockCold,
          stockWarm,
          stockViewers,
          calls.stockPerViewer,
          stockBody,
          stockHeap,
          stockPeak,
        ),
        warmUpSeen: Boolean(warmed?.meta),
        startupSyncMs: warmed?.meta?.informersSyncedMs as number | undefined,
        startupAssembleMs: warmed?.meta?.assembledMs as number | undefined,
        pageP50: pct(pages, 50),
        pageBytes,
      };
      await backend.stop();

      // 3. The informers alone, and what a rebuild costs: from scratch against after one change.
      // The informers' heap: after GC with them synced, less the settled heap before they started.
      const heapBeforeInformers = await settledHeapMb();
      const watcher = new ClusterWatcher({
        clusterName: DEMO.cluster,
        connection: cluster.kubernetes,
        logger: quietLogger,
        syncTimeoutMs: 120_000,
      });
      try {
        await watcher.ready();
        const informersHeapMb = (await settledHeapMb()) - heapBeforeInformers;
        const rebuilds = await measureRebuilds(kube, watcher, size);
        return {
          size: size.label,
          objects: `${counts.workloads}/${counts.provisioningRequests}/${counts.nodes}/${counts.pods}`,
          coldOnDemand,
          informersHeapMb,
          ...rebuilds,
          ...result,
        };
      } finally {
        await watcher.stop();
      }
    } finally {
      await backend.stop().catch(() => {});
    }
  } finally {
    await stopEmulators();
  }
}

const size = (n: number) => {
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(2)} MB`;
  return `${(n / 1024).toFixed(1)} KB`;
};
const ms = (n: number | undefined) => {
  if (n === undefined) return '–';
  return n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString('en');
};

async function main() {
  denyGoogleCredentialDiscovery();
  if (!gc) console.log('(run with node --expose-gc for heap figures after GC)');
  const [load1] = (await import('node:os')).loadavg();
  console.log(
    `load average at start: ${load1.toFixed(2)} (${
      (await import('node:os')).cpus().length
    } cores), node ${process.version}`,
  );
  // BENCH_SIZES=demo,1k runs a subset (a quick check); the default is every size.
  const only = process.env.BENCH_SIZES?.split(',');
  const rows: Figures[] = [];
  for (const s of SIZES.filter(x => !only || only.includes(x.label))) {
    let timer: NodeJS.Timeout | undefined;
    const figures = await Promise.race([
      measure(s),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${s.label}: over ${DEADLINE_MS} ms`)),
          DEADLINE_MS,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    console.log(`${s.label}: ${JSON.stringify(figures)}`);
    rows.push(figures);
  }
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const both = (f: (p: PluginFigures, r: Figures) => string) =>
    rows.flatMap(r => [f(r.stock, r), f(r.project, r)]);
  const only1 = (f: (r: Figures) => string) => rows.flatMap(r => ['', f(r)]);
  console.log(
    [
      line([
        '',
        ...rows.flatMap(r => [`${r.size} stock`, `${r.size} project`]),
        'target (10k)',
      ]),
      line(['---', ...rows.flatMap(() => ['---', '---']), '---']),
      line([
        'Workloads / ProvisioningRequests / nodes / pods',
        ...rows.flatMap(r => [r.objects, r.objects]),
        '',
      ]),
      line([
        'cold first call (ms; project: after the startup warm-up)',
        ...both(p => ms(p.cold)),
        '≤ 500 ms',
      ]),
      line([
        'project: first call with on-demand informers (no warm-up)',
        ...only1(r => ms(r.coldOnDemand)),
        '',
      ]),
      line([
        'project: startup warm-up, informers synced + status assembled (ms)',
        ...only1(r =>
          r.warmUpSeen
            ? `${ms(r.startupSyncMs)} + ${ms(r.startupAssembleMs)}`
            : 'not seen',
        ),
        'never blocks startup',
      ]),
      line([
        'warm p50 / p95 (ms)',
        ...both(p => `${ms(p.warmP50)} / ${ms(p.warmP95)}`),
        'p95 ≤ 10 ms',
      ]),
      line([
        `${VIEWERS} viewers × N calls, p95 (ms)`,
        ...both(p => `${ms(p.viewersP95)} (N=${p.callsPerViewer})`),
        'flat in viewers',
      ]),
      line([
        'upstream requests per warm call',
        ...both(p => p.upstreamPerWarmCall.toFixed(2)),
        '',
      ]),
      line([
        'response per call (gzip)',
        ...both(p => `${size(p.bytes)} (${size(p.gzip)})`),
        'summary ≤ 50 KB',
      ]),
      line([
        'project: one page of 20 Workloads, p50 (ms), size',
        ...only1(r => `${ms(r.pageP50)}, ${size(r.pageBytes)}`),
        '',
      ]),
      line([
        'heap after GC once served, over the start (MB, cumulative: stock measured after project)',
        ...both(p => p.heapAfterMb.toFixed(0)),
        '',
      ]),
      line([
        'peak RSS / heap while serving (MB, process incl. emulators)',
        ...both(p => `${p.peakRssMb.toFixed(0)} / ${p.peakHeapMb.toFixed(0)}`),
        '',
      ]),
      line([
        'project: informers alone, heap after sync (MB)',
        ...only1(r => r.informersHeapMb.toFixed(0)),
        'reported',
      ]),
      line([
        'project: rebuild from scratch, p50 (ms)',
        ...only1(r => ms(r.rebuildFullP50)),
        '',
      ]),
      line([
        'project: rebuild after one Workload changed, p50 / p95 (ms), rows re-derived',
        ...only1(
          r =>
            `${ms(r.rebuildChangedP50)} / ${ms(r.rebuildChangedP95)}, ${
              r.rebuildDerived
            }`,
        ),
        '∝ change',
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
