import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  LOCAL_BACKEND_OVERRIDE_FILE,
  runTerraform,
  summarizePlan,
  terraformInit,
  TerraformError,
  withAutomationFlags,
} from './runTerraform';
import { toolEnvironment } from '../process/environment';
import { Redactor } from '../process/redact';

jest.setTimeout(60_000);

describe('runTerraform', () => {
  let dir: string;
  let env: Record<string, string>;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-terraform-'));
    fs.mkdirSync(path.join(dir, 'home', 'tmp'), { recursive: true });
    env = toolEnvironment({ home: path.join(dir, 'home') });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('adds the automation flags only where terraform accepts them', () => {
    expect(withAutomationFlags(['plan', '-out=tfplan'])).toEqual([
      'plan',
      '-input=false',
      '-no-color',
      '-out=tfplan',
    ]);
    expect(withAutomationFlags(['validate'])).toEqual([
      'validate',
      '-no-color',
    ]);
    expect(withAutomationFlags(['version', '-json'])).toEqual([
      'version',
      '-json',
    ]);
  });

  it('runs terraform with an argument array and captures its output', async () => {
    const result = await runTerraform({ dir, env, args: ['version', '-json'] });
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout).terraform_version).toMatch(/^1\./);
  });

  it('rejects with the diagnostics and redacts secrets', async () => {
    fs.writeFileSync(
      path.join(dir, 'main.tf'),
      'locals {\n  token = "s3cr3t-value-123" +\n}\n',
    );
    const logged: string[] = [];
    const logger = {
      info: (m: string) => logged.push(m),
      warn: (m: string) => logged.push(m),
    };
    const error = await runTerraform({
      dir,
      env,
      args: ['validate'],
      logger,
      redactor: new Redactor(['s3cr3t-value-123']),
    }).catch(e => e);
    expect(error).toBeInstanceOf(TerraformError);
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain('terraform validate failed (exit code 1)');
    expect(error.message).toContain('***');
    expect(error.message).not.toContain('s3cr3t-value-123');
    expect(logged.join('\n')).not.toContain('s3cr3t-value-123');
  });

  it('does not start when already cancelled, and reports a missing binary clearly', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      runTerraform({ dir, env, args: ['version'], signal: controller.signal }),
    ).rejects.toThrow('was cancelled before it started');
    await expect(
      runTerraform({
        dir,
        env,
        args: ['version'],
        terraformPath: path.join(dir, 'no-such-terraform'),
      }),
    ).rejects.toThrow('could not start');
  });

  it('keeps local state at the given path through an override file', async () => {
    fs.writeFileSync(
      path.join(dir, 'main.tf'),
      'terraform {\n  backend "gcs" {}\n}\noutput "answer" {\n  value = 42\n}\n',
    );
    const statePath = path.join(dir, 'state', 'team', 'stack.tfstate');
    await terraformInit({
      dir,
      env,
      state: { backend: 'local', path: statePath },
    });
    expect(
      fs.readFileSync(path.join(dir, LOCAL_BACKEND_OVERRIDE_FILE), 'utf8'),
    ).toContain('backend "local" {}');
    await runTerraform({ dir, env, args: ['apply', '-auto-approve'] });
    expect(
      JSON.parse(fs.readFileSync(statePath, 'utf8')).outputs.answer.value,
    ).toBe(42);
    expect(fs.existsSync(path.join(dir, 'terraform.tfstate'))).toBe(false);
  });

  it('summarises a plan by address and action, without values', () => {
    expect(
      summarizePlan({
        resource_changes: [
          { address: 'a.b', change: { actions: ['create'], after: { x: 1 } } },
          { address: 'a.c', change: { actions: ['no-op'] } },
          { address: 'a.d', change: { actions: ['delete', 'create'] } },
          { address: 'a.e', change: { actions: ['update'] } },
        ],
      }),
    ).toEqual({
      create: 1,
      update: 1,
      replace: 1,
      delete: 0,
      changes: ['create a.b', 'replace a.d', 'update a.e'],
    });
  });
});
