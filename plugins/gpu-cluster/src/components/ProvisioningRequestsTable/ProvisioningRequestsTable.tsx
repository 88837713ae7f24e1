import type { TableColumn } from '@backstage/core-components';
import type {
  ClusterStatus,
  ProvisioningRequestStatus,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { useState } from 'react';
import {
  FilterSelect,
  PagedStatusTable,
  type ClusterRef,
} from '../PagedStatusTable';
import { SectionNotice, isMissing } from '../SectionNotice';
import { StateChip, toneOfProvisioning } from '../StateChip';

type Row = ProvisioningRequestStatus & { id: string };

const STATES = [
  'Pending',
  'Accepted',
  'Provisioned',
  'BookingExpired',
  'CapacityRevoked',
  'Failed',
] as const;

const columns: TableColumn<Row>[] = [
  {
    title: 'Request',
    field: 'name',
    render: r => `${r.namespace}/${r.name}`,
  },
  {
    title: 'State',
    field: 'state',
    render: r => (
      <StateChip tone={toneOfProvisioning(r.state)}>{r.state}</StateChip>
    ),
  },
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

/**
 * DWS ProvisioningRequests with the reason and message GKE wrote, zone and node pool; the backend
 * pages, filters (state) and sorts them.
 * @public
 */
export function ProvisioningRequestsTable(props: {
  status: Pick<ClusterStatus, 'generatedAt' | 'sections'>;
  cluster: ClusterRef;
}) {
  const [state, setState] = useState('');
  return (
    <>
      <SectionNotice status={props.status} section="provisioningRequests" />
      <PagedStatusTable<ProvisioningRequestStatus>
        cluster={props.cluster}
        list="provisioningrequests"
        generatedAt={props.status.generatedAt}
        title={
          <>
            Provisioning requests (DWS){' '}
            <FilterSelect
              id="provreq-state"
              label="State"
              value={state}
              options={[
                { value: '', label: 'Any' },
                ...STATES.map(s => ({ value: s, label: s })),
              ]}
              onChange={setState}
            />
          </>
        }
        filters={{ state: state || undefined }}
        columns={columns}
        sortKeyOf={field => (field === 'state' ? 'state' : 'name')}
        rowId={p => `${p.namespace}/${p.name}`}
        emptyContent={
          isMissing(props.status, 'provisioningRequests')
            ? 'ProvisioningRequests could not be read.'
            : 'No ProvisioningRequests.'
        }
      />
    </>
  );
}
