import { shippedModuleDirectory } from './shippedModule';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  assertGpuStackSpec,
  type GpuStackSpecInput,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  createTerraformSandbox,
  runTerraformCommand,
  type TerraformSandbox,
} from '@gpu-platform/terraform-schema-provider';
import { renderTfvars } from './renderTfvars';

/**
 * The rendered terraform.tfvars.json planned by the real terraform against the schema-serving
 * google provider: what GKE, IAM and Cloud Storage would be asked for.
 */

jest.setTimeout(240_000);

const SKELETON = shippedModuleDirectory();

const BASE: GpuStackSpecInput = {
  identity: {
    projectId: 'plan-project-1',
    namePrefix: 'plan',
    owner: 'group:default/ml-platform',
  },
};

describe('the skeleton module planned from rendered tfvars', () => {
  let sandbox: TerraformSandbox;
  let dir: string;
  const tf = (args: string[]) =>
    runTerraformCommand(args, {
      cwd: dir,
      env: sandbox.env,
      timeoutMs: 180_000,
    });

  const plan = async (name: string, input: GpuStackSpecInput) => {
    const varFile = `${name}.tfvars.json`;
    await fs.writeFile(
      path.join(dir, varFile),
      JSON.stringify(renderTfvars(assertGpuStackSpec(input))),
    );
    const planned = await tf([
      'plan',
      '-input=false',
      '-no-color',
      `-var-file=${varFile}`,
      `-out=${name}.tfplan`,
    ]);
    if (planned.exitCode !== 0)
      throw new Error(`plan failed:\n${planned.stderr}`);
    return JSON.parse((await tf(['show', '-json', `${name}.tfplan`])).stdout);
  };
  const after = (planJson: any, address: string) => {
    const change = planJson.resource_changes.find(
      (c: any) => c.address === address,
    );
    if (!change) throw new Error(`${address} is not planned`);
    return change.change.after;
  };

  let defaults: any;

  beforeAll(async () => {
    sandbox = await createTerraformSandbox();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tf-plan-'));
    await fs.cp(SKELETON, dir, {
      recursive: true,
      filter: source => !source.includes(`${path.sep}.terraform`),
    });
    await fs.writeFile(
      path.join(dir, 'backend_override.tf'),
      'terraform {\n  backend "local" {}\n}\n',
    );
    const init = await tf(['init', '-input=false', '-no-color']);
    if (init.exitCode !== 0) throw new Error(init.stderr);
    defaults = await plan('defaults', BASE);
  });

  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
    await sandbox?.cleanup();
  });

  it('keeps node auto-upgrade on for the DWS pool of a cluster on a release channel', () => {
    const cluster = after(
      defaults,
      'module.cluster.google_container_cluster.this',
    );
    expect(cluster.release_channel).toEqual([{ channel: 'REGULAR' }]);
    const pool = after(
      defaults,
      'module.node_pool["h200-dws"].google_container_node_pool.this',
    );
    expect(pool.queued_provisioning).toEqual([{ enabled: true }]);
    expect(pool.management).toEqual([
      { auto_repair: false, auto_upgrade: true },
    ]);
  });

  it('reaches the control plane through its IAM-authorized DNS endpoint, with no public IP endpoint', () => {
    const cluster = after(
      defaults,
      'module.cluster.google_container_cluster.this',
    );
    expect(
      cluster.control_plane_endpoints_config[0].dns_endpoint_config[0]
        .allow_external_traffic,
    ).toBe(true);
    expect(cluster.private_cluster_config[0].enable_private_endpoint).toBe(
      true,
    );
    expect(
      cluster.master_authorized_networks_config[0].cidr_blocks ?? [],
    ).toEqual([]);
  });

  it('enables the Resource Manager API and creates identities only after the APIs', () => {
    const services = defaults.resource_changes
      .filter((c: any) => c.type === 'google_project_service')
      .map((c: any) => c.change.after.service);
    expect(services).toEqual(
      expect.arrayContaining([
        'cloudresourcemanager.googleapis.com',
        'iam.googleapis.com',
      ]),
    );
    expect(
      defaults.configuration.root_module.module_calls.iam.depends_on,
    ).toEqual(['module.services']);
  });

  it('grants the workload identity a role on each extra mounted bucket', async () => {
    const planned = await plan('mounts', {
      ...BASE,
      storage: {
        gcsMounts: [
          { bucket: 'shared-models', mountPath: '/models' },
          { bucket: 'team-scratch', mountPath: '/scratch', readOnly: false },
        ],
      },
    });
    const binding = (key: string) =>
      after(
        planned,
        `module.iam.google_storage_bucket_iam_member.workload_mounts["${key}"]`,
      );
    expect(binding('shared-models/roles/storage.objectViewer')).toMatchObject({
      bucket: 'shared-models',
      role: 'roles/storage.objectViewer',
    });
    expect(binding('team-scratch/roles/storage.objectUser')).toMatchObject({
      bucket: 'team-scratch',
      role: 'roles/storage.objectUser',
    });
  });
});
