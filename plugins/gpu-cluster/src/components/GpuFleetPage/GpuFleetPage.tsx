import {
  Content,
  Header,
  Link,
  Page,
  ResponseErrorPanel,
  StatusAborted,
  StatusError,
  StatusOK,
  StatusWarning,
  Table,
  type TableColumn,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { EntityRefLink, entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  CLUSTER_ACCESS_REASONS,
  type ClusterStatusSummary,
  type FleetCluster,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { Chip, FormControlLabel, Switch, Typography } from '@material-ui/core';
import { useEffect, useMemo, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { gpuClusterApiRef } from '../../api';
import { StateChip, toneOfGkeStatus } from '../StateChip';
import { fleetHistoryColumn, useFleetHistory } from './FleetHistorySparkline';

/** How often the page reads the fleet again while it is open. */
export const FLEET_POLL_INTERVAL_MS = 30_000;

type Row = FleetCluster & { id: string };

/** GKE's cluster state as the tab shows it. */
function GkeStatus(props: { status?: string }) {
  if (props.status === undefined) return <>—</>;
  return (
    <StateChip tone={toneOfGkeStatus(props.status)}>{props.status}</StateChip>
  );
}

function WorstFlag(props: { row: Row }) {
  const { row } = props;
  if (row.error) {
    const known =
      row.error.reason in CLUSTER_ACCESS_REASONS
        ? CLUSTER_ACCESS_REASONS[
            row.error.reason as keyof typeof CLUSTER_ACCESS_REASONS
          ].title
        : 'No status in time';
    return (
      <StatusAborted>
        {known}: {row.error.message}
      </StatusAborted>
    );
  }
  const flag = row.worstFlag;
  if (!flag) return <StatusOK>No flags</StatusOK>;
  const more =
    row.flagCount && row.flagCount > 1 ? ` (+${row.flagCount - 1} more)` : '';
  const text = `${flag.subject}: ${flag.message}${more}`;
  if (flag.severity === 'error') return <StatusError>{text}</StatusError>;
  if (flag.severity === 'warning') return <StatusWarning>{text}</StatusWarning>;
  return <StatusOK>{text}</StatusOK>;
}

const SEVERITY_RANK = { error: 0, warning: 1, info: 2 } as const;
/** Errors first, then warnings, info, clusters without status, clusters without flags. */
const flagRank = (row: Row) => {
  if (row.error) return 3;
  return row.worstFlag ? SEVERITY_RANK[row.worstFlag.severity] : 4;
};
const numberOrLast = (value: number | undefined) =>
  value === undefined ? Number.NEGATIVE_INFINITY : value;

/** A column of one summary count, '—' for a cluster without status. */
const countColumn = (
  title: string,
  count: keyof ClusterStatusSummary,
): TableColumn<Row> => ({
  title,
  field: `summary.${count}`,
  customSort: (a, b) =>
    numberOrLast(a.summary?.[count]) - numberOrLast(b.summary?.[count]),
  render: row => row.summary?.[count] ?? '—',
});

/**
 * The fleet page: every GPU cluster in the catalog the signed-in user may see, theirs first,
 * with GPUs in use / allocatable, queue depth, waiting ProvisioningRequests and the worst flag;
 * sortable by any column and searchable. A cluster without a status says why.
 * @public
 */
export function GpuFleetPage() {
  const api = useApi(gpuClusterApiRef);
  const entityRoute = useRouteRef(entityRouteRef);
  const [onlyMine, setOnlyMine] = useState(false);
  const fleetHistory = useFleetHistory();
  const { value, error, loading, retry } = useAsyncRetry(
    () => api.getFleet(),
    [api],
  );
  useEffect(() => {
    const timer = setInterval(retry, FLEET_POLL_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [retry]);

  const rows = useMemo<Row[]>(
    () =>
      (value?.clusters ?? [])
        .filter(c => !onlyMine || c.mine)
        .map(c => ({ ...c, id: c.entityRef })),
    [value, onlyMine],
  );

  const columns: TableColumn<Row>[] = [
    {
      title: 'Cluster',
      field: 'title',
      highlight: true,
      render: row => {
        const ref = parseEntityRef(row.entityRef);
        return (
          <>
            <Link
              to={`${entityRoute({
                kind: ref.kind,
                namespace: ref.namespace,
                name: ref.name,
              })}/gpu-cluster`}
            >
              {row.title}
            </Link>
            {row.mine && (
              <Chip size="small" label="yours" style={{ marginLeft: 8 }} />
            )}
          </>
        );
      },
    },
    {
      title: 'Owner',
      field: 'owner',
      render: row =>
        row.owner ? <EntityRefLink entityRef={row.owner} /> : '—',
    },
    {
      title: 'Project / location',
      field: 'projectId',
      render: row =>
        row.projectId
          ? `${row.projectId} / ${row.location ?? '—'}`
          : row.location ?? '—',
    },
    {
      title: 'GKE',
      field: 'gkeStatus',
      render: row => <GkeStatus status={row.gkeStatus} />,
    },
    {
      title: 'GPUs in use / allocatable',
      field: 'summary.gpusInUse',
      customSort: (a, b) =>
        numberOrLast(a.summary?.gpusInUse) - numberOrLast(b.summary?.gpusInUse),
      render: row =>
        row.summary
          ? `${row.summary.gpusInUse ?? '?'} / ${
              row.summary.gpusAllocatable ?? '?'
            }`
          : '—',
    },
    fleetHistoryColumn<Row>(fleetHistory),
    countColumn('Queue depth', 'pendingWorkloads'),
    countColumn('Waiting ProvisioningRequests', 'waitingProvisioningRequests'),
    {
      title: 'Worst flag',
      field: 'worstFlag.message',
      customSort: (a, b) => flagRank(a) - flagRank(b),
      render: row => (
        <>
          <WorstFlag row={row} />
          {row.worstFlag?.fix && (
            <Typography variant="caption" display="block">
              Try: {row.worstFlag.fix}
            </Typography>
          )}
          {row.degradedSections && (
            <Typography variant="caption" display="block">
              Not current: {row.degradedSections.join(', ')}
            </Typography>
          )}
        </>
      ),
    },
  ];

  return (
    <Page themeId="tool">
      <Header
        title="GPU clusters"
        subtitle="Every GPU cluster you can see: capacity in use, queues and what needs attention"
      />
      <Content>
        {error && !value && <ResponseErrorPanel error={error} />}
        <FormControlLabel
          control={
            <Switch
              checked={onlyMine}
              onChange={e => setOnlyMine(e.target.checked)}
              color="primary"
            />
          }
          label="Only my clusters"
        />
        <Table<Row>
          title={
            value
              ? `${rows.length} of ${value.total} GPU clusters${
                  value.total > value.limit
                    ? ` (the first ${value.limit} are listed)`
                    : ''
                }`
              : 'GPU clusters'
          }
          isLoading={loading && !value}
          columns={columns}
          data={rows}
          options={{ search: true, paging: rows.length > 20, pageSize: 20 }}
          emptyContent={
            <Typography style={{ padding: 16 }}>
              {onlyMine
                ? 'You own no GPU cluster yet: create one with the "Create GPU cluster" template.'
                : 'No GPU cluster in the catalog that you can see.'}
            </Typography>
          }
        />
      </Content>
    </Page>
  );
}
