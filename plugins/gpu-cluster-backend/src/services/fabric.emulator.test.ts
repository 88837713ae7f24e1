import { mockServices } from '@backstage/backend-test-utils';
import {
  DEMO,
  ManualClock,
  startKubeEmulator,
  type FabricFault,
  type KubeEmulator,
} from '@gpu-platform/emulators';
import { DefaultClusterStatusService } from './ClusterStatusService';
import type { GpuClusterConfig } from './config';

/** The demo cluster through the real informers, with a fabric fault injected into the emulator. */
async function statusOf(
  fabricFault?: FabricFault,
  prepare?: (kube: KubeEmulator) => void,
) {
  const kube = await startKubeEmulator({
    fixtures: 'demo',
    clock: new ManualClock(),
    scenarios: fabricFault ? { fabricFault } : {},
  });
  // The DaemonSet controller places the installer pods.
  kube.scenarios.engine.runFor(1000);
  prepare?.(kube);
  const service = new DefaultClusterStatusService({
    config: {
      clusters: [],
      statusCacheTtlMs: 60_000,
      gkeCacheTtlMs: 60_000,
      discovery: 'none',
      discoveryAllowList: [],
      gke: {},
    },
    logger: mockServices.logger.mock(),
    cache: mockServices.cache.mock(),
  });
  const cluster: GpuClusterConfig = {
    name: DEMO.cluster,
    entityRef: `resource:default/${DEMO.cluster}`,
    kubernetes: { url: kube.url, caData: kube.caPem, token: kube.token },
  };
  try {
    return await service.getStatus(cluster.entityRef, cluster);
  } finally {
    await service.stop();
    // Bounded, as in ClusterStatusService.test.ts.
    await Promise.race([
      kube.stop(),
      new Promise(resolve => setTimeout(resolve, 3000).unref()),
    ]);
  }
}

// Each test starts its own emulator and informers; the shared CI machine is slow.
jest.setTimeout(60_000);

describe('fabric checks against the emulated demo cluster', () => {
  it('finds the demo fabric healthy: 9 networks, the installer on every GPU node', async () => {
    const status = await statusOf();
    expect(status.sections.fabric).toEqual({ state: 'ok' });
    const fabric = status.fabric!;
    expect(fabric.state).toBe('ok');
    expect(fabric.networks.map(n => n.expected.name)).toEqual([
      'gvnic-1',
      ...DEMO.rdmaNetworks,
    ]);
    expect(fabric.installer.present).toBe(true);
    expect(fabric.installer.gpuNodes).toBeGreaterThan(0);
    expect(fabric.installer.readyNodes).toBe(fabric.installer.gpuNodes);
    expect(fabric.nodes.completeNodes).toBe(fabric.nodes.gpuNodes);
    expect(
      status.flags.items.filter(f =>
        /^(Fabric|Rdma|NodeMissingRdma)/.test(f.code),
      ),
    ).toEqual([]);
  });

  it('flags a GPU node whose installer does not become ready', async () => {
    const status = await statusOf('installer-not-ready');
    expect(status.fabric!.state).toBe('degraded');
    expect(status.fabric!.installer.notReadyNodes).toHaveLength(1);
    const flag = status.flags.items.find(
      f => f.code === 'RdmaInstallerNotReady',
    )!;
    expect(flag.message).toContain(status.fabric!.installer.notReadyNodes[0]);
  });

  it('flags a GPU node that advertises rdma-N.IP but not rdma-N', async () => {
    const status = await statusOf('missing-rdma-interfaces');
    const [incomplete] = status.fabric!.nodes.incomplete;
    expect(incomplete.missing).toEqual(DEMO.rdmaNetworks);
    expect(
      status.flags.items.find(f => f.code === 'NodeMissingRdmaInterfaces'),
    ).toMatchObject({ severity: 'error' });
  });

  it('says unknown, not healthy, when the ParamSets cannot be listed', async () => {
    const status = await statusOf(undefined, kube =>
      kube.authorizer.forbid({
        verb: 'list',
        group: 'networking.gke.io',
        resource: 'gkenetworkparamsets',
      }),
    );
    expect(status.sections.fabric.state).toBe('missing');
    expect(
      status.sources
        .find(s => s.name === 'kubernetes')!
        .kinds!.find(k => k.kind === 'gkenetworkparamsets'),
    ).toMatchObject({ state: 'unavailable' });
    expect(status.fabric?.state).toBe('unknown');
    expect(status.flags.items.filter(f => f.code.startsWith('Fabric'))).toEqual(
      [],
    );
  });
});
