import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  type TableColumn,
} from '@backstage/core-components';
import { useApiHolder } from '@backstage/core-plugin-api';
import type {
  ClusterHistory,
  QueueWaitStats,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { Box, Typography } from '@material-ui/core';
import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import { useEffect, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { gpuClusterHistoryApiRef } from '../../api';
import { formatSeconds, formatWait, tickOf } from './format';

/** The ranges the card offers, newest at the right of the charts. */
export const HISTORY_RANGES = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
} as const;
export type HistoryRange = keyof typeof HISTORY_RANGES;

/** The card reads again this often while open (samples come every few minutes at most). */
export const HISTORY_POLL_INTERVAL_MS = 60_000;

const COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
];

interface SeriesLine {
  key: string;
  name: string;
}

/**
 * One small line chart over the whole window on a time axis (so a gap in sampling shows as one),
 * a point drawn while there are too few for a line.
 */
function HistoryChart(props: {
  title: string;
  data: Array<Record<string, number | string | undefined>>;
  lines: SeriesLine[];
  window: { from: string; to: string };
}) {
  const { lines } = props;
  const from = Date.parse(props.window.from);
  const to = Date.parse(props.window.to);
  const spanMs = to - from;
  const data = props.data.map(d => ({ ...d, ts: Date.parse(String(d.t)) }));
  return (
    <Box
      mb={2}
      data-testid="gpu-cluster-history-chart"
      aria-label={`${props.title}: ${data.length} points`}
      role="img"
    >
      <Typography variant="subtitle2">{props.title}</Typography>
      <ResponsiveContainer width="100%" height={200}>
        <LineChart
          data={data}
          margin={{ top: 8, right: 16, left: 0, bottom: 0 }}
        >
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            dataKey="ts"
            type="number"
            scale="time"
            domain={[from, to]}
            tickFormatter={(ts: number) => tickOf(ts, spanMs)}
            minTickGap={24}
          />
          <YAxis allowDecimals={false} width={40} />
          <Tooltip
            labelFormatter={ts => new Date(Number(ts)).toLocaleString()}
          />
          <Legend />
          {lines.map((line, i) => (
            <Line
              key={line.key}
              type="monotone"
              dataKey={line.key}
              name={line.name}
              stroke={COLORS[i % COLORS.length]}
              dot={data.length < 3}
              isAnimationActive={false}
              connectNulls
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </Box>
  );
}

const waitColumns: TableColumn<QueueWaitStats & { id: string }>[] = [
  {
    title: 'Queue',
    field: 'localQueue',
    render: row =>
      `${row.localQueue ?? '(no LocalQueue)'}${
        row.clusterQueue ? ` → ${row.clusterQueue}` : ''
      }`,
  },
  { title: 'Provisioned', field: 'provisioned', type: 'numeric' },
  { title: 'p50', field: 'p50Seconds', render: r => formatWait(r.p50Seconds) },
  { title: 'p90', field: 'p90Seconds', render: r => formatWait(r.p90Seconds) },
  { title: 'p99', field: 'p99Seconds', render: r => formatWait(r.p99Seconds) },
  { title: 'Waiting now', field: 'waiting', type: 'numeric' },
  {
    title: 'Oldest waiting',
    field: 'oldestWaitingSeconds',
    render: r => formatWait(r.oldestWaitingSeconds),
  },
];

/** What the card shows once a history has been read. */
export function ClusterHistoryView(props: {
  history: ClusterHistory;
  range: HistoryRange;
}) {
  const { history, range } = props;
  const every = formatSeconds(history.frequencySeconds);
  if (history.points.length === 0) {
    return (
      <Typography>
        {history.lastSampleAt
          ? `No samples in the last ${range}; the newest is from ${new Date(
              history.lastSampleAt,
            ).toLocaleString()} (sampling every ${every}).`
          : `No samples yet: sampling every ${every}; the first appears shortly after the backend starts.`}
      </Typography>
    );
  }
  const samples = history.points.reduce((n, p) => n + p.samples, 0);
  const clusterQueues = history.queues.filter(q => q.kind === 'ClusterQueue');
  // One row per step with a column per ClusterQueue, for one chart of their depths.
  const queueRows = new Map<string, Record<string, number | string>>();
  clusterQueues.forEach((q, i) => {
    for (const p of q.points) {
      const row = queueRows.get(p.t) ?? { t: p.t };
      row[`q${i}`] = p.pending;
      queueRows.set(p.t, row);
    }
  });
  return (
    <>
      <Typography variant="body2" gutterBottom>
        {samples} {samples === 1 ? 'sample' : 'samples'} in the last {range},
        averaged per {formatSeconds(history.stepSeconds)} (sampling every{' '}
        {every}, kept {formatSeconds(history.retentionSeconds)}).
      </Typography>
      <HistoryChart
        title="GPUs"
        data={history.points as any}
        lines={[
          { key: 'gpusInUse', name: 'in use' },
          { key: 'gpusAllocatable', name: 'allocatable' },
        ]}
        window={history}
      />
      <HistoryChart
        title="Workloads and ProvisioningRequests"
        data={history.points as any}
        lines={[
          { key: 'pendingWorkloads', name: 'pending (queue depth)' },
          { key: 'admittedWorkloads', name: 'admitted' },
          {
            key: 'waitingProvisioningRequests',
            name: 'ProvisioningRequests waiting',
          },
        ]}
        window={history}
      />
      {clusterQueues.length > 0 && (
        <HistoryChart
          title="Pending workloads per ClusterQueue"
          data={[...queueRows.values()].sort((a, b) =>
            String(a.t).localeCompare(String(b.t)),
          )}
          lines={clusterQueues.map((q, i) => ({ key: `q${i}`, name: q.name }))}
          window={history}
        />
      )}
      <Table
        title="ProvisioningRequest wait per queue (created → Provisioned)"
        options={{ paging: false, search: false, padding: 'dense' }}
        columns={waitColumns}
        data={history.waits.map(w => ({
          ...w,
          id: `${w.localQueue ?? ''}/${w.clusterQueue ?? ''}`,
        }))}
        emptyContent={
          <Typography style={{ padding: 16 }}>
            No ProvisioningRequest seen in the last {range}.
          </Typography>
        }
      />
      {history.waitsTruncated && (
        <Typography variant="caption">
          Percentiles over the newest {history.waitSampleLimit} provisioned
          requests of the window.
        </Typography>
      )}
    </>
  );
}

/**
 * The "History" card of the GPU cluster tab: GPUs in use, queue depth, admitted and waiting
 * workloads over 1 h / 24 h / 7 d, and ProvisioningRequest wait percentiles per queue, from the
 * samples the backend records. Renders nothing in an app without the history API.
 * @public
 */
export function ClusterHistoryCard(props: {
  cluster: { namespace: string; name: string };
}) {
  const api = useApiHolder().get(gpuClusterHistoryApiRef);
  const [range, setRange] = useState<HistoryRange>('1h');
  const { namespace, name } = props.cluster;
  const { value, loading, error, retry } = useAsyncRetry(async () => {
    if (!api) return undefined;
    const to = Date.now();
    return api.getHistory(
      { namespace, name },
      {
        from: new Date(to - HISTORY_RANGES[range]).toISOString(),
        to: new Date(to).toISOString(),
      },
    );
  }, [api, namespace, name, range]);
  useEffect(() => {
    const timer = setInterval(retry, HISTORY_POLL_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [retry]);
  if (!api) return null;
  return (
    <InfoCard
      title="History"
      action={
        <ToggleButtonGroup
          size="small"
          exclusive
          value={range}
          onChange={(_, next: HistoryRange | null) => next && setRange(next)}
          aria-label="History range"
        >
          {Object.keys(HISTORY_RANGES).map(r => (
            <ToggleButton key={r} value={r} aria-label={`last ${r}`}>
              {r}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
      }
    >
      {error && <ResponseErrorPanel error={error} />}
      {!value && loading && <Progress />}
      {value && <ClusterHistoryView history={value} range={range} />}
    </InfoCard>
  );
}
