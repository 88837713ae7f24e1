import type { TableColumn } from '@backstage/core-components';
import { useApiHolder } from '@backstage/core-plugin-api';
import type {
  FleetClusterHistory,
  FleetCluster,
  FleetHistory,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { useEffect, useMemo } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Line, LineChart, Tooltip, YAxis } from 'recharts';
import { gpuClusterHistoryApiRef } from '../../api';
import { formatSeconds } from '../ClusterHistoryCard/format';

/** The fleet's series change with each sample (minutes): read them less often than the figures. */
export const FLEET_HISTORY_POLL_INTERVAL_MS = 60_000;

export interface FleetHistoryState {
  /** False in an app without the history API: the column is hidden. */
  available: boolean;
  byRef?: Map<string, FleetClusterHistory>;
  history?: FleetHistory;
  error?: Error;
}

/** The last 24 h of every cluster, by entity ref (lower-case, as the backend keys them). */
export function useFleetHistory(): FleetHistoryState {
  const api = useApiHolder().get(gpuClusterHistoryApiRef);
  const { value, error, retry } = useAsyncRetry(
    async () => api?.getFleetHistory(),
    [api],
  );
  useEffect(() => {
    const timer = setInterval(retry, FLEET_HISTORY_POLL_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [retry]);
  const byRef = useMemo(
    () =>
      value &&
      new Map(
        value.clusters.map(c => [c.entityRef.toLocaleLowerCase('en-US'), c]),
      ),
    [value],
  );
  return { available: !!api, byRef, history: value, error };
}

/** GPUs in use (and queue depth) over the last 24 h, small enough for a table cell. */
export function FleetSparkline(props: { cluster: FleetClusterHistory }) {
  const { points } = props.cluster;
  const last = points[points.length - 1];
  return (
    <div
      data-testid="gpu-fleet-sparkline"
      role="img"
      aria-label={`${points.length} points over 24 h; last: ${
        last?.gpusInUse ?? '?'
      } GPUs in use, ${last?.pendingWorkloads ?? '?'} pending`}
    >
      <LineChart width={140} height={36} data={points}>
        <YAxis hide domain={[0, 'dataMax']} />
        <Tooltip
          labelFormatter={(_, payload) =>
            payload?.[0]?.payload?.t
              ? new Date(payload[0].payload.t).toLocaleString()
              : ''
          }
        />
        <Line
          type="monotone"
          dataKey="gpusInUse"
          name="GPUs in use"
          stroke="#1f77b4"
          dot={points.length < 3}
          isAnimationActive={false}
        />
        <Line
          type="monotone"
          dataKey="pendingWorkloads"
          name="pending"
          stroke="#ff7f0e"
          dot={points.length < 3}
          isAnimationActive={false}
        />
      </LineChart>
    </div>
  );
}

/** The fleet table's "Last 24 h" column. */
export function fleetHistoryColumn<T extends FleetCluster>(
  fleet: FleetHistoryState,
): TableColumn<T> {
  return {
    title: 'Last 24 h (GPUs in use, pending)',
    sorting: false,
    hidden: !fleet.available,
    render: row => {
      if (fleet.error) return 'History unavailable';
      if (!fleet.history) return '…';
      const cluster = fleet.byRef?.get(
        row.entityRef.toLocaleLowerCase('en-US'),
      );
      if (!cluster || cluster.points.length === 0) {
        return `No samples yet (every ${formatSeconds(
          fleet.history.frequencySeconds,
        )})`;
      }
      return <FleetSparkline cluster={cluster} />;
    },
  };
}
