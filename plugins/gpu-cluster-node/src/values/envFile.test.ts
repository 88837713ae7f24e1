import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../cli/cli';

/** Seed 004 users bringing their existing env.list files to `gpu-cluster`. */

const MANDATORY = [
  'PROJECT_ID=seed-project-1',
  'NAME_PREFIX=seed',
  'ZONE=us-central1-b',
];

describe('seed 004 env files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gpu-cluster-env-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  const run = async (lines: string[], ...args: string[]) => {
    const envFile = path.join(dir, 'env.list');
    await fs.writeFile(envFile, `${lines.join('\n')}\n`);
    let stdout = '';
    let stderr = '';
    const code = await runCli(
      [args[0] ?? 'validate', '--env-file', envFile, ...args.slice(1)],
      { stdout: t => (stdout += t), stderr: t => (stderr += t), env: {} },
    );
    return { code, stdout, stderr };
  };
  const validate = (lines: string[], ...extra: string[]) =>
    run(lines, 'validate', '--json', ...extra);

  it('with only the mandatory keys, says that OWNER is missing and what to put there', async () => {
    const result = await validate(MANDATORY);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'error: invalid stack spec:\n  OWNER is not set: add OWNER=group:default/<your team> (the Backstage group that owns the cluster) to the env file, or pass --owner group:default/<your team>\n',
    );
    const withOwner = await validate(
      MANDATORY,
      '--owner',
      'group:default/ml-research',
    );
    expect(withOwner.code).toBe(0);
    expect(JSON.parse(withOwner.stdout).identity.owner).toBe(
      'group:default/ml-research',
    );
  });

  it.each([
    ['Ray', true],
    ['RAY', true],
    ['ray', true],
    ['GKE', false],
  ])('accepts ORCHESTRATOR_TYPE=%s', async (value, ray) => {
    const result = await validate([
      ...MANDATORY,
      'OWNER=group:default/ml',
      `ORCHESTRATOR_TYPE=${value}`,
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).ray.enabled).toBe(ray);
  });

  it("takes a user's cost-center label as the cost centre", async () => {
    const out = path.join(dir, 'out');
    const result = await run(
      [
        ...MANDATORY,
        'OWNER=group:default/ml',
        'LABELS={ team = "ml-research", cost-center = "cc-4711" }',
      ],
      'render',
      '--out',
      out,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const tfvars = JSON.parse(
      await fs.readFile(
        path.join(out, 'terraform/terraform.tfvars.json'),
        'utf8',
      ),
    );
    expect(tfvars.labels).toMatchObject({
      team: 'ml-research',
      'cost-center': 'cc-4711',
    });
  });

  it('lets GCS_MOUNT_LIST=bucket:/data win over the default training mount', async () => {
    const out = path.join(dir, 'out');
    const result = await run(
      [...MANDATORY, 'OWNER=group:default/ml', 'GCS_MOUNT_LIST=bucket:/data'],
      'render',
      '--out',
      out,
    );
    expect(result.code).toBe(0);
    const ray = parseAllDocuments(
      await fs.readFile(
        path.join(out, 'manifests/60-ray-cluster.yaml'),
        'utf8',
      ),
    )
      .map(d => d.toJSON())
      .find(o => o.kind === 'RayCluster');
    expect(
      ray.spec.headGroupSpec.template.spec.containers[0].volumeMounts,
    ).toEqual([
      { name: 'training-data', mountPath: '/training-data' },
      { name: 'gcs-mount-0', mountPath: '/data', readOnly: false },
    ]);
  });

  it('explains GKE_MIN_NODE_COUNT under queued provisioning and a HIGH_SCALE_SSD share without a size', async () => {
    const result = await validate([
      ...MANDATORY,
      'OWNER=group:default/ml',
      'GKE_MIN_NODE_COUNT=1',
      'NFS_FILESHARE_LIST=/nfs:HIGH_SCALE_SSD',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      '  GKE_MIN_NODE_COUNT=1: the default PROVISIONING_MODE, queued-provisioning (DWS), starts every pool empty and adds nodes per job; remove GKE_MIN_NODE_COUNT, or set PROVISIONING_MODE=flex-start, spot, on-demand or reservation to keep warm nodes\n',
    );
    expect(result.stderr).toContain(
      '  NFS_FILESHARE_LIST entry 1 (/nfs:HIGH_SCALE_SSD): HIGH_SCALE_SSD shares start at 10240 GB and no size was given (the default is 2560 GB); write /nfs:HIGH_SCALE_SSD:10240\n',
    );
    const fixed = await validate([
      ...MANDATORY,
      'OWNER=group:default/ml',
      'GKE_MIN_NODE_COUNT=1',
      'PROVISIONING_MODE=Flex-Start',
      'NFS_FILESHARE_LIST=/nfs:high_scale_ssd:10240',
    ]);
    expect(fixed.stderr).toBe('');
    expect(fixed.code).toBe(0);
  });

  it('refuses keys that look like ours, with a suggestion, and only warns about foreign ones', async () => {
    const result = await validate([
      ...MANDATORY,
      'OWNER=group:default/ml',
      'GKE_MAX_NODES=8',
      'ORCHESTRATOR=ray',
      'GKE_NODEPOOLS=2',
      'HOME=/root',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'GKE_MAX_NODES is not a setting of this tool; did you mean GKE_MAX_NODE_COUNT?',
    );
    expect(result.stderr).toContain(
      'ORCHESTRATOR is not a setting of this tool; did you mean ORCHESTRATOR_TYPE?',
    );
    expect(result.stderr).toContain('GKE_NODEPOOLS is not a setting');
    expect(result.stderr).not.toContain('HOME');
    const foreign = await validate([
      ...MANDATORY,
      'OWNER=group:default/ml',
      'HOME=/root',
    ]);
    expect(foreign.code).toBe(0);
    expect(foreign.stderr).toBe(
      'warning: HOME is not a known setting and is ignored\n',
    );
  });

  it('names the env key of an unsafe or reserved value', async () => {
    const result = await validate([
      'PROJECT_ID=my-google-project',
      'NAME_PREFIX=seed',
      'ZONE=us-central1-b',
      'OWNER=group:default/ml',
      'GCS_MOUNT_LIST=models:/etc/models',
      'TF_VAR_client_ip=0.0.0.0/0',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      '  PROJECT_ID=my-google-project: project ids cannot contain "google"',
    );
    expect(result.stderr).toContain(
      '  GCS_MOUNT_LIST=models:/etc/models: /etc/models is inside /etc',
    );
    expect(result.stderr).toContain(
      '  TF_VAR_client_ip=0.0.0.0/0: 0.0.0.0/0 opens the control plane to the whole internet',
    );
  });
});
