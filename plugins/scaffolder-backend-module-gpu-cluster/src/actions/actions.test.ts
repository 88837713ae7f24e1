import fs from 'node:fs/promises';
import path from 'node:path';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { resourceEntityV1alpha1Validator } from '@backstage/catalog-model';
import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { parse } from 'yaml';
import { startGcsEmulator } from '@gpu-platform/emulators';
import { createCatalogRegisterAction } from './catalogRegister';
import { createKubectlApplyAction } from './kubectlApply';
import { createStackRenderAction } from './render';
import { createTerraformApplyAction } from './terraformApply';
import {
  actionContext,
  configFrom,
  testCatalog,
  testGuard,
  TEST_POLICY,
  VALUES,
} from '../__testUtils__/actionContext';
import { createSpecValidateAction } from './validate';

const guard = testGuard(configFrom());

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
      await createSpecValidateAction({ guard }).handler(ctx);
      const outputs = Object.fromEntries((ctx.output as jest.Mock).mock.calls);
      expect(outputs).toMatchObject({
        clusterName: 'e2e-gke',
        clusterLocation: 'us-central1',
        projectId: 'e2e-project-1',
        // The state location comes from gpuCluster.policy: the group's bucket, its folder.
        stateBucket: 'e2e-tfstate',
        statePrefix: 'gpu-clusters/default/ml-platform/e2e',
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
      const error = await createSpecValidateAction({ guard })
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
        await expect(
          createSpecValidateAction({ guard }).handler(ctx),
        ).rejects.toThrow(InputError);
      }
    });
  });

  describe('the policy, before anything runs', () => {
    const run = (values: Record<string, unknown>, g = guard) =>
      createSpecValidateAction({ guard: g })
        .handler(
          actionContext({ input: { values: values as any }, workspacePath }),
        )
        .catch(e => e);

    it('refuses prototype keys with a field-named error', async () => {
      for (const values of [
        JSON.parse('{"__proto__": {"polluted": true}, "identity": {}}'),
        { identity: { ...VALUES.identity, labels: { constructor: 'x' } } },
      ]) {
        const error = await run(values);
        expect(error).toBeInstanceOf(InputError);
        expect(error.message).toMatch(
          /(__proto__|labels\.constructor): the key is not allowed/,
        );
      }
      expect(({} as any).polluted).toBeUndefined();
    });

    it('refuses a user outside the owner group, naming the field', async () => {
      const config = configFrom({
        policy: {
          ...TEST_POLICY,
          groups: [
            ...TEST_POLICY.groups,
            {
              group: 'group:default/research',
              projects: ['research-project-1'],
              stateBucket: 'research-tfstate',
            },
          ],
        },
      });
      const bob = testGuard(config, {
        user: {
          userEntityRef: 'user:default/bob',
          ownershipEntityRefs: ['user:default/bob', 'group:default/research'],
        },
      });
      const error = await run(VALUES, bob);
      expect(error).toBeInstanceOf(NotAllowedError);
      expect(error.message).toBe(
        'identity.owner: user:default/bob is not a member of group:default/ml-platform and may not create GPU clusters for it',
      );
      // In no group of the policy: what to ask the platform team for.
      const eve = testGuard(config, {
        user: {
          userEntityRef: 'user:default/eve',
          ownershipEntityRefs: ['user:default/eve', 'group:default/finance'],
        },
      });
      expect((await run(VALUES, eve)).message).toBe(
        'identity.owner: user:default/eve may not create GPU clusters: none of their groups is in gpuCluster.policy.groups. Ask the platform team to add one of your groups (group:default/finance) to gpuCluster.policy.groups, with the Google Cloud projects, Terraform state bucket and GPU budget it may use.',
      );
    });

    it('refuses when the permission policy denies gpuCluster.stack.create', async () => {
      const error = await run(
        VALUES,
        testGuard(configFrom(), { result: AuthorizeResult.DENY }),
      );
      expect(error).toBeInstanceOf(NotAllowedError);
      expect(error.message).toContain(
        'may not create GPU clusters (permission gpuCluster.stack.create',
      );
    });

    it('refuses a foreign project and a state location outside the policy', async () => {
      expect(
        (
          await run({
            identity: { ...VALUES.identity, projectId: 'other-project-9' },
          })
        ).message,
      ).toMatch(/^identity\.projectId: Project other-project-9 is not allowed/);
      expect(
        (
          await run({
            ...VALUES,
            terraformState: { bucket: 'another-teams-state' },
          })
        ).message,
      ).toMatch(/^terraformState\.bucket:/);
      expect(
        (
          await run({
            ...VALUES,
            terraformState: { prefix: 'gpu-clusters/default/research/x' },
          })
        ).message,
      ).toMatch(/^terraformState\.prefix:/);
    });

    it("counts the group's registered clusters against maxGpusTotal, a re-applied one once", async () => {
      const cluster = (name: string, gpus: number) => ({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: {
          name,
          namespace: 'default',
          annotations: {
            'gpu-platform.dev/cluster-name': name,
            'gpu-platform.dev/project-id': 'e2e-project-1',
            'gpu-platform.dev/max-gpus': String(gpus),
          },
        },
        spec: {
          type: 'kubernetes-cluster',
          owner: 'group:default/ml-platform',
        },
        relations: [
          { type: 'ownedBy', targetRef: 'group:default/ml-platform' },
        ],
      });
      const config = configFrom({
        policy: {
          ...TEST_POLICY,
          groups: [{ ...TEST_POLICY.groups[0], maxGpusTotal: 48 }],
        },
      });
      // 24 GPUs elsewhere + this stack's 32 exceed 48.
      const full = testGuard(config, {
        catalog: testCatalog([cluster('other-gke', 24)]),
      });
      const error = await run(VALUES, full);
      expect(error).toBeInstanceOf(NotAllowedError);
      expect(error.message).toBe(
        'nodePools: group:default/ml-platform would hold 56 GPUs with this stack; its budget is 48 (gpuCluster.policy)',
      );
      // Re-applying the registered e2e-gke (32) next to 16 elsewhere fits.
      const reapply = testGuard(config, {
        catalog: testCatalog([
          cluster('e2e-gke', 32),
          cluster('small-gke', 16),
        ]),
      });
      expect(await run(VALUES, reapply)).not.toBeInstanceOf(Error);
    });

    it("refuses a cluster another team's entity already names", async () => {
      const catalog = testCatalog([
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Resource',
          metadata: {
            name: 'research-cluster',
            annotations: {
              'gpu-platform.dev/cluster-name': 'e2e-gke',
              'gpu-platform.dev/project-id': 'e2e-project-1',
            },
          },
          spec: { type: 'kubernetes-cluster', owner: 'group:default/research' },
        },
      ]);
      const error = await run(VALUES, testGuard(configFrom(), { catalog }));
      expect(error).toBeInstanceOf(NotAllowedError);
      expect(error.message).toBe(
        'identity.namePrefix: cluster e2e-gke (resource:default/research-cluster) belongs to group:default/research; choose another name prefix',
      );
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
        await createStackRenderAction({ guard }).handler(ctx);
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
      await expect(
        createStackRenderAction({ guard }).handler(ctx),
      ).rejects.toThrow(/targetPath must stay inside the workspace/);
      await expect(fs.stat(mockDir.resolve('escape'))).rejects.toThrow();
    });
  });

  describe('gpu-cluster:terraform:apply', () => {
    const terraformAction = async (extra: object = {}) =>
      createTerraformApplyAction({
        config: configFrom({
          terraform: {
            binaryPath: await sentinelBinary(),
            backend: 'local',
            localStateDirectory: mockDir.resolve('state'),
            runDirectory: mockDir.resolve('runs'),
            ...extra,
          },
        }),
        guard,
      });

    it('rejects invalid values before terraform runs', async () => {
      const action = await terraformAction();
      const ctx = actionContext({
        input: {
          values: { identity: { ...VALUES.identity, namePrefix: '`id`' } },
        },
        workspacePath,
      });
      await expect(action.handler(ctx)).rejects.toThrow(/identity\.namePrefix/);
      expect(await sentinelRan()).toBe(false);
    });

    it('runs no terraform in a dry run and summarises what the stack would create', async () => {
      const action = await terraformAction();
      // Whatever a dry run's workspace holds is never run.
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
      const outputs = Object.fromEntries((ctx.output as jest.Mock).mock.calls);
      expect(outputs).toMatchObject({
        clusterName: 'e2e-gke',
        clusterLocation: 'us-central1',
        clusterEndpoint: '',
        projectId: 'e2e-project-1',
        getCredentialsCommand:
          'gcloud container clusters get-credentials e2e-gke --location=us-central1 --project=e2e-project-1',
        hasChanges: true,
      });
      expect(outputs.planSummary).toContain(
        'GKE cluster e2e-gke in us-central1',
      );
      expect(outputs.planSummary).toContain(
        'node pool h200-dws: a3-ultragpu-8g, 0–4 nodes × 8',
      );
      expect(outputs.planSummary).toContain(
        '(at most 32 GPUs), queued provisioning, zones us-central1-b',
      );
      expect(outputs.planSummary).toContain(
        'state in gs://e2e-tfstate/gpu-clusters/default/ml-platform/e2e',
      );
      expect(outputs.planSummary).toMatch(
        /50-kueue-queues\.yaml: ResourceFlavor/,
      );
    });

    it('does not start terraform once the task is cancelled, and leaves no run directory', async () => {
      const action = await terraformAction();
      const controller = new AbortController();
      controller.abort();
      const ctx = actionContext({
        input: { values: VALUES },
        workspacePath,
        signal: controller.signal,
      });
      await expect(action.handler(ctx)).rejects.toThrow(/cancelled/);
      expect(await sentinelRan()).toBe(false);
      expect(await fs.readdir(mockDir.resolve('runs'))).toEqual([]);
    });

    it('creates the absent GCS state bucket of the policy before terraform init', async () => {
      const gcs = await startGcsEmulator();
      try {
        const action = await terraformAction({
          backend: 'gcs',
          env: { STORAGE_EMULATOR_HOST: gcs.url },
        });
        const ctx = actionContext({ input: { values: VALUES }, workspacePath });
        // The sentinel is no terraform: the run fails after init, the bucket exists already.
        await action.handler(ctx).catch(() => undefined);
        expect(await sentinelRan()).toBe(true);
        expect(gcs.store.buckets.get('e2e-tfstate')).toMatchObject({
          projectId: 'e2e-project-1',
          versioning: true,
          uniformBucketLevelAccess: true,
        });
        expect(gcs.requests.slice(0, 2)).toEqual([
          'GET /storage/v1/b/e2e-tfstate',
          'POST /storage/v1/b',
        ]);
      } finally {
        await gcs.stop();
      }
    });

    it('rejects an unknown backend in config', () => {
      expect(() => configFrom({ terraform: { backend: 's3' } })).toThrow(
        /gpuCluster.terraform.backend/,
      );
    });
  });

  describe('gpu-cluster:kubectl:apply', () => {
    it('names the missing credentials configuration, without running kubectl', async () => {
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
        guard,
      });
      const ctx = actionContext({ input: { values: VALUES }, workspacePath });
      await expect(action.handler(ctx)).rejects.toThrow(
        /No credentials for cluster e2e-gke \(project e2e-project-1\).*gpuCluster\.clusters/,
      );
      expect(await sentinelRan()).toBe(false);
    });

    it('has no dry-run support (the scaffolder skips it in dry runs)', () => {
      expect(
        createKubectlApplyAction({ config: configFrom(), guard })
          .supportsDryRun,
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
      const catalog = testCatalog();
      const registrations = { record: jest.fn() };
      const action = createCatalogRegisterAction({
        config: configFrom({
          catalog: { locationDirectory: mockDir.resolve('locations') },
        }),
        catalog,
        guard,
        registrations: registrations as any,
      });
      const ctx = actionContext({
        input: { values, clusterEndpoint: '203.0.113.7' },
        workspacePath,
        isDryRun: true,
      });
      await action.handler(ctx);
      expect(catalog.addLocation).not.toHaveBeenCalled();
      expect(registrations.record).not.toHaveBeenCalled();
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
            'gpu-platform.dev/max-gpus': '32',
            'gpu-platform.dev/terraform-state':
              'gs://e2e-tfstate/gpu-clusters/default/ml-platform/e2e',
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

    it('records the registration, registers a file location, and refreshes when it exists already', async () => {
      const catalog = testCatalog();
      const registrations = { record: jest.fn() };
      const locations = mockDir.resolve('locations');
      const action = createCatalogRegisterAction({
        config: configFrom({ catalog: { locationDirectory: locations } }),
        catalog,
        guard: testGuard(configFrom(), { catalog }),
        registrations: registrations as any,
      });
      const run = () =>
        action.handler(
          actionContext({ input: { values: VALUES }, workspacePath }),
        );
      await run();
      expect(registrations.record).toHaveBeenCalledWith({
        entityRef: 'resource:default/e2e-gke',
        projectId: 'e2e-project-1',
        location: 'us-central1',
        clusterName: 'e2e-gke',
        owner: 'group:default/ml-platform',
        // The validated spec with the policy's state location, for gpu-cluster:destroy.
        spec: expect.objectContaining({
          identity: expect.objectContaining(VALUES.identity),
          terraformState: {
            bucket: 'e2e-tfstate',
            prefix: 'gpu-clusters/default/ml-platform/e2e',
          },
        }),
      });
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
        catalog: testCatalog(),
        guard,
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
