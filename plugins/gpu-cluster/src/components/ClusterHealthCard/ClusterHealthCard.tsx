import { InfoCard } from '@backstage/core-components';
import type {
  ClusterStatus,
  StatusSource,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { makeStyles } from '@material-ui/core/styles';
import { Fragment, type ReactNode } from 'react';
import { StateChip, toneOfGkeStatus } from '../StateChip';

/**
 * A definition list whose rows wrap as a whole: the term keeps its width, and when the card is
 * too narrow for both the value moves under the term instead of shrinking to one letter per
 * line. Words wrap between words; ids (project, version) may break anywhere, as they have no
 * spaces to break at.
 */
const useStyles = makeStyles(theme => ({
  list: { margin: 0 },
  row: {
    display: 'flex',
    flexWrap: 'wrap',
    columnGap: theme.spacing(2),
    padding: theme.spacing(0.75, 0),
    borderBottom: `1px solid ${theme.palette.divider}`,
    '&:last-child': { borderBottom: 'none' },
  },
  term: {
    flex: '0 0 11rem',
    maxWidth: '100%',
    fontWeight: theme.typography.fontWeightBold as number,
    overflowWrap: 'normal',
  },
  value: {
    flex: '1 1 14rem',
    minWidth: 0,
    margin: 0,
    overflowWrap: 'anywhere',
  },
}));

/** A count the backend left out because its data is missing: say so rather than show 0. */
const count = (n: number | undefined) => (n === undefined ? 'unknown' : n);

/**
 * A count read from a kind whose informer is stale is the last known one: say so, with the kind
 * and since when, so it is never taken for the current figure. Only the kinds the count is made
 * of matter (a stale cross-check elsewhere does not age it).
 */
function lastKnown(status: Pick<ClusterStatus, 'sources'>, kinds: string[]) {
  const stale = (status.sources ?? [])
    .flatMap(src => src.kinds ?? [])
    .filter(k => k.state === 'stale' && kinds.includes(k.kind));
  if (stale.length === 0) return '';
  const since = stale
    .map(k => k.staleSince)
    .filter(Boolean)
    .sort()[0];
  return ` (last known, ${stale.map(k => k.kind).join(', ')} not readable${
    since ? ` since ${since}` : ''
  })`;
}

const Source = ({ source }: { source: StatusSource }) => {
  if (!source.ok) {
    return (
      <StateChip tone="error">
        {source.name}: {source.error}
      </StateChip>
    );
  }
  const failing = (source.kinds ?? []).filter(
    k => k.state === 'stale' || k.state === 'unavailable',
  );
  if (failing.length === 0)
    return <StateChip tone="ok">{source.name}</StateChip>;
  return (
    <StateChip tone="warning">
      {source.name}:{' '}
      {failing
        .map(k => `${k.kind} ${k.state}${k.error ? ` (${k.error})` : ''}`)
        .join('; ')}
    </StateChip>
  );
};

/** GKE status, versions, GPUs and the state of each data source. @public */
export function ClusterHealthCard(props: { status: ClusterStatus }) {
  const classes = useStyles();
  const { status } = props;
  const { summary, gke } = status;
  const rows: [string, ReactNode][] = [
    [
      'GKE status',
      gke ? (
        <StateChip tone={toneOfGkeStatus(gke.status)}>{gke.status}</StateChip>
      ) : (
        <StateChip tone="warning">unknown</StateChip>
      ),
    ],
    ['Project', gke?.projectId ?? '—'],
    ['Location', gke?.location ?? '—'],
    ['Version', gke?.currentMasterVersion ?? '—'],
    [
      'Nodes',
      summary.nodes === undefined
        ? 'unknown (nodes could not be read)'
        : `${summary.readyNodes} ready of ${summary.nodes}`,
    ],
    [
      'GPU usage',
      `${
        summary.gpusInUse === undefined
          ? 'unknown (pods could not be read)'
          : summary.gpusInUse
      } in use${lastKnown(status, ['nodes', 'pods'])} of ${count(
        summary.gpusAllocatable,
      )} allocatable (${count(summary.gpusCapacity)} capacity)`,
    ],
    [
      'Pending workloads',
      `${count(summary.pendingWorkloads)}${lastKnown(status, ['workloads'])}`,
    ],
    [
      'Waiting provisioning requests',
      count(summary.waitingProvisioningRequests),
    ],
    [
      'Sources',
      status.sources.map((s, i) => (
        <Fragment key={s.name}>
          {i > 0 && ' '}
          <Source source={s} />
        </Fragment>
      )),
    ],
  ];
  return (
    <InfoCard title={`Cluster ${status.clusterName}`}>
      <dl className={classes.list} aria-label="cluster health">
        {rows.map(([term, value]) => (
          <div key={term} className={classes.row}>
            <dt className={classes.term}>{term}</dt>
            <dd className={classes.value}>{value}</dd>
          </div>
        ))}
      </dl>
    </InfoCard>
  );
}
