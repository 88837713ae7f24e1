import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  KubeConfig,
  KubernetesObjectApi,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { ClusterManagerClient } from '@google-cloud/container';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import {
  assertGpuStackSpec,
  stackNames,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  ManualClock,
  createEmulatorClusterManagerClient,
  createLoopbackTls,
  demoClusterObjects,
  gkeNodePool,
  kubeEmulatorControlPlanes,
  startGcsEmulator,
  startGkeEmulator,
  type GcsEmulator,
  type GkeEmulator,
  type KubeControlPlanes,
  type KubeEmulator,
  writeKueueReleaseStandIn,
} from '@gpu-platform/emulators';
import {
  createTerraformSandbox,
  type TerraformSandbox,
} from '@gpu-platform/terraform-schema-provider';
import { NCCL_TEST_JOB_NAME } from '../manifests';
import { emulatedNodePools } from '../__testUtils__/emulatedNodePools';
import { runCli } from './cli';

/**
 * `gpu-cluster apply` / `destroy` on a fresh emulated project, offline, wired as the embedded
 * default is: the real terraform (schema-serving google provider) keeps its state in the GCS
 * emulator through its gcs backend, and the provider's GKE backend creates, updates and deletes
 * the cluster and node pools in the GKE emulator. GKE starts a Kubernetes API emulator for the
 * created cluster (with the stack's node pools and the scripted Kueue, DWS, KubeRay and Job
 * controllers) and stops it when the cluster is deleted. The CLI creates the state bucket
 * first, reads the cluster's credentials from GKE (DNS endpoint) into a private kubeconfig, and
 * the real kubectl applies to the cluster's API.
 */

const VALUES = `identity:
  projectId: e2e-project-1
  namePrefix: e2e
  owner: group:default/ml-platform
`;

jest.setTimeout(240_000);

type Obj = KubernetesObject & Record<string, any>;

const KUEUE_DEPLOYMENT: Obj = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'kueue-controller-manager', namespace: 'kueue-system' },
};

const VERIFICATION_JOB: Obj = {
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: NCCL_TEST_JOB_NAME, namespace: 'default' },
};

const KUEUE_CLUSTERQUEUE_CRD: Obj = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'clusterqueues.kueue.x-k8s.io' },
};

const SPEC = assertGpuStackSpec(parseYaml(VALUES));
const NAMES = stackNames(SPEC);
const PROJECT = SPEC.identity.projectId;
/** The cluster Terraform creates, as GKE names it. */
const CLUSTER_PATH = `projects/${PROJECT}/locations/${NAMES.clusterLocation}/clusters/${NAMES.clusterName}`;

/** What the node pools of the stack look like in GKE (from ListNodePools). */
interface GkePoolSummary {
  name: string;
  machineType: string;
  flexStart: boolean;
  queuedProvisioning: boolean;
  additionalNetworks: string[];
}

/** The GPU pools' extra NICs: the gVNIC network, then one RDMA subnetwork per NIC. */
const GPU_POOL_NETWORKS = [
  'e2e-gvnic-net/e2e-gvnic-sub',
  ...Array.from({ length: 8 }, (_, n) => `e2e-rdma-net/e2e-rdma-sub-${n}`),
];

describe('gpu-cluster apply and destroy, end to end offline', () => {
  let controlPlanes: KubeControlPlanes;
  let gke: GkeEmulator;
  let gkeClient: ClusterManagerClient;
  let gcs: GcsEmulator;
  let sandbox: TerraformSandbox;
  let dir: string;
  let out: string;
  let env: NodeJS.ProcessEnv;
  /** Google's access token and the clusters' bearer token (one identity, as in production). */
  const token = randomBytes(24).toString('hex');
  const files: Record<string, string> = {};

  const cli = async (args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, {
      stdout: t => (stdout += t),
      stderr: t => (stderr += t),
      env,
      googleAccessToken: async () => token,
    });
    return { code, stdout, stderr };
  };
  const stackArgs = () => [
    '--values',
    files.values,
    '--out',
    out,
    '--gke-endpoint',
    files.gkeEndpoint,
  ];
  const STATE_BUCKET = 'aiinfra-terraform-e2e-project-1';
  const STATE_OBJECT = 'e2e-deployment/terraform/state/default.tfstate';
  /** Generations of the state object (the bucket is versioned): one more per state write. */
  const stateGenerations = () =>
    gcs.store.objects.get(STATE_BUCKET)?.get(STATE_OBJECT)?.length ?? 0;
  /** The private kubeconfig files the CLI's kubectl runs used (from its log). */
  const kubeconfigsUsed = (stderr: string) => [
    ...new Set(
      [...stderr.matchAll(/kubectl --kubeconfig (\S+)/g)].map(m => m[1]),
    ),
  ];
  /**
   * The live state document in the GCS emulator (the module itself only ever exists in the CLI's
   * private run directory, so state is read where the gcs backend keeps it).
   */
  const liveState = () => {
    const generations =
      gcs.store.objects.get(STATE_BUCKET)?.get(STATE_OBJECT) ?? [];
    const live = generations.filter(g => !g.timeDeleted).pop();
    return live ? JSON.parse(live.data.toString('utf8')) : { resources: [] };
  };
  /** Every resource in state, by address. */
  const stateResources = async () => {
    const state = liveState();
    const byAddress = new Map<string, any>();
    for (const r of state.resources ?? []) {
      const base = `${r.module ? `${r.module}.` : ''}${
        r.mode === 'data' ? 'data.' : ''
      }${r.type}.${r.name}`;
      for (const instance of r.instances ?? []) {
        const key = instance.index_key;
        const address =
          key === undefined
            ? base
            : `${base}[${typeof key === 'number' ? key : JSON.stringify(key)}]`;
        byAddress.set(address, { values: instance.attributes });
      }
    }
    return byAddress;
  };

  /** The Kubernetes API emulator GKE started for the stack's cluster. */
  const cluster = (): KubeEmulator => {
    const emu = controlPlanes.emulators.get(CLUSTER_PATH);
    if (!emu)
      throw new Error(`GKE serves no control plane for ${CLUSTER_PATH}`);
    return emu;
  };
  /** The cluster's API over HTTPS, as a client with the cluster's kubeconfig sees it. */
  const objects = () => {
    const kc = new KubeConfig();
    kc.loadFromString(cluster().kubeconfig());
    return KubernetesObjectApi.makeApiClient(kc);
  };
  /** Every cluster GKE holds in the project, in any location. */
  const gkeClusters = async () =>
    (
      await gkeClient.listClusters({
        parent: `projects/${PROJECT}/locations/-`,
      })
    )[0].clusters ?? [];
  /** The stack cluster's node pools as GKE reports them. */
  const gkeNodePools = async (): Promise<GkePoolSummary[]> =>
    (
      (await gkeClient.listNodePools({ parent: CLUSTER_PATH }))[0].nodePools ??
      []
    )
      .map(pool => ({
        name: pool.name!,
        machineType: pool.config?.machineType ?? '',
        flexStart: Boolean(pool.config?.flexStart),
        queuedProvisioning: Boolean(pool.queuedProvisioning?.enabled),
        additionalNetworks: (
          pool.networkConfig?.additionalNodeNetworkConfigs ?? []
        ).map(n => `${n.network}/${n.subnetwork}`),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  /** Whether nothing listens on the port any more (bounded wait: the stop is asynchronous). */
  const closedSoon = async (port: number) => {
    const refused = () =>
      new Promise<boolean>(resolve => {
        const socket = net.connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(false);
        });
        socket.once('error', error =>
          resolve((error as NodeJS.ErrnoException).code === 'ECONNREFUSED'),
        );
      });
    for (let attempt = 0; attempt < 50; attempt++) {
      if (await refused()) return true;
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    return false;
  };
  /**
   * After destroy: GKE holds no cluster (so no node pool) in the project, the cluster's API
   * server is stopped, and the GCS emulator holds only the state bucket, with an empty state.
   * Returns the stopped emulator, whose store is what the cluster held when it went away.
   */
  const expectNothingLeft = async (stopped: KubeEmulator) => {
    expect(await gkeClusters()).toEqual([]);
    await expect(
      gkeClient.listNodePools({ parent: CLUSTER_PATH }),
    ).rejects.toMatchObject({ code: 5 /* NOT_FOUND */ });
    expect([...controlPlanes.emulators.keys()]).toEqual([]);
    expect(await closedSoon(Number(new URL(stopped.url).port))).toBe(true);
    expect([...gcs.store.buckets.keys()]).toEqual([STATE_BUCKET]);
    expect([...(await stateResources()).keys()]).toEqual([]);
  };

  /** The objects of the rendered manifest files, in apply order. */
  const renderedObjects = async (
    which: 'all' | 'createOnce' = 'all',
  ): Promise<Obj[]> => {
    const plan: { type: string; path?: string; createOnce?: boolean }[] =
      JSON.parse(
        await fs.readFile(path.join(out, 'manifests/apply-plan.json'), 'utf8'),
      );
    const docs: Obj[] = [];
    for (const step of plan) {
      if (step.type !== 'manifest') continue;
      if (which === 'createOnce' && !step.createOnce) continue;
      const text = await fs.readFile(
        path.join(out, 'manifests', step.path!),
        'utf8',
      );
      docs.push(...parseAllDocuments(text).map(d => d.toJSON() as Obj));
    }
    return docs;
  };
  const read = (o: Obj) =>
    objects().read({
      apiVersion: o.apiVersion,
      kind: o.kind,
      metadata: { name: o.metadata!.name!, namespace: o.metadata?.namespace },
    }) as Promise<Obj>;
  /** An object as a stopped cluster held it when GKE deleted the cluster. */
  const heldAtDeletion = (stopped: KubeEmulator, o: Obj) =>
    stopped.client.get(
      o.apiVersion!,
      o.kind!,
      o.metadata!.name!,
      o.metadata?.namespace,
    );
  const id = (o: Obj) =>
    `${o.kind}/${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${
      o.metadata?.name
    }`;
  /** resourceVersion of every rendered object (and Kueue's Deployment), read over HTTPS. */
  const resourceVersions = async () => {
    // Let queued controller reactions (e.g. queue status) land before reading.
    cluster().scenarios.engine.tick();
    const versions: Record<string, string | undefined> = {};
    for (const o of [
      ...(await renderedObjects()),
      KUEUE_DEPLOYMENT,
      KUEUE_CLUSTERQUEUE_CRD,
    ]) {
      versions[id(o)] = (await read(o)).metadata?.resourceVersion;
    }
    return versions;
  };

  beforeAll(async () => {
    // One CA for GKE and every cluster API it serves. The clusters' scripted time stands still
    // (ManualClock): only immediate controller reactions run, on the emulator's ticker. Kueue's
    // Deployment becomes available at once; Ray, DWS and Job flows move only when a test runs
    // the clock, so resourceVersions change only when apply writes.
    const tls = createLoopbackTls();
    controlPlanes = kubeEmulatorControlPlanes({
      token,
      tls,
      kube: {
        clock: new ManualClock(),
        scenarios: {
          nodePools: emulatedNodePools(SPEC).map(gkeNodePool),
          timings: { deploymentReadyMs: 0 },
          tickIntervalMs: 50,
        },
      },
    });
    // GKE operations in short phases: the provider waits for each one as it would on GKE.
    gke = await startGkeEmulator({
      fixtures: 'empty',
      token,
      operationStepMs: 150,
      controlPlanes,
      tlsMaterial: tls,
    });
    gkeClient = createEmulatorClusterManagerClient(gke);
    gcs = await startGcsEmulator();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gpu-cluster-e2e-'));
    files.gkeEndpoint = path.join(dir, 'gke-endpoint.yaml');
    await fs.writeFile(
      files.gkeEndpoint,
      JSON.stringify({
        host: gke.host,
        port: gke.port,
        caData: gke.caCertPem,
        token: gke.token,
      }),
    );
    files.gkeCa = path.join(dir, 'gke-ca.pem');
    await fs.writeFile(files.gkeCa, gke.caCertPem!);
    // The DNS endpoint has a publicly trusted certificate; here the system roots are the emulators' CA.
    files.systemRoots = path.join(dir, 'system-roots.pem');
    await fs.writeFile(files.systemRoots, tls.caPem);
    // The user's own kubectl context, which the CLI must never use or touch.
    files.userKubeconfig = path.join(dir, 'user-kubeconfig');
    await fs.writeFile(
      files.userKubeconfig,
      `apiVersion: v1
kind: Config
clusters:
  - name: user
    cluster: { server: 'https://127.0.0.1:1' }
users:
  - name: user
    user: { token: not-the-stack-token }
contexts:
  - name: user
    context: { cluster: user, user: user }
current-context: user
`,
    );
    out = path.join(dir, 'stack');
    files.values = path.join(dir, 'values.yaml');
    await fs.writeFile(files.values, VALUES);
    files.kueue = await writeKueueReleaseStandIn(
      path.join(dir, 'kueue-manifests.yaml'),
    );
    sandbox = await createTerraformSandbox({ baseDir: dir });
    // kubectl's discovery cache is per run: the served resources are the emulator's.
    env = {
      ...sandbox.env,
      KUBECACHEDIR: path.join(dir, 'kube-cache'),
      KUBECONFIG: files.userKubeconfig,
      SSL_CERT_FILE: files.systemRoots,
      // Terraform's gcs backend: the emulator, and a token so it skips Application Default Credentials.
      STORAGE_EMULATOR_HOST: gcs.url,
      GOOGLE_OAUTH_ACCESS_TOKEN: 'emulator-token',
      // The provider's GKE backend: clusters and node pools go to the GKE emulator.
      TF_SCHEMA_PROVIDER_GKE_ENDPOINT: gke.address,
      TF_SCHEMA_PROVIDER_GKE_CA_FILE: files.gkeCa,
      TF_SCHEMA_PROVIDER_GKE_TOKEN: token,
      TF_SCHEMA_PROVIDER_GKE_POLL_MS: '50',
    };
  });

  afterAll(async () => {
    await gkeClient?.close();
    await gke?.stop();
    await controlPlanes?.stopAll();
    await gcs?.stop();
    await sandbox?.cleanup();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('apply: creates the state bucket, terraform creates the cluster and node pools in GKE, then Kueue and the manifests land in the cluster through GKE credentials', async () => {
    // A fresh project: GKE holds nothing, nothing serves a cluster API yet.
    expect(await gkeClusters()).toEqual([]);
    expect(controlPlanes.emulators.size).toBe(0);
    const userKubeconfig = await fs.readFile(files.userKubeconfig, 'utf8');
    // A .tf file planted in the stack directory is never run: terraform only runs the shipped,
    // verified module (this one would fail the plan and print the canary file if it ran).
    const canary = path.join(dir, 'canary-secret.txt');
    await fs.writeFile(canary, 'canary-file-content-4711');
    await fs.mkdir(path.join(out, 'terraform'), { recursive: true });
    await fs.writeFile(
      path.join(out, 'terraform', 'leak.tf'),
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
    const result = await cli([
      'apply',
      ...stackArgs(),
      '--kueue-manifest',
      files.kueue,
    ]);
    expect(result.stderr).not.toContain('error:');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `terraform state: gs://${STATE_BUCKET}/e2e-deployment/terraform/state (bucket created)`,
    );
    expect(result.stdout).toContain('applied');
    const printed = result.stdout + result.stderr;
    expect(printed).not.toContain('terraform_data.leak');
    expect(printed).not.toContain(
      Buffer.from('canary-file-content-4711').toString('base64').slice(0, 20),
    );
    expect(result.stdout).toContain('Ray dashboard: kubectl');

    // Seed 004: the state bucket was created before init, versioned, and holds the state.
    expect(gcs.store.buckets.get(STATE_BUCKET)).toMatchObject({
      projectId: 'e2e-project-1',
      location: 'US-CENTRAL1',
      versioning: true,
      uniformBucketLevelAccess: true,
    });
    expect(stateGenerations()).toBeGreaterThan(0);

    // Terraform created the cluster in GKE, and exactly the stack's node pools (GKE's
    // default-pool removed): names, machine types, DWS flags and extra NICs as the stack asks.
    const clusters = await gkeClusters();
    expect(clusters.map(c => `${c.name} ${c.location} ${c.status}`)).toEqual([
      'e2e-gke us-central1 RUNNING',
    ]);
    expect(clusters[0].networkConfig).toMatchObject({
      enableMultiNetworking: true,
      datapathProvider: 'ADVANCED_DATAPATH',
    });
    const expectedPools = emulatedNodePools(SPEC)
      .map(
        (pool): GkePoolSummary => ({
          name: pool.name,
          machineType: pool.machineType,
          flexStart: Boolean(pool.flexStart),
          queuedProvisioning: Boolean(pool.queuedProvisioning),
          additionalNetworks: pool.accelerator ? GPU_POOL_NETWORKS : [],
        }),
      )
      .sort((a, b) => a.name.localeCompare(b.name));
    expect(await gkeNodePools()).toEqual(expectedPools);
    // The default stack: a CPU system pool and the H200 pool on DWS queued provisioning.
    expect(expectedPools).toEqual(
      expect.arrayContaining([
        {
          name: 'h200-dws',
          machineType: 'a3-ultragpu-8g',
          flexStart: true,
          queuedProvisioning: true,
          additionalNetworks: GPU_POOL_NETWORKS,
        },
      ]),
    );
    expect(expectedPools).toHaveLength(2);

    // GKE started the cluster's own API server and reports it as the DNS endpoint; the CLI read
    // the credentials from there.
    expect([...controlPlanes.emulators.keys()]).toEqual([CLUSTER_PATH]);
    const port = new URL(cluster().url).port;
    expect(
      clusters[0].controlPlaneEndpointsConfig?.dnsEndpointConfig,
    ).toMatchObject({
      endpoint: `localhost:${port}`,
      allowExternalTraffic: true,
    });
    expect(result.stderr).toContain(
      `Credentials of e2e-gke from GKE (https://localhost:${port})`,
    );
    // kubectl ran only with a private kubeconfig from GKE, now removed; the user's is untouched.
    const used = kubeconfigsUsed(result.stderr);
    expect(used).toHaveLength(1);
    expect(used[0]).not.toBe(files.userKubeconfig);
    await expect(fs.stat(used[0])).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await fs.readFile(files.userKubeconfig, 'utf8')).toBe(
      userKubeconfig,
    );

    const state = await stateResources();
    const clusterState = state.get(
      'module.cluster.google_container_cluster.this',
    );
    expect(clusterState?.values).toMatchObject({
      project: 'e2e-project-1',
      enable_multi_networking: true,
      datapath_provider: 'ADVANCED_DATAPATH',
      // What GKE computed came back into the state.
      endpoint: clusters[0].endpoint,
    });
    const pool = state.get(
      'module.node_pool["h200-dws"].google_container_node_pool.this',
    )?.values;
    expect(pool.queued_provisioning).toEqual([{ enabled: true }]);
    expect(pool.node_config[0].machine_type).toBe('a3-ultragpu-8g');
    expect(pool.network_config[0].additional_node_network_configs).toEqual([
      { network: 'e2e-gvnic-net', subnetwork: 'e2e-gvnic-sub' },
      ...Array.from({ length: 8 }, (_, n) => ({
        network: 'e2e-rdma-net',
        subnetwork: `e2e-rdma-sub-${n}`,
      })),
    ]);
    expect(
      state.get('module.network.google_compute_network.rdma[0]')?.values
        .network_profile,
    ).toBe(
      'projects/e2e-project-1/global/networkProfiles/us-central1-b-vpc-roce',
    );
    expect(
      state.get('module.network.google_compute_network.gvnic')?.values.name,
    ).toBe('e2e-gvnic-net');
    expect(
      [...state.keys()].filter(a =>
        a.startsWith('module.network.google_compute_subnetwork.rdma['),
      ),
    ).toHaveLength(8);

    // Kueue (from the fixture release manifest) is installed and rolled out.
    const kueue = await read(KUEUE_DEPLOYMENT);
    expect(kueue.spec.template.spec.containers[0].image).toBe(
      'registry.k8s.io/kueue/kueue:v0.19.2',
    );
    expect(kueue.status).toMatchObject({ availableReplicas: 1 });

    // The stack's objects, read back over HTTPS.
    for (const nic of [
      'gvnic-1',
      ...Array.from({ length: 8 }, (_, n) => `rdma-${n}`),
    ]) {
      const params = await read({
        apiVersion: 'networking.gke.io/v1',
        kind: 'GKENetworkParamSet',
        metadata: { name: nic },
      });
      const network = await read({
        apiVersion: 'networking.gke.io/v1',
        kind: 'Network',
        metadata: { name: nic },
      });
      expect(params.spec).toMatchObject(
        nic === 'gvnic-1'
          ? { vpc: 'e2e-gvnic-net', deviceMode: 'NetDevice' }
          : { vpc: 'e2e-rdma-net', deviceMode: 'RDMA' },
      );
      expect(network.spec.parametersRef).toMatchObject({
        kind: 'GKENetworkParamSet',
        name: nic,
      });
    }
    const installer = await read({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'nccl-rdma-installer', namespace: 'kube-system' },
    });
    expect(
      installer.spec.template.spec.initContainers.map((c: any) => c.image),
    ).toContain(
      'us-docker.pkg.dev/gce-ai-infra/gpudirect-gib/nccl-plugin-gib:v1.1.0',
    );
    const kueueObject = (kind: string, name: string, namespace?: string) =>
      read({
        apiVersion: 'kueue.x-k8s.io/v1beta2',
        kind,
        metadata: { name, namespace },
      });
    expect(
      (await kueueObject('ClusterQueue', 'dws-cluster-queue')).spec
        .admissionChecksStrategy,
    ).toEqual({
      admissionChecks: [{ name: 'dws-prov', onFlavors: ['h200-dws'] }],
    });
    expect(
      (await kueueObject('LocalQueue', 'dws-local-queue', 'default')).spec,
    ).toMatchObject({ clusterQueue: 'dws-cluster-queue' });
    expect(
      (await kueueObject('ProvisioningRequestConfig', 'dws-config')).spec
        .provisioningClassName,
    ).toBe('queued-provisioning.gke.io');
    expect(
      (await kueueObject('AdmissionCheck', 'dws-prov')).spec.controllerName,
    ).toBe('kueue.x-k8s.io/provisioning-request');
    expect(
      (await kueueObject('ResourceFlavor', 'h200-dws')).spec.nodeLabels,
    ).toEqual({ 'cloud.google.com/gke-nodepool': 'h200-dws' });
    const ksa = await read({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'gke-training', namespace: 'default' },
    });
    expect(ksa.metadata?.annotations?.['iam.gke.io/gcp-service-account']).toBe(
      'gke-training-wli@e2e-project-1.iam.gserviceaccount.com',
    );
    const ray = await read({
      apiVersion: 'ray.io/v1',
      kind: 'RayCluster',
      metadata: { name: 'ray', namespace: 'default' },
    });
    expect(ray.spec.headGroupSpec).toBeDefined();
    // Every object went in server-side under the stack's field manager, except the NCCL
    // verification run, which is created once (suspended, for Kueue to admit) and then left to
    // its controllers.
    const createOnce = (await renderedObjects('createOnce')).map(id);
    expect(createOnce).toEqual(expect.arrayContaining([id(VERIFICATION_JOB)]));
    expect((await read(VERIFICATION_JOB)).spec.suspend).toBe(true);
    for (const o of await renderedObjects()) {
      const current = await read(o);
      if (createOnce.includes(id(o))) continue;
      const managers = current.metadata?.managedFields?.map(
        m => `${m.manager}/${m.operation}`,
      );
      expect({ object: id(o), managers }).toEqual({
        object: id(o),
        managers: expect.arrayContaining(['gpu-platform/Apply']),
      });
    }
  });

  it('a second apply changes nothing: no terraform changes, same resourceVersions', async () => {
    const stateSerial = async () => liveState().serial;
    // The cluster's controllers run for ten scripted minutes: Kueue admits the verification Job
    // on the stack's node pools (DWS provisions the queued pool) and unsuspends it. A re-apply
    // must neither fight over the field nor undo the admission.
    const emu = cluster();
    emu.scenarios.engine.runFor(10 * 60_000);
    const workload = emu.client
      .list('kueue.x-k8s.io/v1beta2', 'Workload', 'default')
      .find(w => w.metadata.ownerReferences?.[0]?.name === NCCL_TEST_JOB_NAME)!;
    expect(
      workload.status?.conditions?.find((c: any) => c.type === 'Admitted'),
    ).toMatchObject({ status: 'True' });
    expect((await read(VERIFICATION_JOB)).spec.suspend).toBe(false);
    const versions = await resourceVersions();
    const serial = await stateSerial();
    const generations = stateGenerations();
    const again = await cli([
      'apply',
      ...stackArgs(),
      '--kueue-manifest',
      files.kueue,
    ]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('terraform: no changes');
    expect(again.stdout).not.toContain('(bucket created)');
    expect(await resourceVersions()).toEqual(versions);
    expect((await read(VERIFICATION_JOB)).spec.suspend).toBe(false);
    expect(await stateSerial()).toBe(serial);
    expect(stateGenerations()).toBe(generations);
    // The same cluster, still served by the same API server.
    expect(cluster()).toBe(emu);
    const plan = await cli([
      'plan',
      ...stackArgs().filter(
        a => a !== '--gke-endpoint' && a !== files.gkeEndpoint,
      ),
    ]);
    expect(plan.stderr).not.toContain('error:');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('(no changes)');
  });

  it('exits 3 when the cluster cannot be reached', async () => {
    const closedPort = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const unreachable = path.join(dir, 'unreachable-kubeconfig');
    await fs.writeFile(
      unreachable,
      cluster()
        .kubeconfig()
        .replace(cluster().url, `https://127.0.0.1:${closedPort}`),
    );
    const result = await cli([
      'apply',
      ...stackArgs(),
      '--skip-terraform',
      '--kubeconfig',
      unreachable,
      '--kueue-manifest',
      files.kueue,
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      'error: cannot reach the cluster with kubectl',
    );
    expect(result.stderr).toContain(
      `The connection to the server 127.0.0.1:${closedPort} was refused`,
    );
  });

  it("exits 1 with the API server's message when RBAC forbids a write", async () => {
    const kubeconfig = path.join(dir, 'cluster-kubeconfig');
    await cluster().writeKubeconfig(kubeconfig);
    const allow = cluster().authorizer.forbid({
      verb: 'patch',
      group: 'networking.gke.io',
      resource: 'gkenetworkparamsets',
    });
    try {
      const result = await cli([
        'apply',
        ...stackArgs(),
        '--skip-terraform',
        '--kubeconfig',
        kubeconfig,
        '--kueue-manifest',
        files.kueue,
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        'gkenetworkparamsets.networking.gke.io "gvnic-1" is forbidden: User "emulator-admin" cannot patch resource "gkenetworkparamsets" in API group "networking.gke.io" at the cluster scope',
      );
    } finally {
      allow();
    }
  });

  it('destroy deletes the work in the cluster first, then the stack objects and Terraform, and says what it keeps; nothing else is left', async () => {
    const rendered = await renderedObjects();
    // What Kueue and DWS made for queued work: a Workload and its ProvisioningRequest.
    const kueueMade = demoClusterObjects(new ManualClock())
      .filter(
        o =>
          (o.kind === 'Workload' &&
            o.metadata.name === 'job-llama-finetune-waiting-demo1') ||
          (o.kind === 'ProvisioningRequest' &&
            o.metadata.name === 'job-llama-finetune-waiting-demo1-dws-prov-1'),
      )
      .map(o => ({
        apiVersion: o.apiVersion,
        kind: o.kind,
        metadata: { name: o.metadata.name, namespace: o.metadata.namespace },
        spec: o.spec,
      })) as Obj[];
    expect(kueueMade).toHaveLength(2);
    for (const o of kueueMade) await objects().create(o);
    const userKubeconfig = await fs.readFile(files.userKubeconfig, 'utf8');
    const emu = cluster();

    const result = await cli(['destroy', ...stackArgs()]);
    expect(result.stderr).not.toContain('error:');
    expect(result.code).toBe(0);
    // In order: Ray, queued Jobs, then what Kueue made for them.
    const work = /in-cluster work deleted first: (.*)\n/
      .exec(result.stdout)![1]
      .split(', ');
    const kinds = work.map(name => name.split('/')[0]);
    expect([...new Set(kinds)]).toEqual([
      'raycluster.ray.io',
      'job.batch',
      'workload.kueue.x-k8s.io',
      'provisioningrequest.autoscaling.x-k8s.io',
    ]);
    expect(work).toEqual(
      expect.arrayContaining([
        'raycluster.ray.io/ray',
        'job.batch/nccl-allgather-test',
        'workload.kueue.x-k8s.io/job-llama-finetune-waiting-demo1',
        'provisioningrequest.autoscaling.x-k8s.io/job-llama-finetune-waiting-demo1-dws-prov-1',
      ]),
    );
    // The cluster's API server stopped when GKE deleted the cluster: what its store still holds
    // is what the cluster held then. The work and the stack's objects were gone before it;
    // Kueue itself (installed, not owned by the stack) was still there.
    for (const o of [...rendered, ...kueueMade]) {
      expect({ object: id(o), held: heldAtDeletion(emu, o) }).toEqual({
        object: id(o),
        held: undefined,
      });
    }
    expect(heldAtDeletion(emu, KUEUE_DEPLOYMENT)?.metadata?.name).toBe(
      'kueue-controller-manager',
    );
    // It says what it keeps: the training data and the (now empty) state.
    expect(result.stdout).toContain(
      'kept: gs://e2e-project-1-e2e-data — training data, no longer managed by this stack',
    );
    expect(result.stdout).toContain(
      `kept: gs://${STATE_BUCKET}/e2e-deployment/terraform/state — Terraform state of this stack`,
    );
    expect(result.stdout).toContain('destroyed');
    // Nothing else is left in the emulated project: no GKE cluster or node pool, no cluster API,
    // only the state bucket.
    await expectNothingLeft(emu);
    for (const kubeconfig of kubeconfigsUsed(result.stderr))
      await expect(fs.stat(kubeconfig)).rejects.toMatchObject({
        code: 'ENOENT',
      });
    expect(await fs.readFile(files.userKubeconfig, 'utf8')).toBe(
      userKubeconfig,
    );
  });

  it('destroy --delete-data takes the training bucket with the stack; nothing is left', async () => {
    const applied = await cli([
      'apply',
      ...stackArgs(),
      '--kueue-manifest',
      files.kueue,
    ]);
    expect(applied.stderr).not.toContain('error:');
    expect(applied.code).toBe(0);
    // GKE created the cluster again, with a new API server.
    expect((await gkeClusters()).map(c => c.name)).toEqual(['e2e-gke']);
    const emu = cluster();
    expect(
      (await stateResources()).get(
        'module.storage.google_storage_bucket.training[0]',
      )?.values.force_destroy,
    ).toBe(false);
    const result = await cli(['destroy', ...stackArgs(), '--delete-data']);
    expect(result.stderr).not.toContain('error:');
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('kept: gs://e2e-project-1-e2e-data');
    // force_destroy was set (a targeted apply, kept as a state generation in the versioned
    // bucket) before the bucket went with the rest.
    const forceDestroyed = (
      gcs.store.objects.get(STATE_BUCKET)?.get(STATE_OBJECT) ?? []
    ).some(generation =>
      JSON.parse(generation.data.toString('utf8')).resources?.some(
        (r: any) =>
          r.module === 'module.storage' &&
          r.type === 'google_storage_bucket' &&
          r.name === 'training' &&
          r.instances?.[0]?.attributes?.force_destroy === true,
      ),
    );
    expect(forceDestroyed).toBe(true);
    await expectNothingLeft(emu);
  });
});
