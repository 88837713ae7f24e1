import { InfoCard, Link } from '@backstage/core-components';
import { SectionNotice, isMissing } from '../SectionNotice';
import { StateChip, toneOfSeverity } from '../StateChip';
import type {
  ClusterStatus,
  StatusFlag,
  WorkloadExplanation,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';

const minutes = (s: number) =>
  s >= 3600
    ? `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`
    : `${Math.round(s / 60)} min`;

const Verdict = ({ e }: { e: WorkloadExplanation }) => (
  <StateChip
    tone={e.verdict === 'Running' ? 'running' : toneOfSeverity(e.severity)}
  >{`${e.job ?? e.workload}: ${e.verdict}`}</StateChip>
);

/** One flag: what is wrong, the fix to try, and where to act. @public */
export function FlagView(props: { flag: StatusFlag }) {
  const f = props.flag;
  return (
    <section aria-label={`flag ${f.code} ${f.subject}`}>
      <p>
        <StateChip tone={toneOfSeverity(f.severity)}>{f.subject}</StateChip>{' '}
        {f.message}
      </p>
      <p>
        Fix: {f.fix}
        {f.link && (
          <>
            {' '}
            <Link to={f.link.url}>{f.link.title}</Link>
          </>
        )}
        {f.reference && (
          <>
            {' '}
            <Link to={f.reference}>upstream issue</Link>
          </>
        )}
      </p>
    </section>
  );
}

/** One workload's verdict, next step, clocks and the chain behind them. @public */
export function ExplanationView(props: { explanation: WorkloadExplanation }) {
  const e = props.explanation;
  return (
    <section aria-label={`explanation ${e.workload}`}>
      <Verdict e={e} />
      <p>{e.summary}</p>
      {e.nextStep && <p>Next step: {e.nextStep}</p>}
      {e.clocks.map(c => (
        <p key={c.kind}>
          {c.kind === 'booking' ? 'Capacity booking' : 'Max run duration'} ends{' '}
          {c.endsAt} ({minutes(c.remainingSeconds)} left)
        </p>
      ))}
      <ol>
        {e.steps.map((s, i) => (
          <li key={i}>
            {s.kind} {s.name}: {s.state}
            {s.reason ? ` (${s.reason})` : ''}
            {s.message ? ` — ${s.message}` : ''}
            {s.details?.selectedZone ? ` · zone ${s.details.selectedZone}` : ''}
            {s.details?.nodePool ? ` · pool ${s.details.nodePool}` : ''}
          </li>
        ))}
      </ol>
    </section>
  );
}

/**
 * The flags, and why the most pressing unfinished workloads are not running yet: the summary's
 * bounded head (errors first, then oldest first). The Workloads table lists and explains the rest.
 * @public
 */
export function WhyNotRunning(props: { status: ClusterStatus }) {
  const { explanations, flags } = props.status;
  return (
    <InfoCard title="Why is it not running?">
      <SectionNotice status={props.status} section="workloads" />
      {flags.items.map(f => (
        <FlagView key={`${f.code}/${f.subject}`} flag={f} />
      ))}
      {flags.total > flags.items.length && (
        <p>
          {flags.total - flags.items.length} more flags of the same kinds are
          not shown.
        </p>
      )}
      {explanations.total === 0 && !isMissing(props.status, 'workloads') && (
        <p>No unfinished workloads.</p>
      )}
      {explanations.total > explanations.items.length && (
        <p>
          The {explanations.items.length} most pressing of {explanations.total}{' '}
          unfinished workloads; the Workloads table lists them all (Why?
          explains one).
        </p>
      )}
      {explanations.items.map(e => (
        <ExplanationView key={`${e.namespace}/${e.workload}`} explanation={e} />
      ))}
    </InfoCard>
  );
}
