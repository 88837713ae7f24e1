import { Table, type TableColumn } from '@backstage/core-components';
import type {
  ClusterStatus,
  GkeNodePoolStatus,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { SectionNotice, isMissing } from '../SectionNotice';
import { StateChip, toneOfGkeStatus } from '../StateChip';

type Row = GkeNodePoolStatus & { id: string; gpus: string };

/** GKE node pools with their GPUs and the GPU nodes Kubernetes currently sees. @public */
export function NodePoolsTable(props: { status: ClusterStatus }) {
  const { status } = props;
  const usageUnknown =
    isMissing(status, 'gpuUsage') || isMissing(status, 'nodes');
  const rows: Row[] = (status.gke?.nodePools ?? []).map(p => {
    const usage = status.nodePools.find(u => u.nodePool === p.name);
    const cap = usage?.gpus.allocatable ?? 0;
    const used = usage?.gpus.inUse ?? 0;
    let gpus = '—';
    if (p.acceleratorType) gpus = usageUnknown ? 'unknown' : `${used} / ${cap}`;
    return { ...p, id: p.name, gpus };
  });
  const columns: TableColumn<Row>[] = [
    { title: 'Pool', field: 'name' },
    {
      title: 'Status',
      field: 'status',
      render: r => (
        <StateChip tone={toneOfGkeStatus(r.status)}>{r.status}</StateChip>
      ),
    },
    { title: 'Machine', field: 'machineType' },
    {
      title: 'Accelerator',
      render: r =>
        r.acceleratorType
          ? `${r.acceleratorCount ?? 0} × ${r.acceleratorType}`
          : '—',
    },
    {
      title: 'Mode',
      render: r =>
        [
          r.flexStart && 'flex-start',
          r.queuedProvisioning && 'queued',
          r.spot && 'spot',
        ]
          .filter(Boolean)
          .join(', ') || 'on-demand',
    },
    { title: 'Nodes', field: 'nodeCount' },
    { title: 'GPUs in use / allocatable', field: 'gpus' },
  ];
  return (
    <>
      <SectionNotice status={status} section="nodes" />
      {/* Without nodes, GPU usage is missing too: one notice says it. */}
      {!isMissing(status, 'nodes') && (
        <SectionNotice status={status} section="gpuUsage" />
      )}
      <Table<Row>
        title="Node pools"
        options={{ paging: false, search: false, padding: 'dense' }}
        columns={columns}
        data={rows}
        emptyContent={<>No GKE node pools (GKE source unavailable?)</>}
      />
    </>
  );
}
