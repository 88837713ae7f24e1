#!/usr/bin/env node
'use strict';

// Prints plugin start-up time and RSS, and terraform validate/plan times against the
// schema-serving provider. Figures only; nothing is asserted.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createTerraformSandbox } = require('../src/provider/sandbox');
const {
  MAGIC_COOKIE_KEY,
  MAGIC_COOKIE_VALUE,
} = require('../src/provider/server');

function startPlugin(env) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(
      process.execPath,
      [path.join(__dirname, '../src/provider/main.js')],
      {
        env: {
          ...env,
          [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE,
          PLUGIN_PROTOCOL_VERSIONS: '6',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error('no handshake in 10 s'));
    }, 10_000);
    child.stdout.once('data', line => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
      child.kill('SIGTERM');
      resolve({
        ms,
        rssMb: rssKb / 1024,
        handshake: String(line).trim().split('|').slice(0, 5).join('|'),
      });
    });
  });
}

function timed(label, args, cwd, env) {
  const started = process.hrtime.bigint();
  execFileSync('terraform', args, { cwd, env, stdio: 'pipe' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`${label.padEnd(28)} ${ms.toFixed(0)} ms`);
}

(async () => {
  const sandbox = await createTerraformSandbox();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-bench-'));
  try {
    for (let i = 0; i < 3; i++) {
      const r = await startPlugin(sandbox.env);
      console.log(
        `plugin start #${i + 1} (no mTLS)       ${r.ms.toFixed(
          0,
        )} ms, RSS ${r.rssMb.toFixed(1)} MB  [${r.handshake}|...]`,
      );
    }
    // The Terraform module gpu-cluster-node ships.
    const skeleton = path.join(
      path.dirname(
        require.resolve(
          '@gpu-platform/backstage-plugin-gpu-cluster-node/package.json',
        ),
      ),
      'terraform',
    );
    fs.cpSync(skeleton, work, {
      recursive: true,
      filter: s => !s.includes(`${path.sep}.terraform`),
    });
    fs.writeFileSync(
      path.join(work, 'backend_override.tf'),
      'terraform {\n  backend "local" {}\n}\n',
    );
    fs.writeFileSync(
      path.join(work, 'terraform.tfvars.json'),
      JSON.stringify({ project_id: 'bench-project', name_prefix: 'bench' }),
    );
    timed(
      'terraform init',
      ['init', '-input=false', '-no-color'],
      work,
      sandbox.env,
    );
    timed(
      'terraform validate (cold)',
      ['validate', '-no-color'],
      work,
      sandbox.env,
    );
    timed(
      'terraform validate (warm)',
      ['validate', '-no-color'],
      work,
      sandbox.env,
    );
    timed(
      'terraform plan (skeleton)',
      ['plan', '-input=false', '-no-color', '-out=bench.tfplan'],
      work,
      sandbox.env,
    );
    timed(
      'terraform apply (skeleton)',
      ['apply', '-input=false', '-no-color', 'bench.tfplan'],
      work,
      sandbox.env,
    );
    timed(
      'terraform plan (no changes)',
      ['plan', '-input=false', '-no-color'],
      work,
      sandbox.env,
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    await sandbox.cleanup();
  }
})().catch(error => {
  console.error(error);
  process.exit(1);
});
