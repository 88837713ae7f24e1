import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runKubectl } from '.';

// A stand-in kubectl that records its argv (one JSON line per call): the exact argument vector is
// the clearest proof that nothing goes through a shell. Behaviour against a cluster is tested with
// the real kubectl in applyPlan.test.ts.
const FAKE = `#!/usr/bin/env node
const fs = require('node:fs');
fs.appendFileSync(process.env.FAKE_LOG, JSON.stringify(process.argv.slice(2)) + '\\n');
process.stdout.write('ok');
`;

describe('kubectl runner (argument vector)', () => {
  let dir: string;
  let kubectlPath: string;
  let log: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubectl-'));
    kubectlPath = path.join(dir, 'kubectl');
    log = path.join(dir, 'calls.log');
    await fs.writeFile(kubectlPath, FAKE, { mode: 0o755 });
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));
  const calls = async () =>
    (await fs.readFile(log, 'utf8'))
      .trim()
      .split('\n')
      .map(l => JSON.parse(l));
  const env = () => ({ ...process.env, FAKE_LOG: log });

  it('passes arguments as an array (no shell) with the kubeconfig', async () => {
    await fs.rm(log, { force: true });
    const hostile = 'x; rm -rf / $(id)';
    await runKubectl(['get', 'ns', hostile], {
      kubectlPath,
      kubeconfig: '/tmp/kc',
      env: env(),
    });
    expect(await calls()).toEqual([
      ['--kubeconfig', '/tmp/kc', 'get', 'ns', hostile],
    ]);
  });

  it('reports a missing binary clearly', async () => {
    const error = await runKubectl(['version'], {
      kubectlPath: path.join(dir, 'nope'),
    }).catch(e => e);
    expect(error.message).toContain('not found');
  });
});
