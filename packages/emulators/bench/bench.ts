/* eslint-disable no-console */
/**
 * Prints start-up time, memory with the demo cluster, and list/watch throughput on loopback.
 * Bounded: a fixed number of objects and requests, then it stops.
 */
import https from 'node:https';
import { startKubeEmulator } from '../src/kube/KubeEmulator';

const OBJECTS = 500;
const LISTS = 200;

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

async function main() {
  const t0 = performance.now();
  const emu = await startKubeEmulator({
    fixtures: 'demo',
    scenarios: { enabled: false },
  });
  const startup = performance.now() - t0;
  const mem = process.memoryUsage();
  console.log(
    `startup (demo cluster, CRDs parsed, TLS generated): ${startup.toFixed(
      0,
    )} ms`,
  );
  console.log(
    `memory after start: rss ${mb(mem.rss)}, heapUsed ${mb(mem.heapUsed)}`,
  );

  const agent = new https.Agent({
    keepAlive: true,
    ca: emu.caPem,
    maxSockets: 8,
  });
  const request = (method: string, path: string, body?: unknown) =>
    new Promise<string>((resolve, reject) => {
      const req = https.request(
        new URL(path, emu.url),
        {
          method,
          agent,
          headers: {
            Authorization: `Bearer ${emu.token}`,
            'Content-Type': 'application/json',
            Accept: 'application/json',
          },
          timeout: 10_000,
        },
        res => {
          let text = '';
          res.on('data', c => (text += c));
          res.on('end', () =>
            (res.statusCode ?? 500) < 300
              ? resolve(text)
              : reject(new Error(`${res.statusCode} ${text}`)),
          );
        },
      );
      req.on('error', reject);
      if (body) req.write(JSON.stringify(body));
      req.end();
    });

  // Watch throughput: one watch receives every create.
  let received = 0;
  let resolveAll: () => void;
  const allSeen = new Promise<void>(r => (resolveAll = r));
  const watchReq = https.get(
    new URL(
      `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${emu.store.currentRevision}`,
      emu.url,
    ),
    { ca: emu.caPem, headers: { Authorization: `Bearer ${emu.token}` } },
    res => {
      let buffer = '';
      res.on('data', chunk => {
        buffer += chunk;
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        received += lines.filter(Boolean).length;
        if (received >= OBJECTS) resolveAll();
      });
    },
  );

  const t1 = performance.now();
  for (let i = 0; i < OBJECTS; i += 10) {
    await Promise.all(
      Array.from({ length: 10 }, (_, j) =>
        request('POST', '/api/v1/namespaces/default/configmaps', {
          metadata: { name: `bench-${i + j}`, labels: { bench: 'yes' } },
          data: { index: String(i + j) },
        }),
      ),
    );
  }
  const createMs = performance.now() - t1;
  await Promise.race([allSeen, new Promise(r => setTimeout(r, 10_000))]);
  const watchMs = performance.now() - t1;
  console.log(
    `create: ${OBJECTS} ConfigMaps in ${createMs.toFixed(0)} ms (${(
      OBJECTS /
      (createMs / 1000)
    ).toFixed(0)}/s)`,
  );
  console.log(
    `watch: ${received}/${OBJECTS} events delivered within ${watchMs.toFixed(
      0,
    )} ms of the first create`,
  );

  const t2 = performance.now();
  let bytes = 0;
  for (let i = 0; i < LISTS; i += 8) {
    const pages = await Promise.all(
      Array.from({ length: 8 }, () =>
        request(
          'GET',
          '/api/v1/namespaces/default/configmaps?labelSelector=bench%3Dyes&limit=100',
        ),
      ),
    );
    bytes += pages.reduce((n, p) => n + p.length, 0);
  }
  const listMs = performance.now() - t2;
  console.log(
    `list: ${LISTS} pages of 100 in ${listMs.toFixed(0)} ms (${(
      LISTS /
      (listMs / 1000)
    ).toFixed(0)} req/s, ${mb(bytes)})`,
  );
  const after = process.memoryUsage();
  console.log(
    `memory after load: rss ${mb(after.rss)}, heapUsed ${mb(after.heapUsed)}`,
  );

  watchReq.destroy();
  agent.destroy();
  await emu.stop();
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
