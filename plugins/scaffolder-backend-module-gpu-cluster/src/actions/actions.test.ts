import fs from 'node:fs/promises';
import path from 'node:path';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { resourceEntityV1alpha1Validator } from '@backstage/catalog-model';
import { ConflictError, InputError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { parse } from 'yaml';
import { startGcsEmulator } from '@gpu-platform/emulators';
import { createCatalogRegisterAction } from './catalogRegister';
import { createKubectlApplyAction } from './kubectlApply';
import { createStackRenderAction } from './render';
import { createTerraformApplyAction } from './terraformApply';
import {
  actionContext,
  configFrom,
  VALUES,
} from '../__testUtils__/actionContext';
import { createSpecValidateAction } from './validate';

describe('gpu-cluster actions', () => {
  const mockDir = createMockDirectory();
  let workspacePath: string;

  beforeEach(() => {
    mockDir.clear();
    workspacePath = mockDir.resolve('workspace');
  });

  // Would create a marker file if anything ever ran it.
  const sentinelBinary = async () => {
    const bin = mockDir.resolve('sentinel');
    await fs.writeFile(
      bin,
      `#!/bin/sh\ntouch "${mockDir.resolve('sentinel-ran')}"\n`,
      { mode: 0o755 },
    );
    return bin;
  };
  const sentinelRan = () =>
    fs
      .stat(mockDir.resolve('sentinel-ran'))
      .then(() => true)
      .catch(() => false);

  describe('gpu-cluster:spec:validate', () => {
    it('outputs the normalized spec and the derived names', async () => {
      const ctx = actionContext({ input: { values: VALUES }, workspacePath });
      await createSpecValidateAction().handler(ctx);
      const outputs = Object.fromEntries((ctx.output as jest.Mock).mock.calls);
      expect(outputs).toMatchObject({
        clusterName: 'e2e-gke',
        clusterLocation: 'us-central1',
        projectId: 'e2e-project-1',
        stateBucket: 'aiinfra-terraform-e2e-project-1',
        statePrefix: 'e2e-deployment/terraform/state',
        entityRef: 'resource:default/e2e-gke',
      });
      expect(outputs.spec).toMatchObject({
        apiVersion: 'gpu-platform.dev/v1alpha1',
        identity: { region: 'us-central1', system: 'gpu-platform' },
      });
    });

    it('reports every problem with its field path', async () => {
      const ctx = actionContext({
        input: {
          values: {
            identity: { projectId: 'X', namePrefix: 'e2e' },
            network: { primary: { subnetCidr: '10.0.0.0/33' } },
          },
        },
        workspacePath,
      });
      const error = await createSpecValidateAction()
        .handler(ctx)
        .catch(e => e);
      expect(error).toBeInstanceOf(InputError);
      expect(error.message).toContain('identity.projectId');
      expect(error.message).toContain('identity.owner');
      expect(error.message).toContain('network.primary.subnetCidr');
      expect(ctx.output).not.toHaveBeenCalled();
    });

    it('rejects shell and path tricks in names', async () => {
      for (const identity of [
        { ...VALUES.identity, namePrefix: 'e2e; rm -rf /' },
        { ...VALUES.identity, projectId: '$(curl evil)' },
        { ...VALUES.identity, owner: 'group:default/../../etc' },
      ]) {
        const ctx = actionContext({
          input: { values: { identity } },
          workspacePath,
        });
        await expect(createSpecValidateAction().handler(ctx)).rejects.toThrow(
          InputError,
        );
      }
    });
  });

  describe('gpu-cluster:stack:render', () => {
    it('writes tfvars, manifests and the apply plan, also in a dry run', async () => {
      for (const isDryRun of [false, true]) {
        mockDir.clear();
        const ctx = actionContext({
          input: { values: VALUES, targetPath: 'stack' },
          workspacePath,
          isDryRun,
        });
        await createStackRenderAction().handler(ctx);
        const tfvars = JSON.parse(
          await fs.readFile(
            path.join(workspacePath, 'stack/terraform/terraform.tfvars.json'),
            'utf8',
          ),
        );
        expect(tfvars.project_id).toBe('e2e-project-1');
        const files = (ctx.output as jest.Mock).mock.calls.find(
          ([name]) => name === 'files',
        )![1] as string[];
        expect(files).toContain('stack/manifests/apply-plan.json');
        for (const file of files)
          await expect(
            fs.stat(path.join(workspacePath, file)),
          ).resolves.toBeTruthy();
      }
    });

    it('refuses a targetPath outside the workspace', async () => {
      const ctx = actionContext({
        input: { values: VALUES, targetPath: '../../escape' },
        workspacePath,
      });
      await expect(createStackRenderAction().handler(ctx)).rejects.toThrow(
        /targetPath must stay inside the workspace/,
      );
      await expect(fs.stat(mockDir.resolve('escape'))).rejects.toThrow();
    });
  });

  describe('gpu-cluster:terraform:apply', () => {
    it('rejects invalid values before terraform runs', async () => {
      const action = createTerraformApplyAction({
        config: configFrom({
          terraform: { binaryPath: await sentinelBinary(), backend: 'local' },
        }),
      });
      await fs.mkdir(path.join(workspacePath, 'terraform'), {
        recursive: true,
      });
      await fs.writeFile(path.join(workspacePath, 'terraform/main.tf'), '');
      const ctx = actionContext({
        input: {
          values: { identity: { ...VALUES.identity, namePrefix: '`id`' } },
        },
        workspacePath,
      });
      await expect(action.handler(ctx)).rejects.toThrow(/identity\.namePrefix/);
      expect(await sentinelRan()).toBe(false);
    });

    it('creates the absent GCS state bucket before terraform init (gcs backend)', async () => {
      const gcs = await startGcsEmulator();
      try {
        const action = createTerraformApplyAction({
          config: configFrom({
            terraform: {
              binaryPath: await sentinelBinary(),
              backend: 'gcs',
              env: { STORAGE_EMULATOR_HOST: gcs.url },
            },
          }),
        });
        await fs.mkdir(path.join(workspacePath, 'terraform'), {
          recursive: true,
        });
        await fs.writeFile(path.join(workspacePath, 'terraform/main.tf'), '');
        const ctx = actionContext({
          input: { values: VALUES },
          workspacePath,
          isDryRun: true,
        });
        // The sentinel is no terraform: the run fails after init, the bucket exists already.
        await action.handler(ctx).catch(() => undefined);
        expect(await sentinelRan()).toBe(true);
        expect(
          gcs.store.buckets.get('aiinfra-terraform-e2e-project-1'),
        ).toMatchObject({
          projectId: 'e2e-project-1',
          versioning: true,
          uniformBucketLevelAccess: true,
        });
        expect(gcs.requests.slice(0, 2)).toEqual([
          'GET /storage/v1/b/aiinfra-terraform-e2e-project-1',
          'POST /storage/v1/b',
        ]);
      } finally {
        await gcs.stop();
      }
    });

    it('asks for the skeleton when the workspace has no Terraform module', async () => {
      const action = createTerraformApplyAction({
        config: configFrom({
          terraform: { binaryPath: await sentinelBinary() },
        }),
      });
      const ctx = actionContext({ input: { values: VALUES }, workspacePath });
      await expect(action.handler(ctx)).rejects.toThrow(
        /No Terraform module in terraform: copy the template skeleton/,
      );
      expect(await sentinelRan()).toBe(false);
    });

    it('skips terraform in a dry run when planInDryRun is off, with derived outputs', async () => {
      const action = createTerraformApplyAction({
        config: configFrom({
          terraform: {
            binaryPath: await sentinelBinary(),
            planInDryRun: false,
          },
        }),
      });
      await fs.mkdir(path.join(workspacePath, 'terraform'), {
        recursive: true,
      });
      await fs.writeFile(path.join(workspacePath, 'terraform/main.tf'), '');
      const ctx = actionContext({
        input: { values: VALUES },
        workspacePath,
        isDryRun: true,
      });
      await action.handler(ctx);
      expect(await sentinelRan()).toBe(false);
      expect(Object.fromEntries((ctx.output as jest.Mock).mock.calls)).toEqual({
        clusterName: 'e2e-gke',
        clusterLocation: 'us-central1',
        clusterEndpoint: '',
        projectId: 'e2e-project-1',
        getCredentialsCommand:
          'gcloud container clusters get-credentials e2e-gke --location=us-central1 --project=e2e-project-1',
        hasChanges: true,
      });
    });

    it('does not start terraform once the task is cancelled', async () => {
      const action = createTerraformApplyAction({
        config: configFrom({
          terraform: { binaryPath: await sentinelBinary(), backend: 'local' },
        }),
      });
      await fs.mkdir(path.join(workspacePath, 'terraform'), {
        recursive: true,
      });
      await fs.writeFile(path.join(workspacePath, 'terraform/main.tf'), '');
      const controller = new AbortController();
      controller.abort();
      const ctx = actionContext({
        input: { values: VALUES },
        workspacePath,
        signal: controller.signal,
      });
      await expect(action.handler(ctx)).rejects.toThrow(/cancelled/);
      expect(await sentinelRan()).toBe(false);
    });

    it('rejects an unknown backend in config', () => {
      expect(() => configFrom({ terraform: { backend: 's3' } })).toThrow(
        /gpuCluster.terraform.backend/,
      );
    });
  });

  describe('gpu-cluster:kubectl:apply', () => {
    it('names the missing credentials configuration, without running kubectl', async () => {
      await createStackRenderAction().handler(
        actionContext({ input: { values: VALUES }, workspacePath }),
      );
      const action = createKubectlApplyAction({
        config: configFrom({
          kubectl: { binaryPath: await sentinelBinary() },
          clusters: [
            {
              name: 'e2e-gke',
              kubernetes: { url: 'https://127.0.0.1:1' },
              gke: { projectId: 'other-project', location: 'us-central1-b' },
            },
          ],
        }),
      });
      const ctx = actionContext({ input: { values: VALUES }, workspacePath });
      await expect(action.handler(ctx)).rejects.toThrow(
        /No credentials for cluster e2e-gke \(project e2e-project-1\).*gpuCluster\.clusters/,
      );
      expect(await sentinelRan()).toBe(false);
    });

    it('requires the rendered manifests', async () => {
      const action = createKubectlApplyAction({
        config: configFrom({
          kubectl: {
            binaryPath: await sentinelBinary(),
            kubeconfigPath: '/dev/null',
          },
        }),
      });
      const ctx = actionContext({ input: { values: VALUES }, workspacePath });
      await expect(action.handler(ctx)).rejects.toThrow(
        /Missing rendered manifest .*run gpu-cluster:stack:render first/,
      );
      expect(await sentinelRan()).toBe(false);
    });

    it('has no dry-run support (the scaffolder skips it in dry runs)', () => {
      expect(
        createKubectlApplyAction({ config: configFrom() }).supportsDryRun,
      ).toBeFalsy();
    });
  });

  describe('gpu-cluster:catalog:register', () => {
    const values = {
      ...VALUES,
      ray: {
        dashboard: {
          exposure: 'authenticated-ingress',
          host: 'ray.e2e.example.com',
        },
      },
    };

    it('writes the Resource entity in a dry run without registering it', async () => {
      const catalog = catalogServiceMock.mock();
      const action = createCatalogRegisterAction({
        config: configFrom({
          catalog: { locationDirectory: mockDir.resolve('locations') },
        }),
        catalog,
      });
      const ctx = actionContext({
        input: { values, clusterEndpoint: '203.0.113.7' },
        workspacePath,
        isDryRun: true,
      });
      await action.handler(ctx);
      expect(catalog.addLocation).not.toHaveBeenCalled();
      const entity = parse(
        await fs.readFile(
          path.join(workspacePath, 'catalog-info.yaml'),
          'utf8',
        ),
      );
      await expect(resourceEntityV1alpha1Validator.check(entity)).resolves.toBe(
        true,
      );
      expect(entity).toMatchObject({
        kind: 'Resource',
        metadata: {
          name: 'e2e-gke',
          annotations: {
            'kubernetes.io/api-server': 'https://203.0.113.7',
            'backstage.io/kubernetes-cluster': 'e2e-gke',
            'gpu-platform.dev/project-id': 'e2e-project-1',
            'gpu-platform.dev/location': 'us-central1',
            'gpu-platform.dev/cluster-name': 'e2e-gke',
            'gpu-platform.dev/kueue-cluster-queue': 'dws-cluster-queue',
            'gpu-platform.dev/ray-cluster': 'ray',
          },
          links: [
            {
              title: 'GKE console',
              url: 'https://console.cloud.google.com/kubernetes/clusters/details/us-central1/e2e-gke/details?project=e2e-project-1',
            },
            { url: 'https://ray.e2e.example.com/' },
          ],
        },
        spec: {
          type: 'kubernetes-cluster',
          owner: 'group:default/ml-platform',
          system: 'gpu-platform',
        },
      });
      expect(Object.fromEntries((ctx.output as jest.Mock).mock.calls)).toEqual({
        entityRef: 'resource:default/e2e-gke',
        catalogInfoPath: 'catalog-info.yaml',
        locationTarget: '',
        gkeConsoleUrl: expect.stringContaining('console.cloud.google.com'),
        rayDashboardUrl: 'https://ray.e2e.example.com/',
      });
    });

    it('registers a file location, and refreshes when it exists already', async () => {
      const catalog = catalogServiceMock.mock();
      const locations = mockDir.resolve('locations');
      const action = createCatalogRegisterAction({
        config: configFrom({ catalog: { locationDirectory: locations } }),
        catalog,
      });
      const run = () =>
        action.handler(
          actionContext({ input: { values: VALUES }, workspacePath }),
        );
      await run();
      const target = path.join(locations, 'default-e2e-gke.yaml');
      expect(catalog.addLocation).toHaveBeenCalledWith(
        { type: 'file', target },
        { credentials: expect.anything() },
      );
      expect(parse(await fs.readFile(target, 'utf8')).spec.owner).toBe(
        'group:default/ml-platform',
      );
      catalog.addLocation.mockRejectedValueOnce(new ConflictError('exists'));
      await run();
      expect(catalog.refreshEntity).toHaveBeenCalledWith(
        'resource:default/e2e-gke',
        { credentials: expect.anything() },
      );
    });

    it('rejects an endpoint that is not a host or https URL', async () => {
      const action = createCatalogRegisterAction({
        config: configFrom(),
        catalog: catalogServiceMock.mock(),
      });
      // The scaffolder validates input against the action's schema before the handler runs.
      const schema = action.schema!.input as any;
      expect(schema.properties.clusterEndpoint.pattern).toBeDefined();
      expect(
        new RegExp(schema.properties.clusterEndpoint.pattern).test(
          'evil.com/$(id)',
        ),
      ).toBe(false);
      expect(
        new RegExp(schema.properties.clusterEndpoint.pattern).test(
          'https://203.0.113.7',
        ),
      ).toBe(true);
    });
  });
});
