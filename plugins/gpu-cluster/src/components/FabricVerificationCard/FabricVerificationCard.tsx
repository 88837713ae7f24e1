import { InfoCard, Table, type TableColumn } from '@backstage/core-components';
import {
  formatBytes,
  type ClusterStatus,
  type FabricVerificationRun,
  type NcclVerdict,
  type NcclSizeBandwidth,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { StateChip, type StateTone } from '../StateChip';

const VERDICTS: Record<NcclVerdict, { tone: StateTone; label: string }> = {
  pass: { tone: 'ok', label: 'Passed' },
  belowExpected: { tone: 'warning', label: 'Below expected' },
  fail: { tone: 'error', label: 'Failed' },
  unparseable: { tone: 'warning', label: 'No result' },
};

/** Bar width of a size's busbw against the expected figure (or the run's best), in percent. */
function share(value: number, scale: number) {
  return Math.max(0, Math.min(100, (value / scale) * 100));
}

function SizesTable(props: { run: FabricVerificationRun }) {
  const { run } = props;
  const scale =
    run.expectedBusBandwidthGBps ??
    Math.max(...run.sizes.map(s => s.busBandwidthGBps), 1);
  const columns: TableColumn<NcclSizeBandwidth>[] = [
    {
      title: 'Message size',
      field: 'sizeBytes',
      render: s => formatBytes(s.sizeBytes),
    },
    {
      title: 'Bus bandwidth (GB/s, out-of-place)',
      field: 'busBandwidthGBps',
      render: s => (
        <span style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
          <span style={{ minWidth: 56 }}>{s.busBandwidthGBps}</span>
          <span
            aria-hidden
            style={{
              display: 'inline-block',
              height: 8,
              width: `${share(s.busBandwidthGBps, scale)}%`,
              maxWidth: 200,
              background: 'currentColor',
              opacity: 0.4,
            }}
          />
        </span>
      ),
    },
    { title: 'In-place (GB/s)', field: 'inPlaceBusBandwidthGBps' },
  ];
  return (
    <Table
      title="Bus bandwidth per message size"
      options={{ paging: false, search: false, padding: 'dense' }}
      columns={columns}
      data={run.sizes.map(s => ({ ...s }))}
    />
  );
}

/**
 * The NCCL all_gather verification kept with the cluster: the last run's verdict, transport and
 * bus bandwidth per message size against the figure expected for the machine type.
 * @public
 */
export function FabricVerificationCard(props: { status: ClusterStatus }) {
  const fabric = props.status.fabricVerification;
  const run = fabric?.latest;
  if (!run) {
    return (
      <InfoCard title="Fabric verification">
        <p>
          No NCCL verification has finished on this cluster yet. The stack
          submits one after provisioning when a node pool has RDMA NICs; owners
          can run it again with “Verify fabric”.
        </p>
      </InfoCard>
    );
  }
  const verdict = VERDICTS[run.verdict];
  const at = run.largestSizeBytes ? formatBytes(run.largestSizeBytes) : '';
  return (
    <InfoCard title="Fabric verification">
      <dl aria-label="fabric verification">
        <dt>Result</dt>
        <dd>
          <StateChip tone={verdict.tone}>{verdict.label}</StateChip>
        </dd>
        <dt>Bus bandwidth{at && ` at ${at}`}</dt>
        <dd>
          {run.busBandwidthGBps !== undefined
            ? `${run.busBandwidthGBps} GB/s`
            : 'unknown'}
          {run.expectedBusBandwidthGBps !== undefined &&
            ` — expected ${run.expectedBusBandwidthGBps} GB/s for ${run.machineType}`}
          {run.thresholdGBps !== undefined &&
            `, pass threshold ${run.thresholdGBps} GB/s`}
        </dd>
        <dt>Transport</dt>
        <dd>
          {run.transport ? (
            <StateChip tone={run.transport.kind === 'rdma' ? 'ok' : 'error'}>
              {run.transport.name}
            </StateChip>
          ) : (
            'unknown'
          )}
        </dd>
        <dt>Finished</dt>
        <dd>
          {run.finishedAt ?? run.readAt} (Job {run.namespace}/{run.jobName},{' '}
          {run.jobOutcome})
        </dd>
        {run.avgBusBandwidthGBps !== undefined && (
          <>
            <dt>Average over all sizes</dt>
            <dd>{run.avgBusBandwidthGBps} GB/s</dd>
          </>
        )}
      </dl>
      {run.reasons.length > 0 && (
        <ul aria-label="why">
          {run.reasons.map(r => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
      {run.sizes.length > 0 && <SizesTable run={run} />}
      {fabric.previous.length > 0 && (
        <p>
          Earlier runs:{' '}
          {fabric.previous
            .map(
              p =>
                `${p.finishedAt ?? p.readAt} ${VERDICTS[p.verdict].label}${
                  p.busBandwidthGBps !== undefined
                    ? ` (${p.busBandwidthGBps} GB/s)`
                    : ''
                }`,
            )
            .join(' · ')}
        </p>
      )}
    </InfoCard>
  );
}
