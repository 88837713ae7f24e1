import fs from 'node:fs';
import path from 'node:path';
import { renderStackSpecReference } from './stackSpecDoc';

// Run by the package's `docs` script with the target file (docs/stack-spec.md at the repo root).
const target = process.argv[2];
if (!target) {
  process.stderr.write('usage: writeDocs.ts <target.md>\n');
  process.exit(2);
}
fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
fs.writeFileSync(target, renderStackSpecReference());
process.stdout.write(`wrote ${path.resolve(target)}\n`);
