import { Table, type TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type {
  ClusterStatus,
  ProvisioningRequestStatus,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import FormControl from '@material-ui/core/FormControl';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import { useEffect, useRef, useState } from 'react';
import { gpuClusterApiRef } from '../../api';
import { SectionNotice, isMissing } from '../SectionNotice';

type Row = ProvisioningRequestStatus & { id: string };

const STATES = [
  'Pending',
  'Accepted',
  'Provisioned',
  'BookingExpired',
  'CapacityRevoked',
  'Failed',
] as const;

/** Rows per page when the backend pages the list. */
export const PROVISIONING_PAGE_SIZE = 20;

const columns: TableColumn<Row>[] = [
  {
    title: 'Request',
    field: 'name',
    render: r => `${r.namespace}/${r.name}`,
  },
  { title: 'State', field: 'state' },
  { title: 'Reason', field: 'reason', sorting: false },
  { title: 'Message', field: 'message', sorting: false },
  {
    title: 'Zone',
    sorting: false,
    render: r => r.details.selectedZone ?? '—',
  },
  {
    title: 'Node pool',
    sorting: false,
    render: r => r.details.nodePool ?? '—',
  },
];

/** The page the backend serves, as material-table's remote data asks for it. */
function useRemoteRows(
  cluster: { namespace: string; name: string },
  state: string,
) {
  const api = useApi(gpuClusterApiRef);
  return async (query: {
    page: number;
    pageSize: number;
    orderBy?: { field?: unknown };
    orderDirection?: 'asc' | 'desc' | '';
  }) => {
    const sort = query.orderBy?.field === 'state' ? 'state' : 'name';
    const page = await api.listStatus<ProvisioningRequestStatus>(
      cluster,
      'provisioningrequests',
      {
        state: state || undefined,
        sort,
        order: query.orderDirection === 'desc' ? 'desc' : 'asc',
        offset: query.page * query.pageSize,
        limit: query.pageSize,
      },
    );
    return {
      data: page.items.map(p => ({ ...p, id: `${p.namespace}/${p.name}` })),
      page: query.page,
      totalCount: page.total,
    };
  };
}

function PagedProvisioningRequests(props: {
  status: ClusterStatus;
  cluster: { namespace: string; name: string };
}) {
  const [state, setState] = useState('');
  const rows = useRemoteRows(props.cluster, state);
  const tableRef = useRef<any>();
  const mounted = useRef(false);
  // A new status (the tab polls) or state filter refreshes the page; the table loads the first.
  useEffect(() => {
    if (mounted.current) tableRef.current?.onQueryChange?.();
    mounted.current = true;
  }, [props.status.generatedAt, state]);
  return (
    <Table<Row>
      tableRef={tableRef}
      title={
        <>
          Provisioning requests (DWS){' '}
          <FormControl size="small" style={{ minWidth: 160, marginLeft: 16 }}>
            <InputLabel id="provreq-state-label">State</InputLabel>
            <Select
              labelId="provreq-state-label"
              value={state}
              onChange={e => setState(String(e.target.value))}
            >
              <MenuItem value="">Any</MenuItem>
              {STATES.map(s => (
                <MenuItem key={s} value={s}>
                  {s}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
        </>
      }
      options={{
        paging: true,
        pageSize: PROVISIONING_PAGE_SIZE,
        pageSizeOptions: [PROVISIONING_PAGE_SIZE, 50, 100],
        search: false,
        padding: 'dense',
      }}
      columns={columns}
      data={rows as any}
      emptyContent={
        isMissing(props.status, 'provisioningRequests') ? (
          <>ProvisioningRequests could not be read.</>
        ) : (
          <>No ProvisioningRequests.</>
        )
      }
    />
  );
}

/**
 * DWS ProvisioningRequests with the reason and message GKE wrote, zone and node pool. Given the
 * cluster entity, the backend pages, filters and sorts them; without it, the rows of `status`.
 * @public
 */
export function ProvisioningRequestsTable(props: {
  status: ClusterStatus;
  cluster?: { namespace: string; name: string };
}) {
  if (props.cluster) {
    return (
      <>
        <SectionNotice status={props.status} section="provisioningRequests" />
        <PagedProvisioningRequests
          status={props.status}
          cluster={props.cluster}
        />
      </>
    );
  }
  const rows: Row[] = props.status.provisioningRequests.map(p => ({
    ...p,
    id: `${p.namespace}/${p.name}`,
  }));
  return (
    <>
      <SectionNotice status={props.status} section="provisioningRequests" />
      <Table<Row>
        title="Provisioning requests (DWS)"
        options={{ paging: false, search: false, padding: 'dense' }}
        columns={columns}
        data={rows}
        emptyContent={
          isMissing(props.status, 'provisioningRequests') ? (
            <>ProvisioningRequests could not be read.</>
          ) : (
            <>No ProvisioningRequests.</>
          )
        }
      />
    </>
  );
}
