import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  KubeConfig,
  KubernetesObjectApi,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import {
  ManualClock,
  startGcsEmulator,
  startGkeEmulator,
  startKubeEmulator,
  demoClusterObjects,
  type GcsEmulator,
  type GkeEmulator,
  type KubeEmulator,
  writeKueueReleaseStandIn,
} from '@gpu-platform/emulators';
import {
  createTerraformSandbox,
  type TerraformSandbox,
} from '@gpu-platform/terraform-schema-provider';
import { NCCL_TEST_JOB_NAME } from '../manifests';
import { runCli } from './cli';

/**
 * `gpu-cluster apply` / `destroy` on a fresh emulated project, offline: the real terraform
 * (schema-serving google provider) keeps its state in the GCS emulator through its gcs backend,
 * the CLI creates that state bucket first, reads the cluster's credentials from the GKE emulator
 * (DNS endpoint) into a private kubeconfig, and the real kubectl applies to the Kubernetes API
 * emulator. The GKE cluster is seeded as Terraform would have created it.
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

describe('gpu-cluster apply and destroy, end to end offline', () => {
  let emu: KubeEmulator;
  let gke: GkeEmulator;
  let gcs: GcsEmulator;
  let sandbox: TerraformSandbox;
  let dir: string;
  let out: string;
  let env: NodeJS.ProcessEnv;
  let objects: KubernetesObjectApi;
  const files: Record<string, string> = {};

  const cli = async (args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, {
      stdout: t => (stdout += t),
      stderr: t => (stderr += t),
      env,
      googleAccessToken: async () => emu.token,
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
    objects.read({
      apiVersion: o.apiVersion,
      kind: o.kind,
      metadata: { name: o.metadata!.name!, namespace: o.metadata?.namespace },
    }) as Promise<Obj>;
  const id = (o: Obj) =>
    `${o.kind}/${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${
      o.metadata?.name
    }`;
  /** resourceVersion of every rendered object (and Kueue's Deployment), read over HTTPS. */
  const resourceVersions = async () => {
    // Let queued controller reactions (e.g. queue status) land before reading.
    emu.scenarios.engine.tick();
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
    // Scripted time stands still (ManualClock): only immediate controller reactions run, on the
    // emulator's ticker. Kueue's Deployment becomes available at once; Ray, DWS and Job flows stay put,
    // so resourceVersions change only when apply writes.
    emu = await startKubeEmulator({
      fixtures: 'empty',
      clock: new ManualClock(),
      scenarios: { timings: { deploymentReadyMs: 0 }, tickIntervalMs: 50 },
    });
    // GKE and Kubernetes accept the same Google token, as they would in production.
    gke = await startGkeEmulator({ fixtures: 'empty', token: emu.token });
    gcs = await startGcsEmulator();
    // What terraform apply leaves in GKE: the stack's cluster, reached on its DNS endpoint.
    gke.store.seedCluster(
      { project: 'e2e-project-1', location: 'us-central1' },
      {
        name: 'e2e-gke',
        controlPlaneEndpointsConfig: {
          dnsEndpointConfig: {
            endpoint: `localhost:${new URL(emu.url).port}`,
            allowExternalTraffic: true,
          },
        },
        privateClusterConfig: {
          enablePrivateNodes: true,
          enablePrivateEndpoint: true,
          masterIpv4CidrBlock: '172.16.0.32/28',
        },
        masterAuth: {
          clusterCaCertificate: Buffer.from(emu.caPem).toString('base64'),
        },
      },
    );
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
    // The DNS endpoint has a publicly trusted certificate; here the system roots are the emulator's CA.
    files.systemRoots = path.join(dir, 'system-roots.pem');
    await fs.writeFile(files.systemRoots, emu.caPem);
    // The user's own kubectl context, which the CLI must never use or touch.
    files.userKubeconfig = path.join(dir, 'user-kubeconfig');
    await fs.writeFile(
      files.userKubeconfig,
      emu
        .kubeconfig({ token: 'not-the-stack-token' })
        .replace(emu.url, 'https://127.0.0.1:1'),
    );
    out = path.join(dir, 'stack');
    files.kubeconfig = path.join(dir, 'kubeconfig');
    await emu.writeKubeconfig(files.kubeconfig);
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
    };
    const kc = new KubeConfig();
    kc.loadFromString(emu.kubeconfig());
    objects = KubernetesObjectApi.makeApiClient(kc);
  });

  afterAll(async () => {
    await emu?.stop();
    await gke?.stop();
    await gcs?.stop();
    await sandbox?.cleanup();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('apply: creates the state bucket, terraform creates the GKE stack, then Kueue and the manifests land in the cluster through GKE credentials', async () => {
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
    // kubectl ran only with a private kubeconfig from GKE, now removed; the user's is untouched.
    const used = kubeconfigsUsed(result.stderr);
    expect(used).toHaveLength(1);
    expect(used[0]).not.toBe(files.userKubeconfig);
    await expect(fs.stat(used[0])).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await fs.readFile(files.userKubeconfig, 'utf8')).toBe(
      userKubeconfig,
    );
    expect(result.stderr).toContain(
      `Credentials of e2e-gke from GKE (https://localhost:${
        new URL(emu.url).port
      })`,
    );

    const state = await stateResources();
    const cluster = state.get('module.cluster.google_container_cluster.this');
    expect(cluster?.values).toMatchObject({
      project: 'e2e-project-1',
      enable_multi_networking: true,
      datapath_provider: 'ADVANCED_DATAPATH',
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
    // Kueue admits the verification Job and unsuspends it. This emulated cluster has no node
    // pools, so its quota and checks are granted here by hand; the emulated Kueue's job
    // framework then starts the Job. A re-apply must neither fight over the field nor undo
    // the admission.
    const workload = emu.client
      .list('kueue.x-k8s.io/v1beta2', 'Workload', 'default')
      .find(w => w.metadata.ownerReferences?.[0]?.name === NCCL_TEST_JOB_NAME)!;
    emu.client.modify(
      'kueue.x-k8s.io/v1beta2',
      'Workload',
      workload.metadata.name,
      'default',
      w => {
        const granted = (type: string) => ({
          type,
          status: 'True',
          reason: type,
          message: 'granted by the test',
          lastTransitionTime: emu.client.store.now(),
        });
        w.status = {
          admission: {
            clusterQueue: 'granted-by-test',
            podSetAssignments: [{ name: 'main', flavors: {}, count: 2 }],
          },
          conditions: [granted('QuotaReserved'), granted('Admitted')],
        };
      },
    );
    // Runs the emulated controllers until the cluster is quiet again.
    emu.scenarios.engine.tick();
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

  it('destroy deletes the work in the cluster first, then the stack objects and Terraform, and says what it keeps', async () => {
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
    for (const o of kueueMade) await objects.create(o);
    const userKubeconfig = await fs.readFile(files.userKubeconfig, 'utf8');

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
    for (const o of [...rendered, ...kueueMade]) {
      await expect(read(o)).rejects.toMatchObject({ code: 404 });
    }
    expect((await read(KUEUE_DEPLOYMENT)).metadata?.name).toBe(
      'kueue-controller-manager',
    );
    expect([...(await stateResources()).keys()]).toEqual([]);
    // It says what it keeps: the training data and the (now empty) state.
    expect(result.stdout).toContain(
      'kept: gs://e2e-project-1-e2e-data — training data, no longer managed by this stack',
    );
    expect(result.stdout).toContain(
      `kept: gs://${STATE_BUCKET}/e2e-deployment/terraform/state — Terraform state of this stack`,
    );
    expect(result.stdout).toContain('destroyed');
    // Nothing else is left in the emulated project: only the state bucket.
    expect([...gcs.store.buckets.keys()]).toEqual([STATE_BUCKET]);
    for (const kubeconfig of kubeconfigsUsed(result.stderr))
      await expect(fs.stat(kubeconfig)).rejects.toMatchObject({
        code: 'ENOENT',
      });
    expect(await fs.readFile(files.userKubeconfig, 'utf8')).toBe(
      userKubeconfig,
    );
  });

  it('destroy --delete-data takes the training bucket with the stack', async () => {
    const applied = await cli([
      'apply',
      ...stackArgs(),
      '--kueue-manifest',
      files.kueue,
    ]);
    expect(applied.code).toBe(0);
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
    expect([...(await stateResources()).keys()]).toEqual([]);
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
      emu.kubeconfig().replace(emu.url, `https://127.0.0.1:${closedPort}`),
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
    const allow = emu.authorizer.forbid({
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
        files.kubeconfig,
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
});
