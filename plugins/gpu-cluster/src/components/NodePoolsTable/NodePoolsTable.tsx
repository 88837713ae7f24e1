import { Table, type TableColumn } from '@backstage/core-components';
import type {
  ClusterStatus,
  GkeNodePoolStatus,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';

type Row = GkeNodePoolStatus & { id: string; gpus: string };

/** GKE node pools with their GPUs and the GPU nodes Kubernetes currently sees. @public */
export function NodePoolsTable(props: { status: ClusterStatus }) {
  const { status } = props;
  const rows: Row[] = (status.gke?.nodePools ?? []).map(p => {
    const nodes = status.nodes.filter(n => n.nodePool === p.name);
    const cap = nodes.reduce((s, n) => s + n.gpus.allocatable, 0);
    const used = nodes.reduce((s, n) => s + n.gpus.inUse, 0);
    return {
      ...p,
      id: p.name,
      gpus: p.acceleratorType ? `${used} / ${cap}` : '—',
    };
  });
  const columns: TableColumn<Row>[] = [
    { title: 'Pool', field: 'name' },
    { title: 'Status', field: 'status' },
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
    <Table<Row>
      title="Node pools"
      options={{ paging: false, search: false, padding: 'dense' }}
      columns={columns}
      data={rows}
      emptyContent={<>No GKE node pools (GKE source unavailable?)</>}
    />
  );
}
