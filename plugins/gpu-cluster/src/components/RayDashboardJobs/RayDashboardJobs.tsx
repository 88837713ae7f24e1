import {
  CopyTextButton,
  Table,
  type TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import type {
  RayClusterStatus,
  RayDashboardJob,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { Button, Typography } from '@material-ui/core';
import { useState } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { gpuClusterApiRef } from '../../api';
import { StateChip, type StateTone } from '../StateChip';

/** Ray's job states (JobStatus in the Ray Jobs API) as the tab's status chips. */
const RAY_JOB_TONES: Record<string, StateTone> = {
  SUCCEEDED: 'ok',
  RUNNING: 'running',
  PENDING: 'pending',
  STOPPED: 'aborted',
  FAILED: 'error',
};

type Row = RayDashboardJob & { id: string };

const columns: TableColumn<Row>[] = [
  {
    title: 'Submission',
    field: 'submissionId',
    render: r => r.submissionId ?? r.jobId ?? '—',
  },
  {
    title: 'State',
    field: 'status',
    render: r => (
      <StateChip tone={RAY_JOB_TONES[r.status] ?? 'warning'}>
        {r.status}
      </StateChip>
    ),
  },
  {
    title: 'Entrypoint',
    field: 'entrypoint',
    render: r => <code>{r.entrypoint ?? '—'}</code>,
  },
  { title: 'Started', field: 'startTime', render: r => r.startTime ?? '—' },
  { title: 'Ended', field: 'endTime', render: r => r.endTime ?? '—' },
  { title: 'Message', field: 'message', render: r => r.message ?? '' },
];

/**
 * How to open a RayCluster's dashboard (a port-forward: it has no authentication of its own, so
 * it is never exposed) and, on request, the jobs it lists, read by the backend through the
 * Kubernetes API server (jobs submitted with `ray job submit` included, which no Kubernetes
 * object shows). Reading the jobs is for the cluster's owners (`gpuCluster.ray.jobs.read`).
 * @public
 */
export function RayDashboardJobs(props: {
  entityRef: string;
  rayCluster: RayClusterStatus;
}) {
  const { rayCluster } = props;
  const api = useApi(gpuClusterApiRef);
  const [shown, setShown] = useState(false);
  const [{ value, error, loading }, load] = useAsyncFn(() => {
    const ref = parseEntityRef(props.entityRef);
    return api.getRayJobs(
      { namespace: ref.namespace, name: ref.name },
      { namespace: rayCluster.namespace, name: rayCluster.name },
    );
  }, [api, props.entityRef, rayCluster.namespace, rayCluster.name]);
  const port = rayCluster.dashboardPort ?? 8265;

  return (
    <div>
      {rayCluster.portForwardCommand && (
        <Typography variant="body2" component="div">
          Dashboard: run <code>{rayCluster.portForwardCommand}</code>{' '}
          <CopyTextButton
            text={rayCluster.portForwardCommand}
            tooltipText="Copied"
            aria-label="Copy the port-forward command"
          />{' '}
          then open{' '}
          <a href={`http://localhost:${port}`} target="_blank" rel="noreferrer">
            http://localhost:{port}
          </a>
          .
        </Typography>
      )}
      {!shown && (
        <Button
          size="small"
          variant="outlined"
          onClick={() => {
            setShown(true);
            load();
          }}
        >
          Jobs of {rayCluster.name} from its dashboard
        </Button>
      )}
      {shown && error && (
        <Typography color="error" variant="body2">
          {error.message}
        </Typography>
      )}
      {shown && !error && (
        <Table<Row>
          title={
            value
              ? `Ray jobs of ${rayCluster.name} (${value.jobs.length} of ${value.total})`
              : `Ray jobs of ${rayCluster.name}`
          }
          isLoading={loading}
          columns={columns}
          data={(value?.jobs ?? []).map((j, i) => ({
            ...j,
            id: j.submissionId ?? j.jobId ?? String(i),
          }))}
          options={{ search: false, paging: false, padding: 'dense' }}
          emptyContent={
            <Typography style={{ padding: 16 }}>
              The dashboard lists no jobs.
            </Typography>
          }
        />
      )}
    </div>
  );
}
