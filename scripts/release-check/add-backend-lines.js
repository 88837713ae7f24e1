#!/usr/bin/env node
/*
 * Adds to a scaffolded backend's src/index.ts the lines the plugin READMEs give, read from each
 * README's code blocks marked `<!-- release-check: backend -->` (just before the fence), so
 * the release check runs what an adopter reads rather than a copy that could drift.
 * Imports go to the top of the file, every other statement before `backend.start();`.
 * Usage: node add-backend-lines.js <index.ts> <README.md>...
 */
const fs = require('node:fs');

const [indexFile, ...readmes] = process.argv.slice(2);
const marker = '<!-- release-check: backend -->';

const imports = [];
const statements = [];
for (const readme of readmes) {
  const lines = fs.readFileSync(readme, 'utf8').split('\n');
  let blocks = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== marker) continue;
    // The next non-blank line opens the block (prettier puts a blank line after the comment).
    let fence = i + 1;
    while (fence < lines.length && lines[fence].trim() === '') fence++;
    if (!/^```ts\s*$/.test(lines[fence] ?? '')) {
      throw new Error(
        `${readme}:${i + 1}: ${marker} must precede a \`\`\`ts block`,
      );
    }
    const end = lines.indexOf('```', fence + 1);
    if (end < 0)
      throw new Error(`${readme}:${fence + 1}: unterminated code block`);
    const code = lines
      .slice(fence + 1, end)
      .filter(line => !/^\s*\/\//.test(line))
      .join('\n');
    // Whole statements (a README may wrap one over several lines).
    for (const statement of code.split(/;\s*\n/)) {
      const text = statement.trim().replace(/;$/, '');
      if (!text) continue;
      (text.startsWith('import ') ? imports : statements).push(`${text};`);
    }
    blocks++;
    i = end;
  }
  if (blocks === 0) throw new Error(`${readme}: no ${marker} block`);
}

let source = fs.readFileSync(indexFile, 'utf8');
if (!source.includes('backend.start();')) {
  throw new Error(
    `${indexFile}: no backend.start(); to add the plugins before`,
  );
}
source = `${imports.join('\n')}\n${source}`.replace(
  'backend.start();',
  `${statements.join('\n')}\n\nbackend.start();`,
);
fs.writeFileSync(indexFile, source);
process.stdout.write(
  `${indexFile}: added\n${[...imports, ...statements].join('\n')}\n`,
);
