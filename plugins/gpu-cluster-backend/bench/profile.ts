/* eslint-disable no-console */
/**
 * Where the cold first status and a rebuild spend their time at one size (default 10k): times the
 * informers' first lists, then each rebuild. Run under `node --cpu-prof` for a profile:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof -r @backstage/cli/config/nodeTransform.cjs bench/profile.ts
 *
 * The emulator runs in this process too, so a profile shows its work beside the backend's.
 */
import { DEMO, startKubeEmulator } from '@gpu-platform/emulators';
import { ClusterWatcher } from '../src/services/ClusterWatcher';
import { StatusBuilder } from '../src/services/buildStatus';
import { summarizeStatus } from '../src/services/summarize';
import {
  SIZES,
  changeOneWorkload,
  grow,
  quietLogger,
  settledHeapMb,
} from './cluster';

async function main() {
  const size = SIZES.find(s => s.label === (process.env.BENCH_SIZE ?? '10k'))!;
  const kube = await startKubeEmulator({
    fixtures: 'demo',
    scenarios: { enabled: false },
  });
  grow(kube, size);
  const watcher = new ClusterWatcher({
    clusterName: DEMO.cluster,
    connection: { url: kube.url, caData: kube.caPem, token: kube.token },
    logger: quietLogger,
    syncTimeoutMs: 60_000,
  });
  try {
    const heapBefore = await settledHeapMb();
    let t = performance.now();
    await watcher.ready();
    console.log(`informers synced: ${(performance.now() - t).toFixed(0)} ms`);
    console.log(
      `informers' heap: ${((await settledHeapMb()) - heapBefore).toFixed(
        0,
      )} MB`,
    );
    const input = () => ({
      entityRef: `resource:default/${DEMO.cluster}`,
      clusterName: DEMO.cluster,
      snapshot: watcher.snapshot(),
      sources: [{ name: 'kubernetes' as const, ok: true }],
      now: Date.now(),
    });
    for (let i = 0; i < Number(process.env.FULL_BUILDS ?? 4); i++) {
      t = performance.now();
      const detail = new StatusBuilder().build(input());
      const built = performance.now() - t;
      summarizeStatus(detail);
      console.log(
        `full build ${i}: ${built.toFixed(0)} ms, + summary ${(
          performance.now() - t
        ).toFixed(0)} ms`,
      );
    }
    const builder = new StatusBuilder();
    builder.build(input());
    const rebuilds = Number(process.env.REBUILDS ?? 6);
    for (let i = 0; i < rebuilds; i++) {
      const changed = await changeOneWorkload(kube, watcher, i);
      const cpu = process.cpuUsage();
      t = performance.now();
      const snapshot = watcher.snapshot();
      const snapped = performance.now() - t;
      const detail = builder.build({ ...input(), snapshot });
      const built = performance.now() - t;
      summarizeStatus(detail);
      const used = process.cpuUsage(cpu);
      console.log(
        `cpu ${((used.user + used.system) / 1000).toFixed(
          1,
        )} ms; after ${changed} changed: snapshot ${snapped.toFixed(
          1,
        )} ms, build ${built.toFixed(1)} ms, + summary ${(
          performance.now() - t
        ).toFixed(1)} ms; derived ${JSON.stringify(builder.derived())}`,
      );
    }
  } finally {
    await watcher.stop();
    await Promise.race([
      kube.stop(),
      new Promise(resolve => setTimeout(resolve, 3000).unref()),
    ]);
  }
}

main().then(
  () => process.exit(0),
  e => {
    console.error(e);
    process.exit(1);
  },
);
