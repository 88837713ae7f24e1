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
import { createDestroyAction } from './destroy';
import { createKubectlApplyAction } from './kubectlApply';
import { createTerraformApplyAction } from './terraformApply';

/**
 * gpu-cluster:destroy against the emulators, offline: the Create template's terraform and
 * kubectl steps create the stack (the real terraform with the schema-serving provider, whose GKE
 * backend creates the cluster and node pools in the GKE emulator; the real kubectl on the
 * cluster's own Kubernetes API emulator, credentials from GKE). Then the destroy action, given
 * only the entity reference, deletes the Ray cluster first, runs terraform destroy (GKE holds no
 * cluster afterwards and its API server is stopped) and removes the entity, its location and the
 * registration.
 */

jest.setTimeout(300_000);
denyGoogleCredentialDiscovery();

const PROJECT = 'e2e-project-1';
const CLUSTER_PATH = `projects/${PROJECT}/locations/us-central1/clusters/e2e-gke`;

describe('gpu-cluster:destroy against the emulators', () => {
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
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gpu-cluster-destroy-e2e-'));
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

  it('creates a stack, then destroys it from the entity reference alone', async () => {
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
    const destroy = createDestroyAction({
      config,
      catalog,
      permissions: mockServices.permissions({ result: AuthorizeResult.ALLOW }),
      auth: mockServices.auth(),
      registrations: {
        get: async ref => registrations.get(ref),
        remove: async ref => {
          registrations.delete(ref);
        },
      },
      gke: gkeAccess,
      destroyRetry: { delayMs: 10, maxDelayMs: 50 },
    });
    const clusterApi = controlPlanes.emulators.get(CLUSTER_PATH)!;
    const rayClusters = () =>
      clusterApi.store.list(
        clusterApi.client.typeOf('ray.io/v1', 'RayCluster').key,
      );
    expect(rayClusters()).toHaveLength(1);

    // A dry run changes nothing.
    await destroy.handler(
      actionContext({
        input: {
          entityRef: 'resource:default/e2e-gke',
          confirmName: 'e2e-gke',
        },
        workspacePath,
        isDryRun: true,
      }) as any,
    );
    expect(await gkeClusters()).toHaveLength(1);
    expect(registrations.size).toBe(1);

    const ctx = actionContext({
      input: { entityRef: 'resource:default/e2e-gke', confirmName: 'e2e-gke' },
      workspacePath,
    });
    await destroy.handler(ctx as any);
    const outputs = Object.fromEntries((ctx.output as jest.Mock).mock.calls);

    // In-cluster work went first: the stack's RayCluster (and nothing of it is left).
    expect(outputs.inClusterWork).toEqual(
      expect.arrayContaining([expect.stringMatching(/^raycluster/)]),
    );
    expect(rayClusters()).toEqual([]);
    // Terraform destroyed the cluster: GKE holds none, its API server is stopped.
    expect(await gkeClusters()).toEqual([]);
    expect(controlPlanes.emulators.size).toBe(0);
    // Data kept, and said so.
    expect(outputs.kept).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ resource: `gs://${PROJECT}-e2e-data` }),
      ]),
    );
    // Out of the catalog: location, its file, the entity and the registration.
    expect(catalog.removeLocationById).toHaveBeenCalledWith('location-1', {
      credentials: expect.objectContaining({
        principal: expect.objectContaining({ type: 'user' }),
      }),
    });
    await expect(fs.stat(locationFile)).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect(
      await catalog.getEntityByRef('resource:default/e2e-gke'),
    ).toBeUndefined();
    expect(registrations.size).toBe(0);
    expect(loggedText(ctx.logger)).not.toContain(token);
    // Nothing of the runs is left behind.
    expect(await fs.readdir(path.join(dir, 'runs'))).toEqual([]);
  });
});
