import type { ChartSeries } from './series.js';

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((factor) => value <= factor * magnitude) ?? 10;
  return step * magnitude;
}

const fence = (lines: string[]) => ['```mermaid', ...lines, '```'].join('\n');

/**
 * Mermaid `xychart-beta` blocks GitHub renders inline: requests/s, and (when the cluster was
 * checked) replicas (HPA current and desired) against the minimum, and CPU utilization. Separate
 * charts, because they share no scale.
 */
export function renderMermaid(series: ChartSeries): string {
  const xAxis = `    x-axis "seconds since the load started" [${series.points.map((point) => point.t).join(', ')}]`;
  const maxRps = Math.max(0, ...series.points.map((point) => point.rps));
  const charts = [
    fence([
      'xychart-beta',
      `    title "Requests per second${series.binSeconds > 1 ? ` (${series.binSeconds}s bins)` : ''}"`,
      xAxis,
      `    y-axis "requests/s" 0 --> ${niceMax(maxRps)}`,
      `    bar [${series.points.map((point) => point.rps).join(', ')}]`,
    ]),
  ];
  if (series.hasCluster) {
    const replicas = series.points.map((point) => point.replicas ?? 0);
    const desired = series.points.map((point) => point.desiredReplicas ?? point.replicas ?? 0);
    const cpu = series.points.map((point) => point.cpu ?? 0);
    const min = series.minReplicas ?? 0;
    const top = Math.max(min + 1, ...replicas, ...desired);
    charts.push(
      fence([
        'xychart-beta',
        `    title "Replicas: HPA current, desired, and the minimum of ${min}"`,
        xAxis,
        `    y-axis "replicas" 0 --> ${top}`,
        `    line [${replicas.join(', ')}]`,
        `    line [${desired.join(', ')}]`,
        `    line [${series.points.map(() => min).join(', ')}]`,
      ]),
      fence([
        'xychart-beta',
        '    title "CPU utilization, % of request (HPA status)"',
        xAxis,
        `    y-axis "CPU %" 0 --> ${niceMax(Math.max(1, ...cpu))}`,
        `    line [${cpu.join(', ')}]`,
      ]),
    );
  }
  return charts.join('\n\n');
}
