import {
  additionalNetworks,
  poolUsesRdma,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { object } from './meta';
import type { KubeObject } from './types';

/**
 * GKENetworkParamSet + Network per additional NIC (gvnic-1, rdma-0 … rdma-7), the objects that let
 * pods attach to the node pool's additional networks (seed 001 step 6). Names match the node
 * pool's additional networks and the pods' `networking.gke.io/interfaces` annotation.
 */
export function renderNetworkObjects(spec: GpuStackSpec): KubeObject[] {
  if (!spec.nodePools.some(poolUsesRdma)) return [];
  return additionalNetworks(spec).flatMap(net => [
    object(
      spec,
      'networking',
      'networking.gke.io/v1',
      'GKENetworkParamSet',
      { name: net.k8sName },
      {
        spec: {
          vpc: net.network,
          vpcSubnet: net.subnetwork,
          deviceMode: net.deviceMode,
        },
      },
    ),
    object(
      spec,
      'networking',
      'networking.gke.io/v1',
      'Network',
      { name: net.k8sName },
      {
        spec: {
          type: 'Device',
          parametersRef: {
            group: 'networking.gke.io',
            kind: 'GKENetworkParamSet',
            name: net.k8sName,
          },
        },
      },
    ),
  ]);
}

/** Pod annotations attaching eth0 (default), eth1 (gvnic-1) and eth2… (rdma-N). */
export function podNetworkAnnotations(
  spec: GpuStackSpec,
): Record<string, string> {
  const interfaces = [
    { interfaceName: 'eth0', network: 'default' },
    ...additionalNetworks(spec).map(n => ({
      interfaceName: n.interfaceName,
      network: n.k8sName,
    })),
  ];
  return {
    'networking.gke.io/default-interface': 'eth0',
    'networking.gke.io/interfaces': JSON.stringify(interfaces),
  };
}
