import fs from 'node:fs/promises';
import path from 'node:path';
import { renderModuleDigestSource } from './moduleDigestSource';

// Run by the package's `terraform-digest` script (from the package directory) after an intended
// change of terraform/.
const target = path.resolve('src/terraform/moduleDigest.generated.ts');
renderModuleDigestSource().then(
  async source => {
    await fs.writeFile(target, source);
    process.stdout.write(`wrote ${target}\n`);
  },
  error => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  },
);
