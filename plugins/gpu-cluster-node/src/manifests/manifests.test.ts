import { createCrdValidator } from '@gpu-platform/emulators';
import {
  ACCELERATOR_CATALOG,
  assertGpuStackSpec,
  ncclAllGatherExpectation,
  parseGpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import {
  generateVariantMatrix,
  manifestApplyPlan,
  renderManifests,
  serializeManifest,
  type KubeObject,
} from '..';

const validator = createCrdValidator();
const seed001 = assertGpuStackSpec({
  identity: {
    projectId: 'gpu-launchpad-playground',
    namePrefix: 'a3u-dws',
    owner: 'group:default/ml-platform',
  },
});

function allObjects(files = renderManifests(seed001)): KubeObject[] {
  return files.flatMap(f => f.objects);
}
function find(objects: KubeObject[], kind: string, name?: string) {
  const found = objects.find(
    o => o.kind === kind && (!name || o.metadata.name === name),
  );
  if (!found) throw new Error(`no ${kind} ${name ?? ''}`);
  return found as any;
}

describe('renderManifests (seed 001 defaults)', () => {
  const objects = allObjects();

  it('renders a GKENetworkParamSet and a Network per NIC, named like the node pool networks', () => {
    const paramSets = objects.filter(o => o.kind === 'GKENetworkParamSet');
    expect(paramSets.map(o => o.metadata.name)).toEqual([
      'gvnic-1',
      ...[0, 1, 2, 3, 4, 5, 6, 7].map(n => `rdma-${n}`),
    ]);
    expect(find(objects, 'GKENetworkParamSet', 'rdma-3').spec).toEqual({
      vpc: 'a3u-dws-rdma-net',
      vpcSubnet: 'a3u-dws-rdma-sub-3',
      deviceMode: 'RDMA',
    });
    expect(find(objects, 'GKENetworkParamSet', 'gvnic-1').spec.deviceMode).toBe(
      'NetDevice',
    );
    expect(find(objects, 'Network', 'rdma-7').spec).toEqual({
      type: 'Device',
      parametersRef: {
        group: 'networking.gke.io',
        kind: 'GKENetworkParamSet',
        name: 'rdma-7',
      },
    });
  });

  it('puts the DWS admission check under admissionChecksStrategy (Kueue v1beta2)', () => {
    const cq = find(objects, 'ClusterQueue', 'dws-cluster-queue');
    expect(cq.apiVersion).toBe('kueue.x-k8s.io/v1beta2');
    expect(cq.spec.admissionChecks).toBeUndefined();
    expect(cq.spec.admissionChecksStrategy).toEqual({
      admissionChecks: [{ name: 'dws-prov', onFlavors: ['h200-dws'] }],
    });
    const gpuQuota = (flavor: string) =>
      cq.spec.resourceGroups[0].flavors
        .find((f: any) => f.name === flavor)
        .resources.find((r: any) => r.name === 'nvidia.com/gpu').nominalQuota;
    // The CPU system pool comes first and has no GPUs: CPU-only pod sets land there.
    expect(cq.spec.resourceGroups[0].flavors.map((f: any) => f.name)).toEqual([
      'system',
      'h200-dws',
    ]);
    expect(gpuQuota('system')).toBe(0);
    expect(gpuQuota('h200-dws')).toBe(32);
    expect(
      find(objects, 'AdmissionCheck', 'dws-prov').spec.controllerName,
    ).toBe('kueue.x-k8s.io/provisioning-request');
    expect(
      find(objects, 'ProvisioningRequestConfig', 'dws-config').spec,
    ).toMatchObject({
      provisioningClassName: 'queued-provisioning.gke.io',
      managedResources: ['nvidia.com/gpu'],
    });
    expect(
      find(objects, 'LocalQueue', 'dws-local-queue').spec.clusterQueue,
    ).toBe('dws-cluster-queue');
  });

  it('renders the NCCL RDMA installer for the H200 nodes', () => {
    const ds = find(objects, 'DaemonSet', 'nccl-rdma-installer');
    expect(ds.metadata.namespace).toBe('kube-system');
    const term =
      ds.spec.template.spec.affinity.nodeAffinity
        .requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0];
    expect(term.matchExpressions[0].values).toEqual(['nvidia-h200-141gb']);
    expect(
      ds.spec.template.spec.initContainers[0].args[0].split('\n'),
    ).toHaveLength(8);
  });

  it('binds the Workload Identity service account', () => {
    expect(
      find(objects, 'ServiceAccount', 'gke-training').metadata.annotations,
    ).toEqual({
      'iam.gke.io/gcp-service-account':
        'gke-training-wli@gpu-launchpad-playground.iam.gserviceaccount.com',
    });
  });

  it('gives Ray GPU workers the RDMA interfaces, NCCL environment and GCS FUSE volume', () => {
    const rc = find(objects, 'RayCluster', 'ray');
    expect(rc.apiVersion).toBe('ray.io/v1');
    expect(rc.metadata.labels['kueue.x-k8s.io/queue-name']).toBe(
      'dws-local-queue',
    );
    expect(rc.spec.enableInTreeAutoscaling).toBe(false);
    const worker = rc.spec.workerGroupSpecs[0].template;
    expect(
      worker.metadata.annotations['networking.gke.io/default-interface'],
    ).toBe('eth0');
    const interfaces = JSON.parse(
      worker.metadata.annotations['networking.gke.io/interfaces'],
    );
    expect(interfaces).toHaveLength(10);
    expect(interfaces[9]).toEqual({ interfaceName: 'eth9', network: 'rdma-7' });
    expect(worker.metadata.annotations['gke-gcsfuse/volumes']).toBe('true');
    expect(worker.spec.containers[0].env).toContainEqual({
      name: 'NCCL_NET',
      value: 'gIB',
    });
    expect(worker.spec.volumes).toContainEqual({
      name: 'training-data',
      csi: {
        driver: 'gcsfuse.csi.storage.gke.io',
        readOnly: false,
        volumeAttributes: {
          bucketName: 'gpu-launchpad-playground-a3u-dws-data',
          mountOptions: 'implicit-dirs',
        },
      },
    });
    expect(worker.spec.tolerations).toContainEqual({
      key: 'cloud.google.com/gke-queued',
      operator: 'Equal',
      value: 'true',
      effect: 'NoSchedule',
    });
  });

  it('submits the NCCL all-gather Job suspended through the DWS queue', () => {
    const job = find(objects, 'Job', 'nccl-allgather-test');
    expect(job.spec.suspend).toBe(true);
    expect(job.metadata.labels['kueue.x-k8s.io/queue-name']).toBe(
      'dws-local-queue',
    );
    expect(
      job.metadata.annotations['provreq.kueue.x-k8s.io/maxRunDurationSeconds'],
    ).toBe('600');
    expect(job.spec.completions).toBe(2);
    const script: string = job.spec.template.spec.containers[0].args[0];
    expect(script).toContain('all_gather_perf -b 1K -e 8G');
    expect(script).toContain('"${HOSTS#,}"');
    expect(script).not.toContain('__NCCL_SETUP__');
  });

  it("takes the Job's pass threshold from the accelerator catalog unless the spec overrides it", () => {
    const minBusBw = (objs: KubeObject[]) =>
      find(
        objs,
        'Job',
        'nccl-allgather-test',
      ).spec.template.spec.containers[0].env.find(
        (e: { name: string }) => e.name === 'MIN_BUS_BW',
      ).value;
    expect(minBusBw(objects)).toBe(
      String(ncclAllGatherExpectation('a3-ultragpu-8g')!.minBusBandwidthGBps),
    );
    const overridden = assertGpuStackSpec({
      identity: seed001.identity,
      verification: { ncclAllGather: { minBusBandwidthGBps: 90 } },
    });
    expect(minBusBw(allObjects(renderManifests(overridden)))).toBe('90');
  });

  it('serialises to YAML that parses back to the same objects', () => {
    for (const file of renderManifests(seed001)) {
      const text = serializeManifest(file.objects);
      const docs = parseAllDocuments(text).map(d => d.toJSON());
      expect(docs).toEqual(JSON.parse(JSON.stringify(file.objects)));
    }
  });

  it('plans the Kueue install before the queue objects', () => {
    const plan = manifestApplyPlan(seed001);
    expect(plan[0]).toEqual({
      type: 'kueue-install',
      install: expect.objectContaining({
        version: 'v0.19.2',
        manifestUrl:
          'https://github.com/kubernetes-sigs/kueue/releases/download/v0.19.2/manifests.yaml',
      }),
    });
    expect(plan.slice(1).map(s => (s as any).path)).toEqual(
      renderManifests(seed001).map(f => f.path),
    );
  });
});

describe('variant matrix', () => {
  const variants = generateVariantMatrix();

  it('covers every accelerator of the catalog', () => {
    expect(new Set(variants.map(v => v.machineType))).toEqual(
      new Set(ACCELERATOR_CATALOG.map(e => e.machineType)),
    );
    expect(new Set(variants.map(v => v.mode)).size).toBe(6);
  });

  it('renders every variant and every object validates against its CRD', () => {
    const failures: string[] = [];
    let validated = 0;
    for (const variant of variants) {
      const parsed = parseGpuStackSpec(variant.input);
      if (!parsed.ok) {
        failures.push(
          `${variant.name}: spec rejected: ${JSON.stringify(parsed.issues)}`,
        );
        continue;
      }
      for (const file of renderManifests(parsed.spec)) {
        for (const obj of file.objects) {
          if (!validator.hasSchema(obj.apiVersion, obj.kind)) continue;
          validated += 1;
          const issues = validator.validate(obj);
          if (issues.length)
            failures.push(
              `${variant.name} ${obj.kind}/${
                obj.metadata.name
              }: ${JSON.stringify(issues)}`,
            );
        }
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(variants.length).toBeGreaterThan(400);
    expect(validated).toBeGreaterThan(variants.length * 3);
  });

  it('has a validator that rejects the v1beta1-style spec.admissionChecks', () => {
    const cq = JSON.parse(JSON.stringify(find(allObjects(), 'ClusterQueue')));
    cq.spec.admissionChecks = ['dws-prov'];
    expect(validator.validate(cq).length).toBeGreaterThan(0);
  });

  it('validates the ComputeClass of the fallback mode', () => {
    const spec = assertGpuStackSpec({
      ...variants[0].input,
      nodePools: [{ name: 'h200', provisioning: { mode: 'compute-class' } }],
      ray: { enabled: false },
    });
    const cc = find(
      allObjects(renderManifests(spec)),
      'ComputeClass',
      'h200-ccc',
    );
    expect(cc.spec.priorities).toEqual([
      { nodepools: ['h200-spot'] },
      { nodepools: ['h200-flex'] },
      { nodepools: ['h200-od'] },
    ]);
    expect(validator.validate(cc)).toEqual([]);
  });

  it('rejects invalid combinations generated from the catalog with the right field path', () => {
    const base = {
      identity: {
        projectId: 'variant-project',
        namePrefix: 'var',
        owner: 'group:default/x',
      },
    };
    for (const entry of ACCELERATOR_CATALOG) {
      const pool = {
        name: 'gpu',
        machineType: entry.machineType,
        provisioning: { mode: 'on-demand' },
      };
      const badCount = Math.max(...entry.gpuCounts) + 1;
      const cases: Array<[unknown, string]> = [
        [
          { ...base, nodePools: [{ ...pool, gpu: { count: badCount } }] },
          'nodePools[0].gpu.count',
        ],
        [
          {
            ...base,
            nodePools: [
              {
                ...pool,
                provisioning: { mode: 'queued-provisioning' },
                minNodes: 1,
              },
            ],
          },
          'nodePools[0].minNodes',
        ],
        [
          {
            ...base,
            nodePools: [
              {
                ...pool,
                provisioning: { mode: 'flex-start' },
                autoRepair: true,
              },
            ],
          },
          'nodePools[0].autoRepair',
        ],
        [
          {
            ...base,
            nodePools: [
              {
                ...pool,
                provisioning: { mode: 'spot', reservation: { name: 'r' } },
              },
            ],
          },
          'nodePools[0].provisioning.reservation',
        ],
      ];
      if (entry.rdmaNics === 0) {
        cases.push([
          { ...base, nodePools: [{ ...pool, rdma: true }] },
          'nodePools[0].rdma',
        ]);
      } else {
        cases.push([
          {
            ...base,
            nodePools: [pool],
            network: { rdma: { subnetCidrs: ['192.168.1.0/24'] } },
          },
          'network.rdma.subnetCidrs',
        ]);
      }
      for (const [input, path] of cases) {
        expect(parseGpuStackSpec(input)).toMatchObject({
          ok: false,
          issues: expect.arrayContaining([expect.objectContaining({ path })]),
        });
      }
    }
  });
});

describe('hostile input never reaches a manifest', () => {
  it.each([
    ['identity.namePrefix', 'x$(reboot)'],
    ['ray.image', 'evil\n---\nkind: ClusterRoleBinding'],
    ['kueue.localQueueName', "q'; kubectl delete ns default"],
    ['storage.trainingBucket.name', '../../etc'],
    ['ray.dashboard.host', 'a.com\n  evil: true'],
  ])('%s = %j is rejected before rendering', (path, value) => {
    const input: any = {
      identity: {
        projectId: 'variant-project',
        namePrefix: 'var',
        owner: 'group:default/x',
      },
    };
    const keys = path.split('.');
    let node = input;
    for (const k of keys.slice(0, -1)) node = node[k] ??= {};
    node[keys[keys.length - 1]] = value;
    expect(parseGpuStackSpec(input)).toMatchObject({
      ok: false,
      issues: expect.arrayContaining([expect.objectContaining({ path })]),
    });
  });

  it('keeps the JSON interfaces annotation a single YAML scalar', () => {
    const text = serializeManifest(
      renderManifests(seed001).find(f => f.path === '60-ray-cluster.yaml')!
        .objects,
    );
    const rc = parseYaml(
      text.split('---\n').find(d => d.includes('kind: RayCluster'))!,
    );
    expect(() =>
      JSON.parse(
        rc.spec.workerGroupSpecs[0].template.metadata.annotations[
          'networking.gke.io/interfaces'
        ],
      ),
    ).not.toThrow();
  });
});
