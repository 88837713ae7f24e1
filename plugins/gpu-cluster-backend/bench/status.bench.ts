/* eslint-disable no-console */
/**
 * Upstream requests and latency per status call, against the real emulators: cold first call,
 * then many repeated calls with the shared cache (default TTLs) and with the cache disabled
 * (informers only). Upstream requests are counted on the emulators' side (every request asks
 * their fault injector once). Prints figures; asserts nothing. Bounded: fixed call counts.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  DEMO,
  denyGoogleCredentialDiscovery,
  startGkeEmulator,
  startKubeEmulator,
  type FaultInjector,
} from '@gpu-platform/emulators';
import request from 'supertest';
import { gpuClusterPlugin } from '../src/plugin';

const CALLS = 200;

function countRequests(faults: FaultInjector) {
  const counter = { n: 0 };
  const match = faults.match.bind(faults);
  faults.match = (method: string, path: string) => {
    counter.n++;
    return match(method, path);
  };
  return counter;
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[
    Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))
  ];

async function run(label: string, statusCacheTtlSeconds: number) {
  const kube = await startKubeEmulator({
    fixtures: 'demo',
    scenarios: { enabled: false },
  });
  const gke = await startGkeEmulator({ fixtures: 'demo' });
  const kubeCount = countRequests(kube.faults);
  const gkeCount = countRequests(gke.faults);
  const backend = await startTestBackend({
    features: [
      gpuClusterPlugin,
      mockServices.rootConfig.factory({
        data: {
          gpuCluster: {
            statusCacheTtlSeconds,
            clusters: [
              {
                name: DEMO.cluster,
                kubernetes: {
                  url: kube.url,
                  caData: kube.caPem,
                  token: kube.token,
                },
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
              },
            ],
          },
        },
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
  const path = `/api/gpu-cluster/clusters/default/${DEMO.cluster}/status`;
  try {
    let t = performance.now();
    const first = await request(backend.server).get(path);
    const cold = performance.now() - t;
    const coldUpstream = kubeCount.n + gkeCount.n;
    const before = { kube: kubeCount.n, gke: gkeCount.n };
    const latencies: number[] = [];
    const started = performance.now();
    for (let i = 0; i < CALLS; i++) {
      t = performance.now();
      const res = await request(backend.server).get(path);
      latencies.push(performance.now() - t);
      if (res.status !== 200) throw new Error(`status ${res.status}`);
    }
    const elapsedS = (performance.now() - started) / 1000;
    const kubeWarm = kubeCount.n - before.kube;
    const gkeWarm = gkeCount.n - before.gke;
    console.log(
      `${label}: cold call ${cold.toFixed(0)} ms (HTTP ${
        first.status
      }, ${coldUpstream} upstream requests: lists + watches + GetCluster); ` +
        `${CALLS} warm calls in ${elapsedS.toFixed(1)} s: p50 ${pct(
          latencies,
          50,
        ).toFixed(1)} ms, p95 ${pct(latencies, 95).toFixed(1)} ms; ` +
        `upstream during warm calls: kubernetes ${kubeWarm}, gke ${gkeWarm} = ${(
          (kubeWarm + gkeWarm) /
          CALLS
        ).toFixed(3)} per call ` +
        `(stock kubernetes plugin: 19 per call); response ${(
          JSON.stringify(first.body).length / 1024
        ).toFixed(1)} KiB`,
    );
  } finally {
    await backend.stop();
    await kube.stop();
    await gke.stop();
  }
}

async function main() {
  denyGoogleCredentialDiscovery();
  await run('shared cache (status 5 s, GKE 30 s)', 5);
  await run('cache disabled (informers only; GKE still cached 30 s)', 0.001);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
