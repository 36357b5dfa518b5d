import { formatDuration } from '../../lib/duration.js';
import { ms } from '../progress.js';
import type { RunRecord } from '../record.js';
import type { CheckStatus, Verdict } from '../verdict.js';

export const MARK: Record<CheckStatus, string> = { pass: '✓', fail: '✗', skip: '–' };

const grouped = (n: number) => n.toLocaleString('en-US');

/** `POST http://…/api/triage (from Ingress triage/triage-ingress, Host: …)` */
export function describeTarget(record: RunRecord): string {
  const via =
    record.target.source === 'ingress'
      ? `from the Ingress of ${record.target.env ?? 'the environment'}`
      : record.target.source === 'local'
        ? `--local: the triage test server on this machine, env ${record.target.env ?? 'dev'} on the local cluster`
        : record.target.env
          ? `--url, env ${record.target.env}`
          : '--url';
  const host = record.target.hostHeader ? `, Host: ${record.target.hostHeader}` : '';
  return `POST ${record.target.url} (${via}${host})`;
}

export function describeLoadShape(record: RunRecord): string {
  const shape = record.plan.rate
    ? `target ${grouped(record.plan.rate)} req/s over up to ${record.plan.connections} connections`
    : `${record.plan.connections} connections`;
  return `${formatDuration(record.plan.durationMs)}, ${shape}`;
}

export function describeLoadTotals(record: RunRecord): { throughput: string; latency: string } {
  const t = record.load.totals;
  return {
    throughput: `${grouped(t.responses)} responses in ${formatDuration(t.elapsedMs)} = ${t.requestsPerSecond.toFixed(1)} req/s; errors ${(t.errorRate * 100).toFixed(2)}% (${grouped(t.non2xx)} non-2xx, ${grouped(t.errors)} without response)`,
    latency: `p50 ${ms(t.latency.p50)} · p95 ${ms(t.latency.p95)} · p99 ${ms(t.latency.p99)} · max ${ms(t.latency.max)}`,
  };
}

export function verdictLine(verdict: Verdict): string {
  const failed = verdict.checks.filter((check) => check.status === 'fail').length;
  const word = verdict.pass
    ? 'PASS'
    : `FAIL (${failed} of ${verdict.checks.filter((c) => c.status !== 'skip').length} checks failed)`;
  return verdict.scope === 'load-only'
    ? `${word} — load only: the scaling checks were NOT run, so this says nothing about autoscaling`
    : word;
}

/** The report on the terminal (stdout): what was loaded, what was checked, the verdict. */
export function renderText(record: RunRecord, verdict: Verdict): string {
  const totals = describeLoadTotals(record);
  const lines = [
    '',
    `Target   ${describeTarget(record)}`,
    `Load     ${describeLoadShape(record)}`,
    `Result   ${totals.throughput}`,
    `Latency  ${totals.latency}`,
  ];
  if (record.cluster.checked) {
    lines.push(`Cluster  context ${record.cluster.context.name}, namespace ${record.cluster.namespace}`);
  }
  for (const line of describeLab(record)) lines.push(`Lab      ${line}`);
  lines.push('', 'Checks');
  for (const check of verdict.checks) lines.push(`  ${MARK[check.status]} ${check.title}: ${check.evidence}`);
  lines.push('', verdictLine(verdict), '');
  return lines.join('\n');
}

/**
 * What a --local run simulated and what was real, in the report's words: the lines the text and
 * Markdown reports print under the target.
 */
export function describeLab(record: RunRecord): string[] {
  const lab = record.cluster.checked ? record.cluster.lab : undefined;
  if (!lab) return [];
  const perRequest = lab.bridge.cpuPerRequestMs;
  const lines = [
    'Real: the API server, the HPA, Deployment and ReplicaSet controllers, the scheduler and metrics-server (upstream binaries on 127.0.0.1), and the HTTP server that took the load.',
    `Simulated by kwok: the nodes and the pods (no containers run); each pod's CPU is the test server's measured CPU divided by the Ready replicas, set every ${lab.bridge.intervalMs / 1000}s${perRequest !== undefined ? ` (measured: ${perRequest} ms of CPU per request)` : ''}.`,
  ];
  if (lab.scaleDownWindow) {
    lines.push(
      `HPA scale-down window: ${lab.scaleDownWindow.setS}s for this run (--scale-down-window; the overlay says ${lab.scaleDownWindow.overlayS ?? 'nothing'}s), restored afterwards.`,
    );
  }
  return lines;
}
