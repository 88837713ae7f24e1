import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTerraformSandbox, TerraformSandbox } from './sandbox';
import { runTerraformCommand } from './terraformCli';

jest.setTimeout(120_000);

/** Terraform wraps diagnostics at the terminal width; compare with whitespace collapsed. */
const flat = (text: string) => text.replace(/\s+/g, ' ');

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
  project = "demo-project"
  region  = "us-central1"
  default_labels = {
    managed-by = "terraform"
  }
}
`;

const MAIN_TF = `
data "google_client_config" "current" {}

resource "google_compute_network" "rdma" {
  name                    = var.network_name
  auto_create_subnetworks = false
  mtu                     = 8896
  network_profile         = "projects/demo-project/global/networkProfiles/us-central1-b-vpc-roce"
}

resource "google_container_node_pool" "gpu" {
  name     = "h200"
  cluster  = "demo-cluster"
  location = "us-central1"

  autoscaling {
    total_min_node_count = 0
    total_max_node_count = 4
    location_policy      = "ANY"
  }

  queued_provisioning {
    enabled = true
  }

  node_config {
    machine_type = "a3-ultragpu-8g"
    flex_start   = true
    labels       = { pool = "h200" }
    guest_accelerator {
      type  = "nvidia-h200-141gb"
      count = 8
      gpu_driver_installation_config {
        gpu_driver_version = "LATEST"
      }
    }
  }
}

resource "google_storage_bucket" "data" {
  name     = "demo-training-data"
  location = "US-CENTRAL1"
  labels   = { team = "ml" }
}

variable "network_name" {
  type    = string
  default = "demo-rdma"
}

output "network_id" {
  value = google_compute_network.rdma.id
}

output "bucket_url" {
  value = google_storage_bucket.data.url
}

output "client_project" {
  value = data.google_client_config.current.project
}
`;

describe('schema-serving google provider', () => {
  let sandbox: TerraformSandbox;
  let workDir: string;
  const tf = (args: string[], cwd = workDir) =>
    runTerraformCommand(args, { cwd, env: sandbox.env });

  beforeAll(async () => {
    sandbox = await createTerraformSandbox();
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-provider-test-'));
    fs.writeFileSync(path.join(workDir, 'versions.tf'), VERSIONS_TF);
    fs.writeFileSync(path.join(workDir, 'main.tf'), MAIN_TF);
    const init = await tf(['init', '-input=false', '-no-color']);
    if (init.exitCode !== 0)
      throw new Error(`terraform init failed:\n${init.stderr}`);
  });

  afterAll(async () => {
    fs.rmSync(workDir, { recursive: true, force: true });
    await sandbox?.cleanup();
  });

  it('installs google 6.50.0 from the filesystem mirror', () => {
    const lock = fs.readFileSync(
      path.join(workDir, '.terraform.lock.hcl'),
      'utf8',
    );
    expect(lock).toContain('provider "registry.terraform.io/hashicorp/google"');
    expect(lock).toContain('version     = "6.50.0"');
  });

  it('validates a correct configuration', async () => {
    const result = await tf(['validate', '-no-color']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Success! The configuration is valid.');
  });

  it('plans computed attributes as unknown and configured ones as given', async () => {
    const plan = await tf([
      'plan',
      '-input=false',
      '-no-color',
      '-out=create.tfplan',
    ]);
    expect(plan.exitCode).toBe(0);
    expect(plan.stdout).toContain('Plan: 3 to add, 0 to change, 0 to destroy.');
    const show = await tf(['show', '-json', 'create.tfplan']);
    const changes: any[] = JSON.parse(show.stdout).resource_changes;
    const pool = changes.find(
      c => c.address === 'google_container_node_pool.gpu',
    );
    expect(pool.change.actions).toEqual(['create']);
    expect(pool.change.after.queued_provisioning).toEqual([{ enabled: true }]);
    expect(pool.change.after.node_config[0].guest_accelerator[0].count).toBe(8);
    expect(pool.change.after_unknown.id).toBe(true);
    expect(pool.change.after_unknown.node_config[0].service_account).toBe(true);
    // The provider's project is filled in at plan time, as the real provider does.
    expect(pool.change.after.project).toBe('demo-project');
    const bucket = changes.find(
      c => c.address === 'google_storage_bucket.data',
    );
    // default_labels of the provider merge into effective_labels at plan time.
    expect(bucket.change.after.effective_labels).toEqual({
      'managed-by': 'terraform',
      team: 'ml',
    });
  });

  it('applies deterministically, then plans no changes, then plans replacement on a ForceNew change', async () => {
    const apply = await tf([
      'apply',
      '-auto-approve',
      '-input=false',
      '-no-color',
    ]);
    expect(apply.exitCode).toBe(0);
    expect(apply.stdout).toContain(
      'Apply complete! Resources: 3 added, 0 changed, 0 destroyed.',
    );

    const outputs = JSON.parse((await tf(['output', '-json'])).stdout);
    expect(outputs.network_id.value).toBe(
      'projects/demo-project/global/networks/demo-rdma',
    );
    expect(outputs.bucket_url.value).toBe('gs://demo-training-data');
    expect(outputs.client_project.value).toBe('demo-project');

    const again = await tf([
      'plan',
      '-input=false',
      '-no-color',
      '-detailed-exitcode',
    ]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('No changes.');

    const renamed = await tf([
      'plan',
      '-input=false',
      '-no-color',
      '-var=network_name=demo-rdma-2',
    ]);
    expect(renamed.stdout).toContain(
      '# google_compute_network.rdma must be replaced',
    );
    expect(renamed.stdout).toMatch(
      /name\s+= "demo-rdma" -> "demo-rdma-2" # forces replacement/,
    );

    const destroy = await tf([
      'destroy',
      '-auto-approve',
      '-input=false',
      '-no-color',
    ]);
    expect(destroy.exitCode).toBe(0);
    expect(destroy.stdout).toContain(
      'Destroy complete! Resources: 3 destroyed.',
    );
  });

  describe('negative validation (terraform reports from the served schema)', () => {
    const validateBroken = async (mainTf: string) => {
      const dir = fs.mkdtempSync(path.join(workDir, 'broken-'));
      fs.writeFileSync(path.join(dir, 'versions.tf'), VERSIONS_TF);
      fs.writeFileSync(path.join(dir, 'main.tf'), mainTf);
      // Reuse the initialised provider: copy the lock file and link the plugin directory.
      fs.copyFileSync(
        path.join(workDir, '.terraform.lock.hcl'),
        path.join(dir, '.terraform.lock.hcl'),
      );
      const init = await tf(
        ['init', '-input=false', '-no-color', '-backend=false'],
        dir,
      );
      expect(init.exitCode).toBe(0);
      return tf(['validate', '-no-color'], dir);
    };

    it('rejects a misspelled attribute with a suggestion', async () => {
      const result = await validateBroken(`
resource "google_compute_network" "net" {
  name                   = "n"
  auto_create_subnetwork = false
}
`);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('Error: Unsupported argument');
      expect(flat(result.stderr)).toContain(
        'An argument named "auto_create_subnetwork" is not expected here. Did you mean "auto_create_subnetworks"?',
      );
    });

    it('rejects a missing required argument, also inside nested blocks', async () => {
      const result = await validateBroken(`
resource "google_container_node_pool" "pool" {
  name = "p"
  node_config {
    guest_accelerator {
      type = "nvidia-h200-141gb"
    }
  }
}
`);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('Error: Missing required argument');
      expect(flat(result.stderr)).toContain(
        'The argument "cluster" is required, but no definition was found.',
      );
      expect(flat(result.stderr)).toContain(
        'The argument "count" is required, but no definition was found.',
      );
    });

    it('enforces max_items of nested blocks', async () => {
      const result = await validateBroken(`
resource "google_container_node_pool" "pool" {
  cluster = "c"
  autoscaling {
    total_max_node_count = 1
  }
  autoscaling {
    total_max_node_count = 2
  }
}
`);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('Too many autoscaling blocks');
    });
  });
});
