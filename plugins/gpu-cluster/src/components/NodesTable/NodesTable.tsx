import type { TableColumn } from '@backstage/core-components';
import type {
  ClusterStatus,
  NodeStatus,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { useState } from 'react';
import {
  FilterSelect,
  PagedStatusTable,
  type ClusterRef,
} from '../PagedStatusTable';
import { isMissing } from '../SectionNotice';
import { StateChip } from '../StateChip';

type Row = NodeStatus & { id: string };

const SORT_KEYS: Record<string, string> = {
  name: 'name',
  nodePool: 'nodePool',
  'gpus.inUse': 'gpusInUse',
};

const columns: TableColumn<Row>[] = [
  { title: 'Node', field: 'name' },
  { title: 'Pool', field: 'nodePool', render: r => r.nodePool ?? '—' },
  { title: 'Zone', field: 'zone', sorting: false },
  {
    title: 'Ready',
    sorting: false,
    render: r => {
      const text = `${r.ready ? 'Ready' : 'NotReady'}${
        r.unschedulable ? ', cordoned' : ''
      }`;
      return (
        <StateChip tone={r.ready && !r.unschedulable ? 'ok' : 'error'}>
          {text}
        </StateChip>
      );
    },
  },
  {
    title: 'GPUs in use / allocatable',
    field: 'gpus.inUse',
    render: r => `${r.gpus.inUse} / ${r.gpus.allocatable}`,
  },
  {
    title: 'RDMA networks',
    sorting: false,
    render: r => r.networks.join(', ') || '—',
  },
];

/**
 * The cluster's nodes, one page at a time from the backend, filtered by node pool and readiness.
 * @public
 */
export function NodesTable(props: {
  status: ClusterStatus;
  cluster: ClusterRef;
}) {
  const [nodePool, setNodePool] = useState('');
  const [ready, setReady] = useState('');
  const pools = props.status.nodePools.flatMap(p =>
    p.nodePool ? [p.nodePool] : [],
  );
  return (
    <PagedStatusTable<NodeStatus>
      cluster={props.cluster}
      list="nodes"
      generatedAt={props.status.generatedAt}
      title={
        <>
          Nodes{' '}
          <FilterSelect
            id="nodes-pool"
            label="Pool"
            value={nodePool}
            options={[
              { value: '', label: 'Any' },
              ...pools.map(p => ({ value: p, label: p })),
            ]}
            onChange={setNodePool}
          />
          <FilterSelect
            id="nodes-ready"
            label="Readiness"
            value={ready}
            options={[
              { value: '', label: 'Any' },
              { value: 'ready', label: 'Ready' },
              { value: 'notReady', label: 'Not ready' },
            ]}
            onChange={setReady}
          />
        </>
      }
      filters={{ nodePool: nodePool || undefined, state: ready || undefined }}
      columns={columns}
      sortKeyOf={field => SORT_KEYS[String(field)] ?? 'name'}
      rowId={n => n.name}
      emptyContent={
        isMissing(props.status, 'nodes')
          ? 'Nodes could not be read.'
          : 'No nodes.'
      }
    />
  );
}
