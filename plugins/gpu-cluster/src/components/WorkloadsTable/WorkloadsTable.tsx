import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  type TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type {
  ClusterStatus,
  WorkloadPhase,
  WorkloadStatus,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import Button from '@material-ui/core/Button';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { gpuClusterApiRef } from '../../api';
import {
  FilterSelect,
  PagedStatusTable,
  type ClusterRef,
} from '../PagedStatusTable';
import { isMissing } from '../SectionNotice';
import { StateChip, toneOfWorkloadPhase } from '../StateChip';
import { ExplanationView } from '../WhyNotRunning';

type Row = WorkloadStatus & { id: string };

const PHASES: WorkloadPhase[] = [
  'Pending',
  'QuotaReserved',
  'Admitted',
  'Running',
  'Evicted',
  'Finished',
  'Failed',
  'Inactive',
];

const SORT_KEYS: Record<string, string> = {
  name: 'name',
  phase: 'phase',
  gpus: 'gpus',
  createdAt: 'createdAt',
};

/**
 * Why one workload is (not) running: from the summary's head when it is there, otherwise asked
 * of the backend (`GET .../workloads/:ns/:name/explain`) when the user picks it.
 */
function WorkloadWhy(props: {
  status: Pick<ClusterStatus, 'generatedAt' | 'sections' | 'explanations'>;
  cluster: ClusterRef;
  workload: { namespace: string; name: string };
}) {
  const api = useApi(gpuClusterApiRef);
  const { namespace, name } = props.workload;
  const inHead = props.status.explanations.items.find(
    e => e.namespace === namespace && e.workload === name,
  );
  const fetched = useAsync(
    async () =>
      inHead ? undefined : api.explain(props.cluster, { namespace, name }),
    [namespace, name, inHead === undefined],
  );
  const explanation = inHead ?? fetched.value;
  return (
    <InfoCard title={`Why: ${namespace}/${name}`}>
      {fetched.loading && <Progress />}
      {fetched.error && <ResponseErrorPanel error={fetched.error} />}
      {explanation && <ExplanationView explanation={explanation} />}
    </InfoCard>
  );
}

/**
 * Every Workload, a page at a time from the backend (unfinished ones by default), filtered by
 * phase and sorted; "Why?" explains the one picked.
 * @public
 */
export function WorkloadsTable(props: {
  status: Pick<ClusterStatus, 'generatedAt' | 'sections' | 'explanations'>;
  cluster: ClusterRef;
}) {
  const [show, setShow] = useState('unfinished');
  const [phase, setPhase] = useState('');
  const [picked, setPicked] = useState<{ namespace: string; name: string }>();
  const columns: TableColumn<Row>[] = [
    {
      title: 'Workload',
      field: 'name',
      render: r => `${r.namespace}/${r.name}`,
    },
    {
      title: 'Owner',
      sorting: false,
      render: r => (r.owner ? `${r.owner.kind} ${r.owner.name}` : '—'),
    },
    {
      title: 'Queue',
      sorting: false,
      render: r => r.queueName ?? r.clusterQueue ?? '—',
    },
    {
      title: 'Phase',
      field: 'phase',
      render: r => (
        <StateChip tone={toneOfWorkloadPhase(r.phase)}>{r.phase}</StateChip>
      ),
    },
    { title: 'GPUs', field: 'gpus' },
    { title: 'Created', field: 'createdAt' },
    {
      title: '',
      sorting: false,
      render: r => (
        <Button
          size="small"
          variant="outlined"
          aria-label={`why ${r.namespace}/${r.name}`}
          onClick={() => setPicked({ namespace: r.namespace, name: r.name })}
        >
          Why?
        </Button>
      ),
    },
  ];
  return (
    <>
      {/* The section's notice is in "Why is it not running?", just above. */}
      <PagedStatusTable<WorkloadStatus>
        cluster={props.cluster}
        list="workloads"
        generatedAt={props.status.generatedAt}
        title={
          <>
            Workloads{' '}
            <FilterSelect
              id="workloads-show"
              label="Show"
              value={show}
              options={[
                { value: 'unfinished', label: 'Unfinished' },
                { value: '', label: 'All' },
              ]}
              onChange={setShow}
            />
            <FilterSelect
              id="workloads-phase"
              label="Phase"
              value={phase}
              options={[
                { value: '', label: 'Any' },
                ...PHASES.map(p => ({ value: p, label: p })),
              ]}
              onChange={setPhase}
            />
          </>
        }
        filters={{
          unfinished: show === 'unfinished' ? true : undefined,
          state: phase || undefined,
        }}
        columns={columns}
        sortKeyOf={field => SORT_KEYS[String(field)] ?? 'name'}
        rowId={w => `${w.namespace}/${w.name}`}
        emptyContent={
          isMissing(props.status, 'workloads')
            ? 'Workloads could not be read.'
            : 'No workloads.'
        }
      />
      {picked && (
        <WorkloadWhy
          status={props.status}
          cluster={props.cluster}
          workload={picked}
        />
      )}
    </>
  );
}
