import {
  gkeNodePool,
  type EmulatedNodePool,
} from '../scenarios/cluster/nodePools';
import { DEMO } from './names';

/**
 * The demo cluster's node pools, as the GKE emulator's demo cluster declares them
 * (src/gke/demo.ts): a two-node e2-standard-8 `default-pool` for system workloads and Ray heads,
 * and the queued-provisioning (DWS flex-start) `h200-dws` pool of a3-ultragpu-8g nodes that only
 * grows through ProvisioningRequests, up to four nodes.
 */
export function demoNodePools(): EmulatedNodePool[] {
  return [
    gkeNodePool({
      name: 'default-pool',
      machineType: 'e2-standard-8',
      vcpus: 8,
      memoryGb: 32,
      nodeCount: 2,
      zone: DEMO.zone,
    }),
    gkeNodePool({
      name: DEMO.nodePool,
      machineType: DEMO.machineType,
      vcpus: 224,
      memoryGb: 2952,
      accelerator: { type: DEMO.accelerator, count: DEMO.gpusPerNode },
      queuedProvisioning: true,
      flexStart: true,
      minNodes: 0,
      maxNodes: 4,
      zone: DEMO.zone,
      bootDiskGb: 500,
      // Multi-networking: one RDMA NIC per network, as the fixture GPU nodes advertise.
      extendedResources: Object.fromEntries(
        DEMO.rdmaNetworks.flatMap(n => [
          [`networking.gke.io.networks/${n}`, 1],
          [`networking.gke.io.networks/${n}.IP`, 1],
        ]),
      ),
    }),
  ];
}
