import {
  parseGpuStackSpec,
  resolveNodePools,
  type GkeClusterStatus,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  checkFabric,
  expectationFromGke,
  expectationFromSpec,
  fabricFlags,
  type FabricInput,
} from './fabric';
import { kindSourceState, sectionStates } from './sections';
import { WATCHED_KINDS } from './ClusterWatcher';

const parsed = parseGpuStackSpec({
  identity: {
    projectId: 'gpu-launchpad-playground',
    namePrefix: 'a3u-dws',
    owner: 'group:default/ml-platform',
  },
});
if (!parsed.ok) throw new Error('the default spec must parse');
const spec = parsed.spec;
const expectation = expectationFromSpec(spec)!;
const pool = resolveNodePools(spec).find(p => p.rdma)!.name;
const ready = [{ type: 'Ready', status: 'True' }];

/** The objects the stack renders and GKE fills in, all healthy. */
function healthy(): FabricInput {
  const paramSets = expectation.networks.map(n => ({
    metadata: { name: n.name },
    spec: { vpc: n.vpc, vpcSubnet: n.subnet, deviceMode: n.deviceMode },
    status: { conditions: ready },
  }));
  const networks = expectation.networks.map(n => ({
    metadata: { name: n.name },
    spec: {
      type: 'Device',
      parametersRef: {
        group: 'networking.gke.io',
        kind: 'GKENetworkParamSet',
        name: n.name,
      },
    },
  }));
  const rdma = expectation.networks.filter(n => n.deviceMode === 'RDMA');
  const node = (name: string) => {
    const capacity = Object.fromEntries(
      rdma.flatMap(n => [
        [`networking.gke.io.networks/${n.name}`, '1'],
        [`networking.gke.io.networks/${n.name}.IP`, '1'],
      ]),
    );
    return {
      metadata: {
        name,
        labels: { 'cloud.google.com/gke-nodepool': pool },
      },
      status: { capacity, allocatable: capacity },
    };
  };
  const installerPod = (nodeName: string) => ({
    metadata: {
      name: `nccl-rdma-installer-${nodeName}`,
      namespace: 'kube-system',
      labels: { 'k8s-app': 'nccl-rdma-installer' },
      ownerReferences: [{ kind: 'DaemonSet', name: 'nccl-rdma-installer' }],
    },
    spec: { nodeName },
    status: { phase: 'Running', conditions: ready },
  });
  return {
    nodes: [
      node('gpu-a'),
      node('gpu-b'),
      { metadata: { name: 'cpu', labels: {} } },
    ],
    pods: [installerPod('gpu-a'), installerPod('gpu-b')],
    networks,
    paramSets,
    daemonSets: [
      {
        metadata: { name: 'nccl-rdma-installer', namespace: 'kube-system' },
        spec: {
          selector: { matchLabels: { 'k8s-app': 'nccl-rdma-installer' } },
        },
        status: { desiredNumberScheduled: 2, numberReady: 2 },
      },
    ],
    expectation,
    section: { state: 'ok' },
  };
}

describe('expectations', () => {
  it('come from the spec: gvnic-1 (NetDevice) and rdma-0…7 (RDMA) on the RDMA pools', () => {
    expect(expectation.from).toBe('spec');
    expect(expectation.networks.map(n => `${n.name}:${n.deviceMode}`)).toEqual([
      'gvnic-1:NetDevice',
      ...Array.from({ length: 8 }, (_, i) => `rdma-${i}:RDMA`),
    ]);
    expect(expectation.pools).toContain(pool);
  });

  it("come from GKE's additional node networks, the machine type's RDMA NICs last", () => {
    const gke = {
      nodePools: [
        {
          name: 'h200',
          machineType: 'a3-ultragpu-8g',
          additionalNodeNetworks: [
            { network: 'gv-net', subnetwork: 'gv-sub' },
            ...Array.from({ length: 8 }, (_, i) => ({
              network: 'rdma-net',
              subnetwork: `rdma-sub-${i}`,
            })),
          ],
        },
        { name: 'cpu', additionalNodeNetworks: [] },
      ],
    } as unknown as GkeClusterStatus;
    const fromGke = expectationFromGke(gke)!;
    expect(fromGke.pools).toEqual(['h200']);
    expect(fromGke.networks[0]).toEqual({
      vpc: 'gv-net',
      subnet: 'gv-sub',
      deviceMode: 'NetDevice',
    });
    expect(fromGke.networks[8]).toEqual({
      vpc: 'rdma-net',
      subnet: 'rdma-sub-7',
      deviceMode: 'RDMA',
    });
  });
});

describe('checkFabric', () => {
  it('is ok when the objects, the installer and the nodes all match', () => {
    const fabric = checkFabric(healthy())!;
    expect(fabric.state).toBe('ok');
    expect(fabric.networks.every(n => n.state === 'ok')).toBe(true);
    expect(fabric.installer).toMatchObject({
      present: true,
      readyNodes: 2,
      gpuNodes: 2,
      notReadyNodes: [],
    });
    expect(fabric.nodes).toEqual({
      gpuNodes: 2,
      completeNodes: 2,
      incomplete: [],
    });
    expect(fabricFlags(fabric)).toEqual([]);
  });

  it('flags a ParamSet pointing at the wrong VPC, with the fix', () => {
    const input = healthy();
    input.paramSets[3].spec.vpc = 'default';
    const fabric = checkFabric(input)!;
    expect(fabric.state).toBe('degraded');
    const check = fabric.networks.find(n => n.expected.name === 'rdma-2')!;
    expect(check.state).toBe('mismatch');
    expect(check.problems).toEqual([
      `vpc default, expected ${check.expected.vpc}`,
    ]);
    const [flag] = fabricFlags(fabric);
    expect(flag).toMatchObject({
      severity: 'error',
      code: 'FabricNetworkMismatch',
      subject: 'Network rdma-2',
    });
    expect(flag.fix).toContain(`vpc ${check.expected.vpc}`);
  });

  it('flags a wrong deviceMode, a non-Device Network and a missing ParamSet', () => {
    const input = healthy();
    input.paramSets[1].spec.deviceMode = 'NetDevice';
    input.networks[2].spec.type = 'L3';
    input.paramSets.splice(4, 1);
    const fabric = checkFabric(input)!;
    const states = Object.fromEntries(
      fabric.networks.map(n => [n.expected.name, n.state]),
    );
    expect(states).toMatchObject({
      'rdma-0': 'mismatch',
      'rdma-1': 'mismatch',
      'rdma-3': 'missing',
    });
    expect(fabricFlags(fabric).map(f => f.code)).toEqual([
      'FabricNetworkMismatch',
      'FabricNetworkMismatch',
      'FabricNetworkMissing',
    ]);
  });

  it('names the GPU nodes without a ready installer pod', () => {
    const input = healthy();
    input.pods[1].status = { phase: 'Pending', conditions: [] };
    const fabric = checkFabric(input)!;
    expect(fabric.installer).toMatchObject({
      readyNodes: 1,
      notReadyNodes: ['gpu-b'],
    });
    const [flag] = fabricFlags(fabric);
    expect(flag.code).toBe('RdmaInstallerNotReady');
    expect(flag.message).toContain('Ready on 1 of 2 GPU nodes; not on gpu-b');
  });

  it('flags an absent installer only when there are GPU nodes to serve', () => {
    const input = healthy();
    input.daemonSets = [];
    input.pods = [];
    expect(fabricFlags(checkFabric(input))[0].message).toContain(
      'not installed',
    );
    input.nodes = [];
    expect(checkFabric(input)!.state).toBe('ok');
  });

  it('names a node advertising rdma-N.IP but not rdma-N (pods would stay Pending)', () => {
    const input = healthy();
    delete input.nodes[1].status!.allocatable[
      'networking.gke.io.networks/rdma-5'
    ];
    const fabric = checkFabric(input)!;
    expect(fabric.nodes.incomplete).toEqual([
      { node: 'gpu-b', missing: ['rdma-5'] },
    ]);
    const [flag] = fabricFlags(fabric);
    expect(flag).toMatchObject({
      code: 'NodeMissingRdmaInterfaces',
      subject: '1 GPU node(s)',
      reference: 'https://github.com/llm-d/llm-d/issues/1730',
    });
    expect(flag.message).toContain(
      'gpu-b lacks networking.gke.io.networks/rdma-5',
    );
  });

  it('says unknown, with no flags, when its data is missing', () => {
    const input = healthy();
    input.paramSets = [];
    input.networks = [];
    input.section = { state: 'missing', message: 'networks not listed yet' };
    const fabric = checkFabric(input)!;
    expect(fabric.state).toBe('unknown');
    expect(fabricFlags(fabric)).toEqual([]);
  });

  it('is absent on a cluster that neither expects nor has additional networks', () => {
    expect(
      checkFabric({
        ...healthy(),
        networks: [],
        paramSets: [],
        expectation: undefined,
      }),
    ).toBeUndefined();
  });

  it('without an expectation, checks each ParamSet found and the GPU nodes advertising networks', () => {
    const input = { ...healthy(), expectation: undefined };
    input.nodes[0].metadata.labels['cloud.google.com/gke-accelerator'] =
      'nvidia-h200-141gb';
    const fabric = checkFabric(input)!;
    expect(fabric.expectedFrom).toBe('none');
    expect(fabric.networks).toHaveLength(9);
    expect(fabric.nodes.gpuNodes).toBe(1);
  });
});

describe('the fabric section', () => {
  const kinds = (overrides: Record<string, any>) =>
    WATCHED_KINDS.map(kind =>
      kindSourceState(
        kind,
        overrides[kind] ?? { state: 'synced', syncedAt: 't' },
      ),
    );

  it('is not failed without the GKE networking CRDs (those kinds say notInstalled)', () => {
    const sections = sectionStates(
      kinds({
        networks: { state: 'missing', error: '404: not found' },
        gkenetworkparamsets: { state: 'missing', error: '404: not found' },
      }),
    );
    // The installer DaemonSet is a core kind: listed, just empty.
    expect(sections.fabric.state).toBe('ok');
  });

  it('is stale when an informer failed after listing, and missing when it never listed', () => {
    expect(
      sectionStates(
        kinds({
          daemonsets: {
            state: 'error',
            error: '500',
            syncedAt: 't',
            staleSince: 's',
          },
        }),
      ).fabric,
    ).toMatchObject({ state: 'stale', staleSince: 's' });
    expect(
      sectionStates(
        kinds({ networks: { state: 'error', error: '403: forbidden' } }),
      ).fabric,
    ).toMatchObject({
      state: 'missing',
      message: 'networks unavailable (403: forbidden)',
    });
  });
});
