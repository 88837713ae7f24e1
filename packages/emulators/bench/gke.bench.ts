/* eslint-disable no-console */
/**
 * GKE ClusterManager emulator bench: start-up time, memory, and RPC latency through the
 * official @google-cloud/container client over loopback TLS.
 *
 *   node --require @backstage/cli/config/nodeTransform.cjs bench/gke.bench.ts [--calls 500]
 *
 * Figures are printed, never asserted: they depend on the machine.
 */
import {
  DEMO_CLUSTER,
  DEMO_GPU_POOL,
  DEMO_LOCATION,
  DEMO_PROJECT,
  createEmulatorClusterManagerClient,
  denyGoogleCredentialDiscovery,
  startGkeEmulator,
} from '../src/gke';
import { ManualClock } from '../src/clock';

const callsArg = process.argv.indexOf('--calls');
const CALLS = Math.min(
  10_000,
  Math.max(10, Number(callsArg > 0 ? process.argv[callsArg + 1] : 500) || 500),
);
const parent = `projects/${DEMO_PROJECT}/locations/${DEMO_LOCATION}`;
const clusterName = `${parent}/clusters/${DEMO_CLUSTER}`;

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const ms = (nanos: bigint) => Number(nanos) / 1e6;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const result = await fn();
  return [result, ms(process.hrtime.bigint() - start)];
}

function summarize(label: string, samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const pick = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const mean = sorted.reduce((s, v) => s + v, 0) / sorted.length;
  return {
    rpc: label,
    calls: sorted.length,
    'mean ms': mean.toFixed(2),
    'p50 ms': pick(0.5).toFixed(2),
    'p95 ms': pick(0.95).toFixed(2),
    'p99 ms': pick(0.99).toFixed(2),
    'max ms': sorted[sorted.length - 1].toFixed(2),
  };
}

async function measure(
  label: string,
  count: number,
  call: (i: number) => Promise<unknown>,
) {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const [, elapsed] = await timed(() => call(i));
    samples.push(elapsed);
  }
  return summarize(label, samples);
}

async function main() {
  denyGoogleCredentialDiscovery();
  const baseline = process.memoryUsage();

  // Cold start includes loading the protos and generating the throw-away TLS CA.
  const [cold, coldMs] = await timed(() =>
    startGkeEmulator({ fixtures: 'demo' }),
  );
  await cold.stop();
  const clock = new ManualClock();
  const [emulator, warmMs] = await timed(() =>
    startGkeEmulator({ fixtures: 'demo', clock, operationStepMs: 1000 }),
  );
  const [plain, plainMs] = await timed(() =>
    startGkeEmulator({ fixtures: 'demo', tls: false }),
  );
  await plain.stop();
  const afterStart = process.memoryUsage();

  const client = createEmulatorClusterManagerClient(emulator);
  const [, firstCallMs] = await timed(() =>
    client.getCluster({ name: clusterName }),
  );
  for (let i = 0; i < 20; i++) {
    await client.getCluster({ name: clusterName });
  }

  const rows = [
    await measure('GetCluster', CALLS, () =>
      client.getCluster({ name: clusterName }),
    ),
    await measure('ListClusters (locations/-)', CALLS, () =>
      client.listClusters({ parent: `projects/${DEMO_PROJECT}/locations/-` }),
    ),
    await measure('GetNodePool', CALLS, () =>
      client.getNodePool({ name: `${clusterName}/nodePools/${DEMO_GPU_POOL}` }),
    ),
  ];
  const lifecycleCount = Math.min(100, Math.ceil(CALLS / 10));
  rows.push(
    await measure(
      'CreateCluster→DONE→DeleteCluster→gone',
      lifecycleCount,
      async i => {
        const name = `bench-${i}`;
        const [create] = await client.createCluster({
          parent,
          cluster: { name },
        });
        clock.advance(3000);
        await client.getOperation({
          name: `${parent}/operations/${create.name}`,
        });
        await client.deleteCluster({ name: `${parent}/clusters/${name}` });
        clock.advance(3000);
        await client.listOperations({ parent });
      },
    ),
  );
  const afterCalls = process.memoryUsage();

  await client.close();
  await emulator.stop();

  console.log('GKE ClusterManager emulator bench');
  console.log(
    `node ${process.version}, ${CALLS} calls per unary RPC, sequential, TLS + bearer token`,
  );
  console.table([
    { phase: 'cold start (protos + TLS CA + demo)', ms: coldMs.toFixed(1) },
    { phase: 'warm start (TLS)', ms: warmMs.toFixed(1) },
    { phase: 'warm start (plaintext)', ms: plainMs.toFixed(1) },
    {
      phase: 'first call (client init + TLS handshake)',
      ms: firstCallMs.toFixed(1),
    },
  ]);
  console.table(rows);
  console.table([
    {
      when: 'baseline',
      rss: mib(baseline.rss),
      heapUsed: mib(baseline.heapUsed),
    },
    {
      when: 'after start',
      rss: mib(afterStart.rss),
      heapUsed: mib(afterStart.heapUsed),
    },
    {
      when: 'after calls',
      rss: mib(afterCalls.rss),
      heapUsed: mib(afterCalls.heapUsed),
    },
  ]);
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
