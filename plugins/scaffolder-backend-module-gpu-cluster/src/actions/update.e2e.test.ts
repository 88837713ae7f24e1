import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ClusterManagerClient } from '@google-cloud/container';
import { mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ManualClock,
  createEmulatorClusterManagerClient,
  createLoopbackTls,
  denyGoogleCredentialDiscovery,
  kubeEmulatorControlPlanes,
  startGkeEmulator,
  writeKueueReleaseStandIn,
  type GkeEmulator,
  type KubeControlPlanes,
} from '@gpu-platform/emulators';
import {
  createTerraformSandbox,
  type TerraformSandbox,
} from '@gpu-platform/terraform-schema-provider';
import { clusterResourceEntity } from '../entity';
import type { ClusterRegistration } from '../registrations';
import {
  actionContext,
  configFrom,
  loggedText,
  testCatalog,
  testGuard,
  VALUES,
} from '../__testUtils__/actionContext';
import { createKubectlApplyAction } from './kubectlApply';
import { createTerraformApplyAction } from './terraformApply';
import { createUpdateAction } from './update';

/**
 * gpu-cluster:update against the emulators, offline: the Create template's terraform and kubectl
 * steps create the stack (the real terraform with the schema-serving provider, whose GKE backend
 * creates the cluster and node pools in the GKE emulator; the real kubectl on the cluster's own
 * Kubernetes API emulator, credentials from GKE). Then the update action resizes the GPU pool and
 * renames the LocalQueue: terraform plans with the stack's state and updates the pool in GKE in
 * place, kubectl applies the new queue and deletes the old one, and the registration and the
 * entity's file location get the new spec.
 */

jest.setTimeout(300_000);
denyGoogleCredentialDiscovery();

const PROJECT = 'e2e-project-1';
const CLUSTER_PATH = `projects/${PROJECT}/locations/us-central1/clusters/e2e-gke`;

describe('gpu-cluster:update against the emulators', () => {
  let controlPlanes: KubeControlPlanes;
  let gke: GkeEmulator;
  let gkeClient: ClusterManagerClient;
  let sandbox: TerraformSandbox;
  let dir: string;
  const token = randomBytes(24).toString('hex');

  beforeAll(async () => {
    const tls = createLoopbackTls();
    controlPlanes = kubeEmulatorControlPlanes({
      token,
      tls,
      kube: {
        clock: new ManualClock(),
        scenarios: { timings: { deploymentReadyMs: 0 }, tickIntervalMs: 50 },
      },
    });
    gke = await startGkeEmulator({
      fixtures: 'empty',
      token,
      operationStepMs: 100,
      controlPlanes,
      tlsMaterial: tls,
    });
    gkeClient = createEmulatorClusterManagerClient(gke);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gpu-cluster-update-e2e-'));
    sandbox = await createTerraformSandbox({ baseDir: dir });
    await fs.writeFile(path.join(dir, 'gke-ca.pem'), gke.caCertPem!);
    // GKE's DNS endpoint has a publicly trusted certificate; here the roots are the emulators' CA.
    await fs.writeFile(path.join(dir, 'system-roots.pem'), tls.caPem);
  });

  afterAll(async () => {
    await gkeClient?.close();
    await gke?.stop();
    await controlPlanes?.stopAll();
    await sandbox?.cleanup();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  const gkeClusters = async () =>
    (
      await gkeClient.listClusters({
        parent: `projects/${PROJECT}/locations/-`,
      })
    )[0].clusters ?? [];

  it('creates a stack, then updates what changed from the edited stored spec', async () => {
    // What an operator would configure: the sandbox's terraform settings and the provider's GKE
    // backend, kubectl credentials from GKE.
    const sandboxEnv = Object.fromEntries(
      Object.entries(sandbox.env).filter(
        ([key, value]) =>
          typeof value === 'string' && process.env[key] !== value,
      ),
    ) as Record<string, string>;
    const config = configFrom({
      terraform: {
        backend: 'local',
        localStateDirectory: path.join(dir, 'state'),
        runDirectory: path.join(dir, 'runs'),
        env: {
          ...sandboxEnv,
          TF_SCHEMA_PROVIDER_GKE_ENDPOINT: gke.address,
          TF_SCHEMA_PROVIDER_GKE_CA_FILE: path.join(dir, 'gke-ca.pem'),
          TF_SCHEMA_PROVIDER_GKE_TOKEN: token,
          TF_SCHEMA_PROVIDER_GKE_POLL_MS: '50',
        },
      },
      kubectl: {
        credentials: 'gke',
        runDirectory: path.join(dir, 'runs'),
        kueueManifestPath: await writeKueueReleaseStandIn(
          path.join(dir, 'kueue-manifests.yaml'),
        ),
        kueueReadyTimeoutSeconds: 60,
        env: {
          SSL_CERT_FILE: path.join(dir, 'system-roots.pem'),
          KUBECACHEDIR: path.join(dir, 'kube-cache'),
        },
      },
      gke: {
        endpoint: {
          host: gke.host,
          port: gke.port,
          caData: gke.caCertPem!,
          token,
        },
      },
      catalog: { locationDirectory: path.join(dir, 'locations') },
    });
    const gkeAccess = { getAccessToken: async () => token };
    const workspacePath = path.join(dir, 'workspace');
    const guard = testGuard(config);

    // Create: the template's terraform and kubectl steps.
    const applyCtx = actionContext({
      input: { values: VALUES },
      workspacePath,
    });
    await createTerraformApplyAction({ config, guard }).handler(
      applyCtx as any,
    );
    await createKubectlApplyAction({ config, guard, gke: gkeAccess }).handler(
      actionContext({ input: { values: VALUES }, workspacePath }) as any,
    );
    expect((await gkeClusters()).map(c => `${c.name} ${c.status}`)).toEqual([
      'e2e-gke RUNNING',
    ]);
    expect([...controlPlanes.emulators.keys()]).toEqual([CLUSTER_PATH]);

    // What the register step leaves: the entity from its file location, and the registration
    // with the validated spec (the spec the guard let through, state location included).
    const { spec } = await guard.authorize(
      actionContext({ input: { values: VALUES }, workspacePath }),
    );
    const locationFile = path.join(dir, 'locations', 'default-e2e-gke.yaml');
    await fs.mkdir(path.dirname(locationFile), { recursive: true });
    await fs.writeFile(locationFile, 'kind: Resource\n');
    const entity = clusterResourceEntity(spec);
    entity.metadata.uid = 'uid-e2e-gke';
    entity.metadata.annotations![
      'backstage.io/managed-by-origin-location'
    ] = `file:${locationFile}`;
    // The catalog also holds the Location entity it generates for the registered file, with
    // the same origin (as the catalog's locationSpecToLocationEntity names and annotates it).
    const locationEntity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Location',
      metadata: {
        name: 'generated-0123456789abcdef0123456789abcdef01234567',
        namespace: 'default',
        uid: 'uid-location',
        annotations: {
          'backstage.io/managed-by-location': `file:${locationFile}`,
          'backstage.io/managed-by-origin-location': `file:${locationFile}`,
        },
      },
      spec: { type: 'file', target: locationFile, presence: 'required' },
    };
    const catalog = Object.assign(testCatalog([entity, locationEntity]), {
      getLocationByEntity: jest.fn(async () => ({
        id: 'location-1',
        type: 'file',
        target: locationFile,
      })),
      removeLocationById: jest.fn(async () => {}),
    });
    const registrations = new Map<string, ClusterRegistration>([
      [
        'resource:default/e2e-gke',
        {
          entityRef: 'resource:default/e2e-gke',
          projectId: PROJECT,
          location: 'us-central1',
          clusterName: 'e2e-gke',
          owner: 'group:default/ml-platform',
          spec: spec as unknown as Record<string, unknown>,
        },
      ],
    ]);
    const update = createUpdateAction({
      config,
      catalog,
      permissions: mockServices.permissions({ result: AuthorizeResult.ALLOW }),
      auth: mockServices.auth(),
      guard: testGuard(config, { catalog }),
      registrations: {
        get: async ref => registrations.get(ref),
        record: async registration => {
          registrations.set(registration.entityRef, registration);
          return true;
        },
      },
      gke: gkeAccess,
    });
    const clusterApi = controlPlanes.emulators.get(CLUSTER_PATH)!;
    const localQueues = () =>
      clusterApi.store
        .list(
          clusterApi.client.typeOf('kueue.x-k8s.io/v1beta2', 'LocalQueue').key,
        )
        .map((o: any) => o.metadata.name);
    const gpuPool = async () => {
      const [cluster] = await gkeClient.getCluster({ name: CLUSTER_PATH });
      return cluster.nodePools!.find(p => p.name === spec.nodePools[0].name)!;
    };
    expect(localQueues()).toEqual(['dws-local-queue']);
    const before = await gpuPool();

    // The form's edit of the stored spec: one more node at most, a renamed queue.
    const edited = JSON.parse(JSON.stringify(spec));
    edited.nodePools[0].maxNodes += 1;
    edited.kueue.localQueueName = 'team-queue';
    const input = { entityRef: 'resource:default/e2e-gke', values: edited };

    // A dry run shows the diff and changes nothing.
    const dry = actionContext({ input, workspacePath, isDryRun: true });
    await update.handler(dry as any);
    expect(
      Object.fromEntries((dry.output as jest.Mock).mock.calls).manifestChanges,
    ).toEqual(
      expect.arrayContaining([
        'added LocalQueue default/team-queue',
        'removed LocalQueue default/dws-local-queue',
      ]),
    );
    expect(localQueues()).toEqual(['dws-local-queue']);

    const ctx = actionContext({ input, workspacePath });
    await update.handler(ctx as any);
    const outputs = Object.fromEntries((ctx.output as jest.Mock).mock.calls);

    // Terraform changed the GPU pool in place: no cluster or network replaced.
    expect(outputs.planSummary).toMatch(
      /^Plan: 0 to add, 1 to change, 0 to destroy/,
    );
    expect(outputs.planSummary).toContain(
      `update module.node_pool["${spec.nodePools[0].name}"].google_container_node_pool.this`,
    );
    const after = await gpuPool();
    expect(
      after.autoscaling?.totalMaxNodeCount ?? after.autoscaling?.maxNodeCount,
    ).toBe(
      (before.autoscaling?.totalMaxNodeCount ??
        before.autoscaling?.maxNodeCount)! + 1,
    );
    // kubectl applied the new queue and deleted the one the spec no longer renders.
    expect(localQueues()).toEqual(['team-queue']);
    // The registration and the entity's file location hold the new spec.
    const registered = registrations.get('resource:default/e2e-gke')!;
    expect((registered.spec as any).kueue.localQueueName).toBe('team-queue');
    expect(await fs.readFile(locationFile, 'utf8')).toContain('team-queue');
    expect(catalog.refreshEntity).toHaveBeenCalledWith(
      'resource:default/e2e-gke',
      expect.anything(),
    );
    expect(loggedText(ctx.logger)).not.toContain(token);
    expect(await fs.readdir(path.join(dir, 'runs'))).toEqual([]);

    // Changing what identifies the stack is refused before any tool runs, naming the field.
    const moved = JSON.parse(JSON.stringify(registered.spec));
    moved.identity.region = 'us-east5';
    moved.identity.zones = ['us-east5-a'];
    await expect(
      update.handler(
        actionContext({
          input: { entityRef: 'resource:default/e2e-gke', values: moved },
          workspacePath,
        }) as any,
      ),
    ).rejects.toThrow('identity.region: cannot change on an existing cluster');
  });
});
