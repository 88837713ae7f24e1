import { InfoCard } from '@backstage/core-components';
import type {
  ClusterStatus,
  FabricNetworkCheck,
  FabricStatus,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { SectionNotice, isMissing } from '../SectionNotice';
import { StateChip, type StateTone } from '../StateChip';

const FABRIC_TONE: Record<FabricStatus['state'], StateTone> = {
  ok: 'ok',
  degraded: 'error',
  unknown: 'pending',
};
const NETWORK_TONE: Record<FabricNetworkCheck['state'], StateTone> = {
  ok: 'ok',
  mismatch: 'error',
  missing: 'error',
};
const EXPECTED_FROM: Record<FabricStatus['expectedFrom'], string> = {
  spec: 'the stack spec the template applied',
  gke: "the node pools' additional networks in GKE",
  none: 'the GKENetworkParamSets found (no expectation known)',
};

const count = (ok: number, of: number): StateTone => {
  if (of === 0) return 'pending';
  return ok === of ? 'ok' : 'error';
};

/**
 * The fabric checks: the GKE Network / GKENetworkParamSet objects against the expected additional
 * networks, the NCCL RDMA installer on every GPU node, and each GPU node advertising its RDMA
 * interfaces. The fix for each mismatch is in the flags. @public
 */
export function FabricCard(props: { status: ClusterStatus }) {
  const fabric = props.status.fabric;
  return (
    <InfoCard title="Fabric (multi-networking and RDMA)">
      <SectionNotice status={props.status} section="fabric" />
      {!fabric && !isMissing(props.status, 'fabric') && (
        <p>This cluster expects no additional networks (no RDMA node pool).</p>
      )}
      {fabric && (
        <>
          <p>
            <StateChip tone={FABRIC_TONE[fabric.state]}>
              {fabric.state}
            </StateChip>{' '}
            Expected networks from {EXPECTED_FROM[fabric.expectedFrom]}.
          </p>
          <p>
            NCCL RDMA installer{' '}
            <StateChip
              tone={
                fabric.installer.present
                  ? count(
                      fabric.installer.readyNodes,
                      fabric.installer.gpuNodes,
                    )
                  : 'error'
              }
            >
              {fabric.installer.present
                ? `ready on ${fabric.installer.readyNodes}/${fabric.installer.gpuNodes} GPU nodes`
                : 'not installed'}
            </StateChip>
            {fabric.installer.notReadyNodes.length > 0 &&
              ` — not ready on ${fabric.installer.notReadyNodes.join(', ')}`}
          </p>
          <p>
            RDMA interfaces advertised{' '}
            <StateChip
              tone={count(fabric.nodes.completeNodes, fabric.nodes.gpuNodes)}
            >
              {`${fabric.nodes.completeNodes}/${fabric.nodes.gpuNodes} GPU nodes`}
            </StateChip>
          </p>
          {fabric.nodes.incomplete.length > 0 && (
            <ul aria-label="Nodes missing RDMA interfaces">
              {fabric.nodes.incomplete.map(n => (
                <li key={n.node}>
                  {n.node} lacks {n.missing.join(', ')}
                </li>
              ))}
            </ul>
          )}
          <ul aria-label="Networks">
            {fabric.networks.map(n => (
              <li
                key={`${n.expected.name}/${n.expected.vpc}/${n.expected.subnet}`}
              >
                <b>{n.expected.name ?? '(no object)'}</b>{' '}
                <StateChip tone={NETWORK_TONE[n.state]}>{n.state}</StateChip>{' '}
                {n.expected.vpc}/{n.expected.subnet}
                {n.expected.deviceMode ? ` ${n.expected.deviceMode}` : ''}
                {n.problems.length > 0 && ` — ${n.problems.join('; ')}`}
              </li>
            ))}
          </ul>
        </>
      )}
    </InfoCard>
  );
}
