import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ClusterManagerClient } from '@google-cloud/container';
import {
  createEmulatorClusterManagerClient,
  denyGoogleCredentialDiscovery,
  startGkeEmulator,
  type GkeEmulator,
} from '@gpu-platform/emulators';
import { createTerraformSandbox, TerraformSandbox } from './sandbox';
import { runTerraformCommand } from './terraformCli';

denyGoogleCredentialDiscovery();
jest.setTimeout(180_000);

/** Terraform wraps diagnostics at the terminal width; compare with whitespace collapsed. */
const flat = (text: string) => text.replace(/\s+/g, ' ');

const PROJECT = 'backend-project';
const REGION = 'us-central1';
const parent = `projects/${PROJECT}/locations/${REGION}`;

const VERSIONS_TF = `
terraform {
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.50"
    }
  }
}

provider "google" {
  project = "${PROJECT}"
  region  = "${REGION}"
}
`;

/** The stack's shape in small: a private DPv2 multi-network cluster, a system and a DWS pool. */
const MAIN_TF = `
variable "gpu_auto_upgrade" {
  type    = bool
  default = true
}

variable "gpu_max_nodes" {
  type    = number
  default = 4
}

variable "deletion_protection" {
  type    = bool
  default = false
}

resource "google_container_cluster" "this" {
  name     = "backend-gke"
  location = "${REGION}"
  network    = "primary-net"
  subnetwork = "primary-sub"
  node_locations = ["us-central1-b"]

  remove_default_node_pool = true
  initial_node_count       = 1
  deletion_protection      = var.deletion_protection

  release_channel {
    channel = "REGULAR"
  }
  datapath_provider       = "ADVANCED_DATAPATH"
  enable_multi_networking = true

  ip_allocation_policy {
    cluster_secondary_range_name  = "pods"
    services_secondary_range_name = "services"
  }

  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = false
    master_ipv4_cidr_block  = "172.16.0.32/28"
  }

  resource_labels = { team = "ml" }
}

resource "google_container_node_pool" "system" {
  name     = "system"
  cluster  = google_container_cluster.this.id
  location = "${REGION}"
  node_count = 1

  node_config {
    machine_type = "e2-standard-8"
  }
}

resource "google_container_node_pool" "gpu" {
  name     = "h200-dws"
  cluster  = google_container_cluster.this.name
  location = "${REGION}"
  initial_node_count = 0

  autoscaling {
    total_min_node_count = 0
    total_max_node_count = var.gpu_max_nodes
    location_policy      = "ANY"
  }

  management {
    auto_repair  = false
    auto_upgrade = var.gpu_auto_upgrade
  }

  queued_provisioning {
    enabled = true
  }

  network_config {
    additional_node_network_configs {
      network    = "gvnic-net"
      subnetwork = "gvnic-sub"
    }
    additional_node_network_configs {
      network    = "rdma-net"
      subnetwork = "rdma-sub-0"
    }
  }

  node_config {
    machine_type     = "a3-ultragpu-8g"
    flex_start       = true
    max_run_duration = "604800s"
    guest_accelerator {
      type  = "nvidia-h200-141gb"
      count = 8
    }
    reservation_affinity {
      consume_reservation_type = "NO_RESERVATION"
    }
  }
}

output "endpoint" {
  value = google_container_cluster.this.endpoint
}

output "ca" {
  value = google_container_cluster.this.master_auth[0].cluster_ca_certificate
}

output "self_link" {
  value = google_container_cluster.this.self_link
}

output "gpu_instance_groups" {
  value = google_container_node_pool.gpu.instance_group_urls
}
`;

describe('schema-serving provider with the GKE backend', () => {
  let sandbox: TerraformSandbox;
  let gke: GkeEmulator;
  let client: ClusterManagerClient;
  let workDir: string;
  let env: NodeJS.ProcessEnv;
  const tf = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
    runTerraformCommand(args, {
      cwd: workDir,
      env: { ...env, ...extraEnv },
      timeoutMs: 150_000,
    });
  const apply = (...vars: string[]) =>
    tf([
      'apply',
      '-auto-approve',
      '-input=false',
      '-no-color',
      ...vars.map(v => `-var=${v}`),
    ]);
  const poolNames = async () => {
    const [pools] = await client.listNodePools({
      parent: `${parent}/clusters/backend-gke`,
    });
    return (pools.nodePools ?? []).map(p => p.name).sort();
  };

  beforeAll(async () => {
    gke = await startGkeEmulator({ fixtures: 'empty', operationStepMs: 30 });
    client = createEmulatorClusterManagerClient(gke);
    sandbox = await createTerraformSandbox();
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-gke-backend-'));
    const caFile = path.join(workDir, 'gke-ca.pem');
    fs.writeFileSync(caFile, gke.caCertPem!);
    env = {
      ...sandbox.env,
      TF_SCHEMA_PROVIDER_GKE_ENDPOINT: gke.address,
      TF_SCHEMA_PROVIDER_GKE_CA_FILE: caFile,
      TF_SCHEMA_PROVIDER_GKE_TOKEN: gke.token,
      TF_SCHEMA_PROVIDER_GKE_POLL_MS: '25',
    };
    fs.writeFileSync(path.join(workDir, 'versions.tf'), VERSIONS_TF);
    fs.writeFileSync(path.join(workDir, 'main.tf'), MAIN_TF);
    const init = await tf(['init', '-input=false', '-no-color']);
    if (init.exitCode !== 0)
      throw new Error(`terraform init failed:\n${init.stderr}`);
  });

  afterAll(async () => {
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    await sandbox?.cleanup();
    await client?.close();
    await gke?.stop();
  });

  it("refuses a pool GKE refuses, with GKE's message, and keeps it out of GKE and the state", async () => {
    const result = await apply('gpu_auto_upgrade=false');
    expect(result.exitCode).toBe(1);
    expect(flat(result.stderr)).toContain(
      'Error: error creating NodePool: googleapi: Error 400: Auto_upgrade cannot be false when release_channel REGULAR is set., badRequest',
    );
    expect(flat(result.stderr)).toContain(
      'with google_container_node_pool.gpu',
    );
    // The cluster and the valid pool exist; the refused one does not.
    expect(await poolNames()).toEqual(['system']);
    const state = (await tf(['state', 'list'])).stdout;
    expect(state).toContain('google_container_cluster.this');
    expect(state).not.toContain('google_container_node_pool.gpu');
  });

  it('creates what GKE accepts and fills the state with what GKE computed', async () => {
    const result = await apply();
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Apply complete! Resources: 1 added');
    expect(await poolNames()).toEqual(['h200-dws', 'system']);

    const [cluster] = await client.getCluster({
      name: `${parent}/clusters/backend-gke`,
    });
    // The provider removed GKE's default pool, as remove_default_node_pool asks.
    expect(cluster.nodePools?.map(p => p.name)).not.toContain('default-pool');
    expect(cluster).toMatchObject({
      releaseChannel: { channel: 'REGULAR' },
      networkConfig: {
        datapathProvider: 'ADVANCED_DATAPATH',
        enableMultiNetworking: true,
      },
      resourceLabels: { team: 'ml' },
    });
    const outputs = JSON.parse((await tf(['output', '-json'])).stdout);
    expect(outputs.endpoint.value).toBe(cluster.endpoint);
    expect(outputs.ca.value).toBe(cluster.masterAuth?.clusterCaCertificate);
    expect(Buffer.from(outputs.ca.value, 'base64').toString('utf8')).toContain(
      'BEGIN CERTIFICATE',
    );
    expect(outputs.self_link.value).toBe(
      `https://container.googleapis.com/v1/${parent}/clusters/backend-gke`,
    );
    const [gpu] = await client.getNodePool({
      name: `${parent}/clusters/backend-gke/nodePools/h200-dws`,
    });
    expect(outputs.gpu_instance_groups.value).toEqual(gpu.instanceGroupUrls);
    expect(gpu).toMatchObject({
      queuedProvisioning: { enabled: true },
      management: { autoRepair: false, autoUpgrade: true },
      config: {
        machineType: 'a3-ultragpu-8g',
        flexStart: true,
        maxRunDuration: { seconds: '604800' },
        reservationAffinity: { consumeReservationType: 'NO_RESERVATION' },
      },
    });

    const again = await tf([
      'plan',
      '-input=false',
      '-no-color',
      '-detailed-exitcode',
    ]);
    expect(again.stdout).toContain('No changes.');
    expect(again.exitCode).toBe(0);
  });

  it("sends in-place changes as the provider does, and surfaces GKE's refusal of an update", async () => {
    const raised = await apply('gpu_max_nodes=8');
    expect(raised.stderr).toBe('');
    expect(raised.stdout).toContain('1 changed');
    const [gpu] = await client.getNodePool({
      name: `${parent}/clusters/backend-gke/nodePools/h200-dws`,
    });
    expect(gpu.autoscaling?.totalMaxNodeCount).toBe(8);

    const refused = await apply('gpu_max_nodes=8', 'gpu_auto_upgrade=false');
    expect(refused.exitCode).toBe(1);
    expect(flat(refused.stderr)).toContain(
      'Error: Error updating GKE node pool: googleapi: Error 400: Auto_upgrade cannot be false when release_channel REGULAR is set., badRequest',
    );
    const [unchanged] = await client.getNodePool({
      name: `${parent}/clusters/backend-gke/nodePools/h200-dws`,
    });
    expect(unchanged.management?.autoUpgrade).toBe(true);
  });

  it('plans to recreate a pool GKE no longer has', async () => {
    const [op] = await client.deleteNodePool({
      name: `${parent}/clusters/backend-gke/nodePools/system`,
    });
    for (let i = 0; i < 100; i++) {
      const [current] = await client.getOperation({
        name: `${parent}/operations/${op.name}`,
      });
      if (current.status === 'DONE') break;
      await new Promise(resolve => setTimeout(resolve, 20));
    }
    const plan = await tf([
      'plan',
      '-input=false',
      '-no-color',
      '-var=gpu_max_nodes=8',
    ]);
    expect(plan.stdout).toContain(
      '# google_container_node_pool.system will be created',
    );
  });

  it('keeps deletion_protection as the provider does, then destroys in GKE', async () => {
    const protectedDestroy = await tf([
      'destroy',
      '-auto-approve',
      '-input=false',
      '-no-color',
      '-var=gpu_max_nodes=8',
      '-var=deletion_protection=true',
    ]);
    // The state still says deletion_protection = false; apply it first, as users must.
    expect(protectedDestroy.exitCode).toBe(0);
    const [list] = await client.listClusters({ parent });
    expect(list.clusters ?? []).toEqual([]);

    const recreated = await apply('deletion_protection=true');
    expect(recreated.stderr).toBe('');
    const refused = await tf([
      'destroy',
      '-auto-approve',
      '-input=false',
      '-no-color',
      '-var=deletion_protection=true',
    ]);
    expect(refused.exitCode).toBe(1);
    expect(flat(refused.stderr)).toContain(
      'Cannot destroy cluster because deletion_protection is set to true. Set it to false to proceed with cluster deletion.',
    );
    const [still] = await client.listClusters({ parent });
    expect(still.clusters?.map(c => c.name)).toEqual(['backend-gke']);
  });

  it('talks to loopback only: a remote endpoint is a configuration error', async () => {
    const plan = await tf(['plan', '-input=false', '-no-color'], {
      TF_SCHEMA_PROVIDER_GKE_ENDPOINT: 'container.example.com:443',
    });
    expect(plan.exitCode).toBe(1);
    expect(flat(plan.stderr)).toContain(
      'TF_SCHEMA_PROVIDER_GKE_ENDPOINT must be a loopback address',
    );
  });
});
