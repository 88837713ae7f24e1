import type { PreflightReport } from './preflight';

const MARK = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;

/** The report as a plain-text table (the CLI's output and the action's log). @public */
export function formatPreflightTable(report: PreflightReport): string[] {
  const idWidth = Math.max(5, ...report.checks.map(c => c.id.length));
  const lines = [
    `Preflight of ${report.projectId} (${report.region}):`,
    `${'STATUS'.padEnd(6)}  ${'CHECK'.padEnd(idWidth)}  MESSAGE`,
  ];
  for (const check of report.checks) {
    lines.push(
      `${MARK[check.status].padEnd(6)}  ${check.id.padEnd(idWidth)}  ${
        check.message
      }${check.field ? ` [field ${check.field}]` : ''}`,
    );
  }
  const failed = report.checks.filter(c => c.status === 'fail').length;
  const warned = report.checks.filter(c => c.status === 'warn').length;
  lines.push(
    failed
      ? `Preflight failed: ${failed} check${
          failed > 1 ? 's' : ''
        } failed, ${warned} warning${warned === 1 ? '' : 's'}`
      : `Preflight passed${
          warned ? ` with ${warned} warning${warned === 1 ? '' : 's'}` : ''
        }`,
  );
  return lines;
}

/** One error message naming every failed check, its field and link. @public */
export function preflightFailureMessage(report: PreflightReport): string {
  const failed = report.checks.filter(c => c.status === 'fail');
  return `Preflight refused the stack in ${report.projectId} (${
    report.region
  }): ${failed
    .map(
      c =>
        `${c.message}${c.field ? ` (change ${c.field})` : ''}${
          c.link && !c.message.includes(c.link) ? ` — ${c.link}` : ''
        }`,
    )
    .join('; ')}`;
}
