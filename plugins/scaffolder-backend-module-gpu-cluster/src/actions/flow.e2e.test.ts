import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { resourceEntityV1alpha1Validator } from '@backstage/catalog-model';
import {
  ManualClock,
  startKubeEmulator,
  type KubeEmulator,
  writeKueueReleaseStandIn,
} from '@gpu-platform/emulators';
import {
  createTerraformSandbox,
  type TerraformSandbox,
} from '@gpu-platform/terraform-schema-provider';
import { createCatalogRegisterAction } from './catalogRegister';
import { createKubectlApplyAction } from './kubectlApply';
import { createStackRenderAction } from './render';
import { createTerraformApplyAction } from './terraformApply';
import {
  actionContext,
  configFrom,
  loggedText,
  testCatalog,
  testGuard,
  VALUES,
} from '../__testUtils__/actionContext';
import { createSpecValidateAction } from './validate';

/**
 * The actions in template order with the real terraform (schema-serving google provider, local
 * state) and the real kubectl (Kubernetes API emulator, credentials from gpuCluster.clusters),
 * offline, ending with the cluster's catalog Resource.
 */

jest.setTimeout(240_000);

describe('gpu-cluster actions, end to end offline', () => {
  let emu: KubeEmulator;
  let sandbox: TerraformSandbox;
  let dir: string;
  let workspacePath: string;

  beforeAll(async () => {
    emu = await startKubeEmulator({
      fixtures: 'empty',
      clock: new ManualClock(),
      scenarios: { timings: { deploymentReadyMs: 0 }, tickIntervalMs: 50 },
    });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gpu-cluster-actions-e2e-'));
    workspacePath = path.join(dir, 'workspace');
    sandbox = await createTerraformSandbox({ baseDir: dir });
  });

  afterAll(async () => {
    await emu?.stop();
    await sandbox?.cleanup();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('validate → render → terraform apply → kubectl apply → catalog register', async () => {
    // Only what the sandbox adds to the environment goes into config, as an operator would set it.
    const terraformEnv = Object.fromEntries(
      Object.entries(sandbox.env).filter(
        ([key, value]) =>
          typeof value === 'string' && process.env[key] !== value,
      ),
    ) as Record<string, string>;
    const catalog = testCatalog();
    const locations = path.join(dir, 'locations');
    const runs = path.join(dir, 'runs');
    const config = configFrom({
      terraform: {
        backend: 'local',
        env: terraformEnv,
        localStateDirectory: path.join(dir, 'state'),
        runDirectory: runs,
      },
      kubectl: {
        kueueManifestPath: await writeKueueReleaseStandIn(
          path.join(dir, 'kueue-manifests.yaml'),
        ),
        kueueReadyTimeoutSeconds: 60,
      },
      clusters: [
        {
          name: 'e2e-gke',
          kubernetes: { url: emu.url, caData: emu.caPem, token: emu.token },
          gke: { projectId: 'e2e-project-1', location: 'us-central1' },
        },
      ],
      catalog: { locationDirectory: locations },
    });
    const guard = testGuard(config, { catalog });
    const run = async (
      action: { handler: (ctx: any) => Promise<void> },
      input: Record<string, unknown> = {},
      isDryRun = false,
    ) => {
      const ctx = actionContext({
        input: { values: VALUES, ...input },
        workspacePath,
        isDryRun,
      });
      await action.handler(ctx);
      expect(loggedText(ctx.logger)).not.toContain(emu.token);
      return Object.fromEntries((ctx.output as jest.Mock).mock.calls);
    };

    await run(createSpecValidateAction({ guard }));
    await run(createStackRenderAction({ guard }));
    // A .tf file in the workspace (a template's fetch step, a dry run's directoryContents) is
    // never run: it would fail the plan and print the canary file if it were.
    const canary = path.join(dir, 'canary.txt');
    await fs.writeFile(canary, 'canary-file-content-0815');
    await fs.writeFile(
      path.join(workspacePath, 'terraform', 'leak.tf'),
      `resource "terraform_data" "leak" {
  lifecycle {
    precondition {
      condition     = false
      error_message = base64encode(file(${JSON.stringify(canary)}))
    }
  }
}
`,
    );

    // A dry run runs no terraform and changes nothing.
    const planned = await run(
      createTerraformApplyAction({ config, guard }),
      {},
      true,
    );
    expect(planned).toMatchObject({ hasChanges: true, clusterEndpoint: '' });
    const stateFile = path.join(
      dir,
      'state/e2e-tfstate/gpu-clusters/default/ml-platform/e2e/default.tfstate',
    );
    await expect(fs.stat(stateFile)).rejects.toThrow();

    const terraform = await run(createTerraformApplyAction({ config, guard }));
    expect(terraform).toMatchObject({
      clusterName: 'e2e-gke',
      clusterLocation: 'us-central1',
      projectId: 'e2e-project-1',
      hasChanges: true,
    });
    expect(terraform.getCredentialsCommand).toContain(
      'get-credentials e2e-gke',
    );
    expect(terraform.planSummary).toContain(
      'create module.cluster.google_container_cluster.this',
    );
    expect(terraform.planSummary).not.toContain('leak');
    // Nothing of the run is left behind, and the workspace holds no provider symlinks.
    expect(await fs.readdir(runs)).toEqual([]);
    await expect(
      fs.stat(path.join(workspacePath, 'terraform', '.terraform')),
    ).rejects.toThrow();
    const state = JSON.parse(await fs.readFile(stateFile, 'utf8'));
    expect(
      state.resources.some((r: any) => r.type === 'google_container_cluster'),
    ).toBe(true);

    const kubectl = await run(createKubectlApplyAction({ config, guard }));
    expect(kubectl.appliedSteps).toBeGreaterThan(3);
    expect(kubectl.rayDashboardCommand).toContain('port-forward');
    expect(
      emu.client.get(
        'kueue.x-k8s.io/v1beta2',
        'ClusterQueue',
        'dws-cluster-queue',
      )?.spec.admissionChecksStrategy,
    ).toEqual({
      admissionChecks: [{ name: 'dws-prov', onFlavors: ['h200-dws'] }],
    });
    expect(
      emu.client.get('ray.io/v1', 'RayCluster', 'ray', 'default')?.metadata
        .managedFields?.[0]?.manager,
    ).toBe('gpu-platform');

    const registered = await run(
      createCatalogRegisterAction({ config, catalog, guard }),
      { clusterEndpoint: terraform.clusterEndpoint },
    );
    expect(registered.entityRef).toBe('resource:default/e2e-gke');
    const target = path.join(locations, 'default-e2e-gke.yaml');
    expect(catalog.addLocation).toHaveBeenCalledWith(
      { type: 'file', target },
      expect.anything(),
    );
    const entity = parse(await fs.readFile(target, 'utf8'));
    await expect(resourceEntityV1alpha1Validator.check(entity)).resolves.toBe(
      true,
    );
    expect(entity).toMatchObject({
      kind: 'Resource',
      metadata: {
        name: 'e2e-gke',
        annotations: {
          'gpu-platform.dev/project-id': 'e2e-project-1',
          'gpu-platform.dev/cluster-name': 'e2e-gke',
          'gpu-platform.dev/location': 'us-central1',
          'backstage.io/kubernetes-cluster': 'e2e-gke',
        },
      },
      spec: { type: 'kubernetes-cluster', owner: 'group:default/ml-platform' },
    });
    expect(entity.metadata.annotations['kubernetes.io/api-server']).toBe(
      terraform.clusterEndpoint
        ? `https://${terraform.clusterEndpoint}`
        : undefined,
    );

    // A second run of the provisioning steps converges: no terraform changes.
    const again = await run(createTerraformApplyAction({ config, guard }));
    expect(again.hasChanges).toBe(false);
    await run(createKubectlApplyAction({ config, guard }));
  });
});
