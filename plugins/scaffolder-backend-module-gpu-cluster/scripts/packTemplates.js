#!/usr/bin/env node
/* eslint-disable no-restricted-imports */
// The software templates live at the repository root (templates/<name>/), where everyone edits
// them; the published package carries a copy in templates/ so an installed package registers them
// itself (catalogModuleGpuClusterTemplates). `prepack` copies every template directory in,
// `postpack` (`--remove`) takes the copy out again.
const fs = require('node:fs');
const path = require('node:path');

const packageDir = path.resolve(__dirname, '..');
const packaged = path.join(packageDir, 'templates');
const source = path.resolve(packageDir, '../../templates');

fs.rmSync(packaged, { recursive: true, force: true });
if (process.argv[2] !== '--remove') {
  for (const name of fs.readdirSync(source)) {
    const template = path.join(source, name, 'template.yaml');
    if (!fs.existsSync(template)) continue;
    fs.cpSync(path.join(source, name), path.join(packaged, name), {
      recursive: true,
    });
  }
}
