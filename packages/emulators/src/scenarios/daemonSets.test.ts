import { ManualClock } from '../clock';
import { startKubeEmulator, type KubeEmulator } from '../kube/KubeEmulator';
import { demoGpuNodePool } from '../gke/demo';
import { FABRIC_FAULT_ANNOTATION, type FabricFault } from './daemonSets';

const INSTALLER = 'nccl-rdma-installer';

async function demo(fabricFault?: FabricFault): Promise<KubeEmulator> {
  const emu = await startKubeEmulator({
    port: 0,
    fixtures: 'demo',
    clock: new ManualClock(),
    scenarios: fabricFault ? { fabricFault } : {},
  });
  emu.scenarios.engine.runFor(1000);
  return emu;
}

const gpuNodes = (emu: KubeEmulator) =>
  emu.client
    .list('v1', 'Node')
    .filter(n => n.metadata.labels['cloud.google.com/gke-accelerator'])
    .map(n => n.metadata.name)
    .sort();
const installerPods = (emu: KubeEmulator) =>
  emu.client
    .list('v1', 'Pod', 'kube-system')
    .filter(p => p.metadata.ownerReferences?.[0]?.name === INSTALLER);

describe('the NCCL RDMA installer DaemonSet', () => {
  let emu: KubeEmulator | undefined;
  afterEach(async () => {
    await emu?.stop();
    emu = undefined;
  });

  it('runs one ready pod per GPU node and counts them in its status', async () => {
    emu = await demo();
    const nodes = gpuNodes(emu);
    expect(nodes.length).toBeGreaterThan(0);
    const pods = installerPods(emu);
    expect(pods.map(p => p.spec.nodeName).sort()).toEqual(nodes);
    expect(pods.every(p => p.status.phase === 'Running')).toBe(true);
    // CPU-only nodes do not match the installer's node affinity.
    expect(emu.client.list('v1', 'Node').length).toBeGreaterThan(nodes.length);
    expect(
      emu.client.get('apps/v1', 'DaemonSet', INSTALLER, 'kube-system')!.status,
    ).toMatchObject({
      desiredNumberScheduled: nodes.length,
      numberReady: nodes.length,
      numberAvailable: nodes.length,
    });
  });

  it('keeps the pod of a node with the installer-not-ready fault in CrashLoopBackOff', async () => {
    emu = await demo('installer-not-ready');
    const [broken] = gpuNodes(emu);
    const node = emu.client.get('v1', 'Node', broken)!;
    expect(node.metadata.annotations[FABRIC_FAULT_ANNOTATION]).toBe(
      'installer-not-ready',
    );
    const pod = installerPods(emu).find(p => p.spec.nodeName === broken)!;
    expect(pod.status.phase).toBe('Pending');
    expect(pod.status.initContainerStatuses[0].state.waiting.reason).toBe(
      'CrashLoopBackOff',
    );
    const status = emu.client.get(
      'apps/v1',
      'DaemonSet',
      INSTALLER,
      'kube-system',
    )!.status;
    expect(status.numberReady).toBe(status.desiredNumberScheduled - 1);
    expect(status.numberUnavailable).toBe(1);
  });

  it("removes a node's rdma-N resources but keeps rdma-N.IP (missing-rdma-interfaces)", async () => {
    emu = await demo('missing-rdma-interfaces');
    const [broken, healthy] = gpuNodes(emu);
    const allocatable = emu.client.get('v1', 'Node', broken)!.status
      .allocatable;
    expect(allocatable['networking.gke.io.networks/rdma-0']).toBeUndefined();
    expect(allocatable['networking.gke.io.networks/rdma-0.IP']).toBe('1');
    expect(
      emu.client.get('v1', 'Node', healthy)!.status.allocatable[
        'networking.gke.io.networks/rdma-0'
      ],
    ).toBe('1');
  });

  it('points rdma-3 at the default VPC (paramset-wrong-vpc)', async () => {
    emu = await demo('paramset-wrong-vpc');
    const get = (name: string) =>
      emu!.client.get('networking.gke.io/v1', 'GKENetworkParamSet', name)!;
    expect(get('rdma-3').spec.vpc).toBe('default');
    // The others match the GKE demo pool's additional node networks.
    const configs = demoGpuNodePool().networkConfig!
      .additionalNodeNetworkConfigs! as {
      network: string;
      subnetwork: string;
    }[];
    expect(get('rdma-2').spec).toMatchObject({
      vpc: configs[3].network,
      vpcSubnet: configs[3].subnetwork,
      deviceMode: 'RDMA',
    });
    expect(get('gvnic-1').spec).toMatchObject({
      vpc: configs[0].network,
      vpcSubnet: configs[0].subnetwork,
      deviceMode: 'NetDevice',
    });
  });
});
