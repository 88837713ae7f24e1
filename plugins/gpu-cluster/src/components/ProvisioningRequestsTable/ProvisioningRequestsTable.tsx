import { Table, type TableColumn } from '@backstage/core-components';
import type {
  ClusterStatus,
  ProvisioningRequestStatus,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { SectionNotice, isMissing } from '../SectionNotice';

type Row = ProvisioningRequestStatus & { id: string };

/** DWS ProvisioningRequests with the reason and message GKE wrote, zone and node pool. @public */
export function ProvisioningRequestsTable(props: { status: ClusterStatus }) {
  const rows: Row[] = props.status.provisioningRequests.map(p => ({
    ...p,
    id: `${p.namespace}/${p.name}`,
  }));
  const columns: TableColumn<Row>[] = [
    { title: 'Request', render: r => `${r.namespace}/${r.name}` },
    { title: 'State', field: 'state' },
    { title: 'Reason', field: 'reason' },
    { title: 'Message', field: 'message' },
    { title: 'Zone', render: r => r.details.selectedZone ?? '—' },
    { title: 'Node pool', render: r => r.details.nodePool ?? '—' },
  ];
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
