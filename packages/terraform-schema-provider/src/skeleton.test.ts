import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  assertGpuStackSpec,
  GpuStackSpecInput,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  renderTfvars,
  shippedModuleDirectory,
} from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import { createTerraformSandbox, TerraformSandbox } from './sandbox';
import { runTerraformCommand } from './terraformCli';

jest.setTimeout(240_000);

/** The Terraform module gpu-cluster-node ships (and alone ever runs). */
const SKELETON_DIR = shippedModuleDirectory();
const SCHEMA = JSON.parse(
  fs.readFileSync(
    path.resolve(__dirname, '../schema/google-provider-schema.json'),
    'utf8',
  ),
).provider_schemas['registry.terraform.io/hashicorp/google'];

const flat = (text: string) => text.replace(/\s+/g, ' ');

/** Seed 001's environment variables, as a stack spec. */
const SEED_001: GpuStackSpecInput = {
  identity: {
    projectId: 'gpu-launchpad-playground',
    namePrefix: 'a3u-dws',
    region: 'us-central1',
    zones: ['us-central1-b'],
    owner: 'group:default/ml-platform',
  },
  cluster: { name: 'ikwak-h200-dws1', version: '1.33.1-gke.1107000' },
  nodePools: [
    {
      name: 'h200-dws',
      machineType: 'a3-ultragpu-8g',
      gpu: { driverVersion: 'LATEST' },
      maxNodes: 4,
      provisioning: { mode: 'queued-provisioning' },
    },
  ],
};

function copySkeleton(target: string) {
  fs.cpSync(SKELETON_DIR, target, {
    recursive: true,
    filter: source => !source.includes(`${path.sep}.terraform`),
  });
  // Offline runs keep state locally; the gcs backend needs -backend-config and credentials.
  fs.writeFileSync(
    path.join(target, 'backend_override.tf'),
    'terraform {\n  backend "local" {}\n}\n',
  );
}

describe('skeleton Terraform against the schema-serving provider', () => {
  let sandbox: TerraformSandbox;
  let workDir: string;
  const tf = (args: string[], cwd = workDir) =>
    runTerraformCommand(args, { cwd, env: sandbox.env, timeoutMs: 180_000 });

  const planJson = async (varFile: string, spec: GpuStackSpecInput) => {
    fs.writeFileSync(
      path.join(workDir, varFile),
      JSON.stringify(renderTfvars(assertGpuStackSpec(spec)), null, 2),
    );
    const planFile = `${varFile}.tfplan`;
    const plan = await tf([
      'plan',
      '-input=false',
      '-no-color',
      `-var-file=${varFile}`,
      `-out=${planFile}`,
    ]);
    if (plan.exitCode !== 0) throw new Error(`plan failed:\n${plan.stderr}`);
    const show = await tf(['show', '-json', planFile]);
    return { planFile, json: JSON.parse(show.stdout) };
  };

  const resource = (plan: any, address: string) => {
    const found = plan.resource_changes.find((c: any) => c.address === address);
    if (!found) throw new Error(`${address} is not in the plan`);
    return found.change.after;
  };

  let seedPlan: any;
  let seedPlanFile: string;

  beforeAll(async () => {
    sandbox = await createTerraformSandbox();
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-skeleton-'));
    copySkeleton(workDir);
    const init = await tf(['init', '-input=false', '-no-color']);
    if (init.exitCode !== 0)
      throw new Error(`terraform init failed:\n${init.stderr}`);
    const planned = await planJson('seed-001.tfvars.json', SEED_001);
    seedPlan = planned.json;
    seedPlanFile = planned.planFile;
  });

  afterAll(async () => {
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    await sandbox?.cleanup();
  });

  it('is formatted (terraform fmt -check -recursive)', async () => {
    const result = await tf([
      'fmt',
      '-check',
      '-recursive',
      '-no-color',
      SKELETON_DIR,
    ]);
    expect(result.stdout).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('validates', async () => {
    const result = await tf(['validate', '-no-color']);
    expect(result.stdout).toContain('Success! The configuration is valid.');
  });

  describe('seed 001 gcloud flags map to planned attributes', () => {
    const cluster = () =>
      resource(seedPlan, 'module.cluster.google_container_cluster.this');
    const system = () =>
      resource(seedPlan, 'module.cluster.google_container_node_pool.system');
    const pool = () =>
      resource(
        seedPlan,
        'module.node_pool["h200-dws"].google_container_node_pool.this',
      );

    const clusterFlags: Array<[string, () => unknown, unknown]> = [
      ['--region=$REGION', () => cluster().location, 'us-central1'],
      [
        '--cluster-version=$GKE_VERSION',
        () => cluster().min_master_version,
        '1.33.1-gke.1107000',
      ],
      [
        '--addons=RayOperator',
        () => cluster().addons_config[0].ray_operator_config[0].enabled,
        true,
      ],
      [
        '--addons=GcsFuseCsiDriver',
        () => cluster().addons_config[0].gcs_fuse_csi_driver_config[0].enabled,
        true,
      ],
      [
        '--machine-type=e2-standard-8',
        () => system().node_config[0].machine_type,
        'e2-standard-8',
      ],
      [
        '--node-locations=$ZONE',
        () => system().node_locations,
        ['us-central1-b'],
      ],
      ['--num-nodes=2', () => system().node_count, 2],
      [
        '--workload-pool $WORKLOAD_IDENTITY',
        () => cluster().workload_identity_config[0].workload_pool,
        'gpu-launchpad-playground.svc.id.goog',
      ],
      [
        '--enable-dataplane-v2',
        () => cluster().datapath_provider,
        'ADVANCED_DATAPATH',
      ],
      [
        '--enable-ip-alias',
        () => cluster().ip_allocation_policy[0].cluster_secondary_range_name,
        'pods',
      ],
      [
        '--enable-multi-networking',
        () => cluster().enable_multi_networking,
        true,
      ],
    ];
    it.each(clusterFlags)('clusters create %s', (_flag, read, expected) => {
      expect(read()).toEqual(expected);
    });

    const rdmaNetworks = Array.from({ length: 8 }, (_, n) => ({
      network: 'a3u-dws-rdma-net',
      subnetwork: `a3u-dws-rdma-sub-${n}`,
    }));
    const poolFlags: Array<[string, () => unknown, unknown]> = [
      ['--region $REGION', () => pool().location, 'us-central1'],
      ['--cluster $CLUSTER_NAME', () => pool().cluster, 'ikwak-h200-dws1'],
      [
        '--node-locations $ZONE',
        () => pool().node_locations,
        ['us-central1-b'],
      ],
      [
        '--accelerator type=$GPU_TYPE',
        () => pool().node_config[0].guest_accelerator[0].type,
        'nvidia-h200-141gb',
      ],
      [
        '--accelerator count=$AMOUNT',
        () => pool().node_config[0].guest_accelerator[0].count,
        8,
      ],
      [
        '--accelerator gpu-driver-version=$DRIVER_VERSION',
        () =>
          pool().node_config[0].guest_accelerator[0]
            .gpu_driver_installation_config[0].gpu_driver_version,
        'LATEST',
      ],
      [
        '--machine-type $MACHINE_TYPE',
        () => pool().node_config[0].machine_type,
        'a3-ultragpu-8g',
      ],
      ['--num-nodes=0', () => pool().initial_node_count, 0],
      ['--flex-start', () => pool().node_config[0].flex_start, true],
      ['--enable-autoscaling', () => pool().autoscaling.length, 1],
      [
        '--total-max-nodes $TOTAL_MAX_NODES',
        () => pool().autoscaling[0].total_max_node_count,
        4,
      ],
      ['--no-enable-autorepair', () => pool().management[0].auto_repair, false],
      [
        '--location-policy=ANY',
        () => pool().autoscaling[0].location_policy,
        'ANY',
      ],
      [
        '--reservation-affinity=none',
        () =>
          pool().node_config[0].reservation_affinity[0]
            .consume_reservation_type,
        'NO_RESERVATION',
      ],
      [
        '--enable-queued-provisioning',
        () => pool().queued_provisioning[0].enabled,
        true,
      ],
      [
        '--additional-node-network (x9: gVNIC, then RDMA sub-0..7)',
        () => pool().network_config[0].additional_node_network_configs,
        [
          { network: 'a3u-dws-gvnic-net', subnetwork: 'a3u-dws-gvnic-sub' },
          ...rdmaNetworks,
        ],
      ],
    ];
    it.each(poolFlags)('node-pools create %s', (_flag, read, expected) => {
      expect(read()).toEqual(expected);
    });

    it('networks create --network-profile=${ZONE}-vpc-roce and 8 RDMA subnets 192.168.N+1.0/24', () => {
      const rdma = resource(
        seedPlan,
        'module.network.google_compute_network.rdma[0]',
      );
      expect(rdma.network_profile).toBe(
        'projects/gpu-launchpad-playground/global/networkProfiles/us-central1-b-vpc-roce',
      );
      for (let n = 0; n < 8; n++) {
        const subnet = resource(
          seedPlan,
          `module.network.google_compute_subnetwork.rdma[${n}]`,
        );
        expect(subnet.ip_cidr_range).toBe(`192.168.${n + 1}.0/24`);
      }
      const firewall = resource(
        seedPlan,
        'module.network.google_compute_firewall.gvnic_internal',
      );
      expect(firewall.source_ranges).toEqual(['192.168.0.0/16']);
    });

    it('stamps the stack labels on every planned resource that takes labels', () => {
      let checked = 0;
      for (const change of seedPlan.resource_changes) {
        const attributes =
          SCHEMA.resource_schemas[change.type].block.attributes;
        const labelAttribute = ['labels', 'resource_labels'].find(
          name => attributes[name]?.optional,
        );
        const labels =
          (labelAttribute && change.change.after[labelAttribute]) ??
          change.change.after.node_config?.[0]?.resource_labels;
        if (!labelAttribute && change.type !== 'google_container_node_pool')
          continue;
        expect({
          address: change.address,
          aiinfra: labels?.['aiinfra-cluster'],
        }).toEqual({
          address: change.address,
          aiinfra: 'a3u-dws',
        });
        checked++;
      }
      expect(checked).toBeGreaterThanOrEqual(8);
    });
  });

  it('plans the other provisioning modes', async () => {
    const { json } = await planJson('variants.tfvars.json', {
      ...SEED_001,
      nodePools: [
        {
          name: 'h200-spot',
          machineType: 'a3-ultragpu-8g',
          provisioning: { mode: 'spot' },
        },
        {
          name: 'h200-flex',
          machineType: 'a3-ultragpu-8g',
          provisioning: { mode: 'flex-start', maxRunDurationSeconds: 86400 },
        },
        {
          name: 'h200-resv',
          machineType: 'a3-ultragpu-8g',
          provisioning: {
            mode: 'reservation',
            reservation: { name: 'h200-block' },
          },
        },
      ],
    });
    const pool = (name: string) =>
      resource(
        json,
        `module.node_pool["${name}"].google_container_node_pool.this`,
      );
    expect(pool('h200-spot').node_config[0].spot).toBe(true);
    expect(pool('h200-spot').queued_provisioning).toEqual([]);
    expect(pool('h200-flex').node_config[0].flex_start).toBe(true);
    expect(pool('h200-flex').node_config[0].max_run_duration).toBe('86400s');
    expect(pool('h200-flex').management[0].auto_repair).toBe(false);
    expect(pool('h200-resv').node_config[0].reservation_affinity[0]).toEqual({
      consume_reservation_type: 'SPECIFIC_RESERVATION',
      key: 'compute.googleapis.com/reservation-name',
      values: ['h200-block'],
    });
  });

  it('applies the seed 001 plan and exposes the outputs later stages read', async () => {
    const apply = await tf([
      'apply',
      '-input=false',
      '-no-color',
      seedPlanFile,
    ]);
    expect(apply.stderr).toBe('');
    expect(apply.exitCode).toBe(0);
    const outputs = JSON.parse((await tf(['output', '-json'])).stdout);
    expect(outputs.cluster_name.value).toBe('ikwak-h200-dws1');
    expect(outputs.cluster_location.value).toBe('us-central1');
    expect(outputs.node_pool_names.value).toEqual(['h200-dws']);
    expect(outputs.workload_service_account_email.value).toBe(
      'gke-training-wli@gpu-launchpad-playground.iam.gserviceaccount.com',
    );
    expect(outputs.networks.value.rdma_subnets).toHaveLength(8);
    expect(outputs.training_bucket_url.value).toMatch(/^gs:\/\//);
    expect(Object.keys(outputs.registry_urls.value)).toContain(
      'a3u-dws-docker',
    );
  });

  it('passes terraform test (tests/*.tftest.hcl)', async () => {
    const result = await tf(['test', '-no-color']);
    expect(result.stdout).toContain('tests/plan.tftest.hcl... pass');
    expect(result.exitCode).toBe(0);
  });

  describe('negative validation of the modules', () => {
    const validateEdited = async (
      file: string,
      edit: (text: string) => string,
    ) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-skeleton-broken-'));
      try {
        copySkeleton(dir);
        const target = path.join(dir, file);
        const before = fs.readFileSync(target, 'utf8');
        const after = edit(before);
        expect(after).not.toBe(before);
        fs.writeFileSync(target, after);
        const init = await tf(
          ['init', '-input=false', '-no-color', '-backend=false'],
          dir,
        );
        expect(init.exitCode).toBe(0);
        return await tf(['validate', '-no-color'], dir);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    };

    it('fails on a misspelled attribute', async () => {
      const result = await validateEdited('modules/node-pool/main.tf', text =>
        text.replace('flex_start       =', 'flex_starts      ='),
      );
      expect(result.exitCode).toBe(1);
      expect(flat(result.stderr)).toContain(
        'An argument named "flex_starts" is not expected here. Did you mean "flex_start"?',
      );
    });

    it('fails on a missing required argument', async () => {
      const result = await validateEdited('modules/node-pool/main.tf', text =>
        text.replace(/\n\s*cluster\s+= var\.cluster\n/, '\n'),
      );
      expect(result.exitCode).toBe(1);
      expect(flat(result.stderr)).toContain(
        'The argument "cluster" is required, but no definition was found.',
      );
    });
  });
});
