/**
 * Rewrites `spec.parameters` of templates/gke-gpu-cluster/template.yaml from the stack spec
 * (`yarn generate-template` in this package). Everything else in the file, comments included,
 * is kept, and the result is formatted with the repository's Prettier configuration. The drift
 * test (src/template/template.test.ts) fails until this has been run.
 */
import fs from 'node:fs';
import path from 'node:path';
import prettier from 'prettier';
import { parseDocument } from 'yaml';
import { gpuClusterTemplateParameters } from '../src/template/templateParameters';
import { TEMPLATE_PATH } from '../src/template/templatePath';

async function main() {
  const file = path.resolve(__dirname, '..', TEMPLATE_PATH);
  const doc = parseDocument(fs.readFileSync(file, 'utf8'));
  doc.setIn(
    ['spec', 'parameters'],
    doc.createNode(gpuClusterTemplateParameters()),
  );
  const options = (await prettier.resolveConfig(file)) ?? {};
  const text = prettier.format(doc.toString({ lineWidth: 0 }), {
    ...options,
    filepath: file,
  });
  fs.writeFileSync(file, text);
  process.stdout.write(`updated ${file}\n`);
}

main().catch(error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 1;
});
