import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  startCloudApisEmulator,
  startMetadataEmulator,
  type CloudApisEmulator,
  type MetadataEmulator,
} from '@gpu-platform/emulators';
import { runCli } from './cli';

const BIN = path.resolve(__dirname, '../../bin/gpu-cluster');
const TOKEN = 'preflight-cli-token';

describe('gpu-cluster preflight', () => {
  let cloud: CloudApisEmulator;
  let metadata: MetadataEmulator;
  let dir: string;

  beforeAll(async () => {
    cloud = await startCloudApisEmulator({ token: TOKEN });
    metadata = await startMetadataEmulator({ accessToken: TOKEN, port: 0 });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gpu-cluster-preflight-'));
  });
  afterAll(async () => {
    await Promise.all([cloud.stop(), metadata.stop()]);
    await fs.rm(dir, { recursive: true, force: true });
  });

  const values = async (projectId: string) => {
    const file = path.join(dir, `${projectId}.yaml`);
    await fs.writeFile(
      file,
      `identity:\n  projectId: ${projectId}\n  namePrefix: demo\n  owner: group:default/ml\n`,
    );
    return file;
  };
  const run = async (args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, {
      stdout: t => (stdout += t),
      stderr: t => (stderr += t),
      env: {},
      googleAccessToken: async () => TOKEN,
    });
    return { code, stdout, stderr };
  };

  it('prints a table and exits 0 when nothing fails', async () => {
    const result = await run([
      'preflight',
      '--values',
      await values('gpu-launchpad-demo'),
      '--google-apis-endpoint',
      cloud.url,
      '--no-backend',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^ok {4} {2}quota:PREEMPTIBLE_NVIDIA_H200_GPUS +quota PREEMPTIBLE_NVIDIA_H200_GPUS in us-central1 is 1024/m,
    );
    expect(result.stdout).toContain('Preflight passed');
  });

  it('exits 1 on short quota, naming the quota, region, field and link; --json gives the report', async () => {
    const file = await values('demo-short-quota');
    const table = await run([
      'preflight',
      '--values',
      file,
      '--google-apis-endpoint',
      cloud.url,
      '--no-backend',
    ]);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(
      /^FAIL +quota:PREEMPTIBLE_NVIDIA_H200_GPUS +Not enough GPU quota: .*\[field nodePools\[0\]\.maxNodes\]$/m,
    );
    expect(table.stderr).toContain(
      'https://console.cloud.google.com/iam-admin/quotas?project=demo-short-quota',
    );
    const json = await run([
      'preflight',
      '--values',
      file,
      '--google-apis-endpoint',
      cloud.url,
      '--no-backend',
      '--json',
    ]);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ ok: false, region: 'us-central1' });
    expect(report.checks).toContainEqual(
      expect.objectContaining({
        id: 'quota:PREEMPTIBLE_NVIDIA_H200_GPUS',
        status: 'fail',
        field: 'nodePools[0].maxNodes',
      }),
    );
  });

  it('runs as a real process with Application Default Credentials from the metadata server', async () => {
    const emptyGcloud = path.join(dir, 'gcloud');
    await fs.mkdir(emptyGcloud, { recursive: true });
    const { code, stdout } = await new Promise<{
      code: number | null;
      stdout: string;
    }>(resolve => {
      execFile(
        process.execPath,
        [
          BIN,
          'preflight',
          '--values',
          path.join(dir, 'demo-short-quota.yaml'),
          '--google-apis-endpoint',
          cloud.url,
          '--no-backend',
        ],
        {
          timeout: 60_000,
          env: {
            PATH: process.env.PATH,
            HOME: dir,
            GCE_METADATA_HOST: metadata.address,
            METADATA_SERVER_DETECTION: 'assume-present',
            CLOUDSDK_CONFIG: emptyGcloud,
          },
        },
        (error, out) =>
          resolve({ code: error ? (error as any).code : 0, stdout: out }),
      );
    });
    expect(stdout).toContain('FAIL    quota:PREEMPTIBLE_NVIDIA_H200_GPUS');
    expect(code).toBe(1);
  });
});
