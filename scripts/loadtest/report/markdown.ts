import { formatDuration } from '../../lib/duration.js';
import type { RunRecord } from '../record.js';
import type { Verdict } from '../verdict.js';
import { renderMermaid } from './mermaid.js';
import type { ChartSeries } from './series.js';
import {
  describeLab,
  describeLoadShape,
  describeLoadTotals,
  describeTarget,
  verdictLine,
} from './summary.js';

const ICON = { pass: '✅', fail: '❌', skip: '⚪' } as const;

/** Table cells: no pipes or newlines may break the row. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * The Markdown summary: verdict, checks with evidence, load figures, the Mermaid charts and a
 * table of the binned timeline (the full per-second timeline is in the JSON report).
 */
export function renderMarkdown(
  record: RunRecord,
  verdict: Verdict,
  series: ChartSeries,
  svgFile?: string,
): string {
  const totals = describeLoadTotals(record);
  const out: string[] = [
    `## Load test: ${verdict.pass ? 'PASS ✅' : 'FAIL ❌'}`,
    '',
    `**${cell(verdictLine(verdict))}**`,
    '',
    `- Target: \`${describeTarget(record)}\``,
    ...describeLab(record).map((line) => `- ${cell(line)}`),
    `- Load: ${describeLoadShape(record)}, started ${record.startedAt}`,
    `- Result: ${totals.throughput}`,
    `- Latency: ${totals.latency}`,
  ];
  if (record.cluster.checked) {
    out.push(
      `- Cluster: context \`${record.cluster.context.name}\`, namespace \`${record.cluster.namespace}\``,
    );
  } else {
    out.push(`- Cluster: **scaling checks not run** (${record.cluster.reason})`);
  }
  out.push('', '| | Check | Evidence |', '|---|---|---|');
  for (const check of verdict.checks)
    out.push(`| ${ICON[check.status]} | ${cell(check.title)} | ${cell(check.evidence)} |`);
  out.push('', '### Requests per second and replicas', '', renderMermaid(series), '');
  if (svgFile) out.push(`The same chart as an image: [${svgFile}](${svgFile}).`, '');

  const cluster = series.hasCluster;
  out.push(
    '<details><summary>Timeline</summary>',
    '',
    `| t | req/s | errors | p95 (worst second) |${cluster ? ' replicas | ready | CPU |' : ''}`,
    `|---:|---:|---:|---:|${cluster ? '---:|---:|---:|' : ''}`,
  );
  for (const point of series.points) {
    const base = `| ${formatDuration(point.t * 1000)} | ${point.rps} | ${point.errors} | ${point.p95} ms |`;
    out.push(
      cluster
        ? `${base} ${point.replicas ?? ''} | ${point.readyReplicas ?? ''} | ${point.cpu === undefined ? '' : `${point.cpu}%`} |`
        : base,
    );
  }
  out.push('', '</details>', '');
  return out.join('\n');
}
