#!/usr/bin/env node
// Runs src/cli.ts with the TypeScript transform Backstage's CLI uses (no build step needed).
require('@backstage/cli/config/nodeTransform.cjs');
require('../src/cli.ts');
