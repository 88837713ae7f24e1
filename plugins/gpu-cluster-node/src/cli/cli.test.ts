import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { runCli } from './cli';

const BIN = path.resolve(__dirname, '../../bin/gpu-cluster');

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: t => (stdout += t),
    stderr: t => (stderr += t),
    env: {},
  });
  return { code, stdout, stderr };
}

describe('gpu-cluster CLI', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gpu-cluster-cli-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  const writeValues = async (name: string, text: string) => {
    const file = path.join(dir, name);
    await fs.writeFile(file, text);
    return file;
  };

  it('renders tfvars and manifests from YAML values', async () => {
    const values = await writeValues(
      'values.yaml',
      'identity:\n  projectId: my-project-1\n  namePrefix: demo\n  owner: group:default/ml\n',
    );
    const out = path.join(dir, 'out');
    const result = await run(['render', '--values', values, '--out', out]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const tfvars = JSON.parse(
      await fs.readFile(
        path.join(out, 'terraform/terraform.tfvars.json'),
        'utf8',
      ),
    );
    expect(tfvars.project_id).toBe('my-project-1');
    const queues = parseAllDocuments(
      await fs.readFile(
        path.join(out, 'manifests/50-kueue-queues.yaml'),
        'utf8',
      ),
    ).map(d => d.toJSON());
    expect(queues.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ResourceFlavor/system',
      'ResourceFlavor/h200-dws',
      'AdmissionCheck/dws-prov',
      'ProvisioningRequestConfig/dws-config',
      'ClusterQueue/dws-cluster-queue',
      'LocalQueue/dws-local-queue',
    ]);
    const plan = JSON.parse(
      await fs.readFile(path.join(out, 'manifests/apply-plan.json'), 'utf8'),
    );
    expect(plan[0].type).toBe('kueue-install');
  });

  it('maps seed 004 env-file keys and JSON values (env wins)', async () => {
    const values = await writeValues(
      'values.json',
      JSON.stringify({
        identity: { owner: 'group:default/ml', projectId: 'overridden-1' },
        ray: { enabled: false },
      }),
    );
    const envFile = await writeValues(
      'env.list',
      [
        'PROJECT_ID=seed-project-1',
        'NAME_PREFIX=seed',
        'ZONE=us-east5-a',
        'VM_TYPE=a2-highgpu-2g',
        'ACCELERATOR_TYPE=nvidia-tesla-a100',
        'GPU_COUNT=2',
        'INSTANCE_COUNT=3',
        'DISK_SIZE_GB=2000',
        'DISK_TYPE=pd-ssd',
        'PROVISIONING_MODE=on-demand',
        'TERRAFORM_GCS_PATH=gs://test-bucket/test-dir',
        'GCS_MOUNT_LIST=test-gcs-bucket-name:/usr/trainfiles',
        'NFS_FILESHARE_LIST=/usr/nfsshare1:BASIC_SSD',
        'LABELS={ team = "vision", env = "dev" }',
        'IMAGE_FAMILY_NAME=pytorch-1-12-gpu-debian-10',
      ].join('\n'),
    );
    const result = await run([
      'validate',
      '--values',
      values,
      '--env-file',
      envFile,
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('IMAGE_FAMILY_NAME is ignored');
    const spec = JSON.parse(result.stdout);
    expect(spec.identity).toMatchObject({
      projectId: 'seed-project-1',
      region: 'us-east5',
      zones: ['us-east5-a'],
      labels: { team: 'vision', env: 'dev' },
    });
    expect(spec.nodePools[0]).toMatchObject({
      machineType: 'a2-highgpu-2g',
      maxNodes: 3,
      gpu: { count: 2, type: 'nvidia-tesla-a100' },
      disk: { sizeGb: 2000, type: 'pd-ssd' },
    });
    expect(spec.terraformState).toEqual({
      bucket: 'test-bucket',
      prefix: 'test-dir/terraform/state',
    });
    expect(spec.storage.gcsMounts).toEqual([
      {
        bucket: 'test-gcs-bucket-name',
        mountPath: '/usr/trainfiles',
        readOnly: false,
      },
    ]);
    expect(spec.storage.filestore).toEqual([
      { mountPath: '/usr/nfsshare1', tier: 'BASIC_SSD', capacityGb: 2560 },
    ]);
  });

  it('exits 1 and names the field for an invalid combination', async () => {
    const values = await writeValues(
      'bad.yaml',
      'identity: {projectId: my-project-1, namePrefix: demo, owner: "group:default/ml"}\nnodePools:\n  - provisioning: {mode: queued-provisioning, reservation: {name: r1}}\n',
    );
    const result = await run([
      'render',
      '--values',
      values,
      '--out',
      path.join(dir, 'out'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'nodePools[0].provisioning.reservation: a reservation cannot be consumed in queued-provisioning mode',
    );
    await expect(fs.access(path.join(dir, 'out'))).rejects.toThrow();
  });

  it('rejects hostile values without writing anything', async () => {
    const values = await writeValues(
      'evil.yaml',
      'identity: {projectId: "p-1234$(id)", namePrefix: "../../x", owner: "group:default/ml"}\n',
    );
    const result = await run([
      'render',
      '--values',
      values,
      '--out',
      path.join(dir, 'out'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/identity\.projectId/);
    expect(result.stderr).toMatch(/identity\.namePrefix/);
  });

  it('fails clearly on unreadable or malformed input', async () => {
    expect(
      (await run(['validate', '--values', path.join(dir, 'missing.yaml')]))
        .stderr,
    ).toContain('cannot read values file');
    const broken = await writeValues('broken.yaml', 'identity: [unclosed\n');
    const result = await run(['validate', '--values', broken]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not valid YAML or JSON');
    expect((await run(['validate'])).code).toBe(2);
  });

  it('hands terraform only the allow-listed part of the environment', async () => {
    const values = await writeValues(
      'values.yaml',
      'identity: {projectId: my-project-1, namePrefix: demo, owner: "group:default/ml"}\n',
    );
    const dump = path.join(dir, 'env.json');
    const fakeTerraform = path.join(dir, 'terraform');
    await fs.writeFile(
      fakeTerraform,
      `#!${process.execPath}\nrequire('node:fs').writeFileSync(${JSON.stringify(
        dump,
      )}, JSON.stringify(process.env));\nprocess.exit(1);\n`,
      { mode: 0o755 },
    );
    let stderr = '';
    const code = await runCli(
      [
        'plan',
        '--values',
        values,
        '--out',
        path.join(dir, 'out'),
        '--no-backend',
        '--terraform-path',
        fakeTerraform,
      ],
      {
        stdout: () => {},
        stderr: t => (stderr += t),
        env: {
          PATH: process.env.PATH,
          HOME: dir,
          TF_CLI_CONFIG_FILE: '/etc/terraform.rc',
          DATABASE_PASSWORD: 'canary-db-password-1',
          GITHUB_TOKEN: 'canary-github-token-1',
        },
      },
    );
    expect(code).toBe(1);
    expect(stderr).toContain('terraform init failed');
    const env = JSON.parse(await fs.readFile(dump, 'utf8'));
    expect(env).toMatchObject({
      HOME: dir,
      TF_CLI_CONFIG_FILE: '/etc/terraform.rc',
      TF_IN_AUTOMATION: '1',
    });
    expect(env.DATABASE_PASSWORD).toBeUndefined();
    expect(JSON.stringify(env)).not.toContain('canary-');
  });

  it('runs as a real process with a non-zero exit code on bad input', async () => {
    const values = await writeValues(
      'bad.yaml',
      'identity: {projectId: my-project-1, namePrefix: demo, owner: "group:default/ml", zones: [europe-west4-a]}\n',
    );
    const { code, stderr } = await new Promise<{
      code: number | null;
      stderr: string;
    }>(resolve => {
      execFile(
        process.execPath,
        [BIN, 'validate', '--values', values],
        { timeout: 60_000 },
        (error, _stdout, err) =>
          resolve({ code: error ? (error as any).code : 0, stderr: err }),
      );
    });
    expect(code).toBe(1);
    expect(stderr).toContain(
      'identity.zones[0]: zone europe-west4-a is not in region us-central1',
    );
    expect(parseYaml('a: 1')).toEqual({ a: 1 });
  });
});
