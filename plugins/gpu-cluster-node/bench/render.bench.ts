/* Render time of the whole variant matrix: parse + validate, manifests + YAML, tfvars. Prints figures. */
import { performance } from 'node:perf_hooks';
import { parseGpuStackSpec } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  generateVariantMatrix,
  renderManifests,
  renderTfvars,
  serializeManifest,
} from '../src';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const variants = generateVariantMatrix();

function once() {
  let objects = 0;
  let bytes = 0;
  const t0 = performance.now();
  const specs = variants.map(v => {
    const r = parseGpuStackSpec(v.input);
    if (!r.ok) throw new Error(`${v.name}: ${JSON.stringify(r.issues)}`);
    return r.spec;
  });
  const t1 = performance.now();
  for (const spec of specs) {
    for (const file of renderManifests(spec)) {
      objects += file.objects.length;
      bytes += serializeManifest(file.objects).length;
    }
  }
  const t2 = performance.now();
  for (const spec of specs) bytes += JSON.stringify(renderTfvars(spec)).length;
  const t3 = performance.now();
  return {
    parse: t1 - t0,
    manifests: t2 - t1,
    tfvars: t3 - t2,
    total: t3 - t0,
    objects,
    bytes,
  };
}

once(); // warm-up (JIT, module init)
const runs = Array.from({ length: ROUNDS }, once);
const median = (k: keyof ReturnType<typeof once>) =>
  runs.map(r => r[k]).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
process.stdout.write(
  [
    `variants: ${variants.length} (accelerators × provisioning modes × feature toggles), rounds: ${ROUNDS}`,
    `objects per round: ${runs[0].objects}, output bytes per round: ${runs[0].bytes}`,
    `median parse+validate: ${fmt(median('parse'))} (${(
      median('parse') / variants.length
    ).toFixed(3)} ms/variant)`,
    `median manifests+YAML: ${fmt(median('manifests'))} (${(
      median('manifests') / variants.length
    ).toFixed(3)} ms/variant)`,
    `median tfvars:         ${fmt(median('tfvars'))} (${(
      median('tfvars') / variants.length
    ).toFixed(3)} ms/variant)`,
    `median total:          ${fmt(median('total'))}`,
    `heap used: ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(
      1,
    )} MiB`,
    '',
  ].join('\n'),
);
