import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  LOCAL_BACKEND_OVERRIDE_FILE,
  runTerraform,
  terraformInit,
  TerraformError,
  withAutomationFlags,
} from './runTerraform';

jest.setTimeout(60_000);

describe('runTerraform', () => {
  let dir: string;
  const env = { ...process.env, CHECKPOINT_DISABLE: '1' };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-terraform-'));
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
      info: (m: string, meta?: object) =>
        logged.push(m + JSON.stringify(meta ?? {})),
      warn: (m: string, meta?: object) =>
        logged.push(m + JSON.stringify(meta ?? {})),
    };
    const error = await runTerraform({
      dir,
      env: { ...env, MY_API_TOKEN: 's3cr3t-value-123' },
      args: ['validate'],
      logger,
    }).catch(e => e);
    expect(error).toBeInstanceOf(TerraformError);
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain(
      'terraform validate failed with exit code 1',
    );
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
  it('keeps state local for --no-backend through an override file it alone removes', async () => {
    fs.writeFileSync(
      path.join(dir, 'main.tf'),
      'terraform {\n  backend "gcs" {}\n}\noutput "answer" {\n  value = 42\n}\n',
    );
    const override = path.join(dir, LOCAL_BACKEND_OVERRIDE_FILE);
    await terraformInit({ dir, env, useLocalBackend: true });
    expect(fs.readFileSync(override, 'utf8')).toContain('backend "local" {}');
    await runTerraform({ dir, env, args: ['apply', '-auto-approve'] });
    expect(
      JSON.parse(fs.readFileSync(path.join(dir, 'terraform.tfstate'), 'utf8'))
        .outputs.answer.value,
    ).toBe(42);

    // Back to GCS: our override goes (init itself fails here: no credentials offline).
    const gcs = terraformInit({
      dir,
      env: { ...env, GOOGLE_APPLICATION_CREDENTIALS: path.join(dir, 'none') },
      backend: { bucket: 'b', prefix: 'p' },
    });
    await expect(gcs).rejects.toBeInstanceOf(TerraformError);
    expect(fs.existsSync(override)).toBe(false);

    // An override the user wrote is theirs: never removed.
    fs.writeFileSync(override, 'terraform {\n  backend "local" {}\n}\n');
    await terraformInit({
      dir,
      env: { ...env, GOOGLE_APPLICATION_CREDENTIALS: path.join(dir, 'none') },
      backend: { bucket: 'b', prefix: 'p' },
    }).catch(() => undefined);
    expect(fs.existsSync(override)).toBe(true);
  });
});
