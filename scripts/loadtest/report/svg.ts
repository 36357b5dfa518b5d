import { formatDuration } from '../../lib/duration.js';
import type { ChartSeries } from './series.js';

const WIDTH = 960;
const HEIGHT = 440;
const MARGIN = { top: 66, right: 70, bottom: 58, left: 70 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;
const RPS_COLOUR = '#2f6fdf';
const REPLICA_COLOUR = '#e0701b';

export function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );
}

/** Round axis ticks: 0 and four or five steps of 1, 2 or 5 × 10^n up to at least `max`. */
export function ticks(max: number, wanted = 5): number[] {
  if (max <= 0) return [0, 1];
  const raw = max / wanted;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((factor) => raw <= factor * magnitude) ?? 10) * magnitude;
  const result: number[] = [];
  for (let value = 0; value < max + step; value += step) result.push(Math.round(value * 1e6) / 1e6);
  return result;
}

/** Clock-friendly steps (seconds): a 9-minute axis reads 0s, 2m, 4m…, not 0s, 1m40s, 3m20s…. */
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];

/** Time-axis ticks from 0 to at most `span` seconds, at most `wanted` + 1 of them. */
export function timeTicks(span: number, wanted = 8): number[] {
  const step =
    TIME_STEPS.find((candidate) => span / candidate <= wanted) ?? Math.ceil(span / wanted / 3600) * 3600;
  const result: number[] = [];
  for (let value = 0; value <= span + 1e-9; value += step) result.push(value);
  return result;
}

const fmt = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));

/**
 * Requests/s (left axis, filled) and replicas (right axis, steps) against time, with the
 * minimum replica count and the end of the load marked. Plain SVG 1.1, no scripts or fonts.
 */
export function renderSvg(series: ChartSeries, title: string): string {
  const points = series.points;
  const spanT = Math.max(series.binSeconds, (points.at(-1)?.t ?? 0) + series.binSeconds);
  const x = (t: number) => MARGIN.left + (t / spanT) * PLOT_W;
  const rpsTicks = ticks(Math.max(1, ...points.map((point) => point.rps)));
  const rpsTop = rpsTicks.at(-1) ?? 1;
  const yRps = (value: number) => MARGIN.top + PLOT_H - (value / rpsTop) * PLOT_H;
  const replicaValues = points.map((point) => point.replicas).filter((n): n is number => n !== undefined);
  const replicaTop = Math.max((series.minReplicas ?? 0) + 1, ...replicaValues, 1);
  const replicaTicks = ticks(replicaTop, Math.min(5, replicaTop)).filter((tick) => Number.isInteger(tick));
  const replicaScaleTop = Math.max(replicaTop, replicaTicks.at(-1) ?? replicaTop);
  const yReplicas = (value: number) => MARGIN.top + PLOT_H - (value / replicaScaleTop) * PLOT_H;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<desc>Requests per second and replicas over time, ${points.length} bins of ${series.binSeconds}s.</desc>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  );

  // Grid and left axis (requests/s).
  out.push('<g id="rps-axis" stroke="#dddddd">');
  for (const tick of rpsTicks) {
    const y = yRps(tick).toFixed(1);
    out.push(`<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + PLOT_W}" y2="${y}"/>`);
  }
  out.push('</g><g fill="#333333" text-anchor="end">');
  for (const tick of rpsTicks)
    out.push(`<text x="${MARGIN.left - 6}" y="${(yRps(tick) + 4).toFixed(1)}">${fmt(tick)}</text>`);
  out.push(
    '</g>',
    `<text transform="translate(18 ${MARGIN.top + PLOT_H / 2}) rotate(-90)" text-anchor="middle" fill="${RPS_COLOUR}">requests/s</text>`,
  );

  // Time axis: whole seconds (bins are whole seconds), in clock-friendly steps.
  out.push('<g id="time-axis" fill="#333333" text-anchor="middle">');
  for (const tick of timeTicks(spanT)) {
    out.push(
      `<text x="${x(tick).toFixed(1)}" y="${MARGIN.top + PLOT_H + 18}">${escapeXml(formatDuration(tick * 1000))}</text>`,
    );
  }
  out.push(
    '</g>',
    `<text x="${MARGIN.left + PLOT_W / 2}" y="${HEIGHT - 12}" text-anchor="middle" fill="#333333">time since the load started</text>`,
    `<line x1="${MARGIN.left}" y1="${MARGIN.top + PLOT_H}" x2="${MARGIN.left + PLOT_W}" y2="${MARGIN.top + PLOT_H}" stroke="#333333"/>`,
  );

  // Requests/s: a filled step area, one step per bin.
  const rpsPath: string[] = [`M${x(0).toFixed(1)},${yRps(0).toFixed(1)}`];
  for (const point of points) {
    rpsPath.push(
      `L${x(point.t).toFixed(1)},${yRps(point.rps).toFixed(1)}`,
      `L${x(point.t + series.binSeconds).toFixed(1)},${yRps(point.rps).toFixed(1)}`,
    );
  }
  rpsPath.push(`L${x(spanT).toFixed(1)},${yRps(0).toFixed(1)}Z`);
  out.push(
    `<path id="rps" d="${rpsPath.join(' ')}" fill="${RPS_COLOUR}" fill-opacity="0.25" stroke="${RPS_COLOUR}" stroke-width="1.5" data-values="${points.map((point) => point.rps).join(' ')}"/>`,
  );

  // End of the load.
  const endX = x(Math.min(series.loadEndT, spanT)).toFixed(1);
  out.push(
    `<line id="load-end" x1="${endX}" y1="${MARGIN.top}" x2="${endX}" y2="${MARGIN.top + PLOT_H}" stroke="#888888" stroke-dasharray="4 4"/>`,
    `<text x="${endX}" y="${MARGIN.top - 6}" text-anchor="middle" fill="#666666">load stops</text>`,
  );

  if (series.hasCluster) {
    out.push('<g fill="#333333" text-anchor="start">');
    for (const tick of replicaTicks) {
      out.push(
        `<text x="${MARGIN.left + PLOT_W + 6}" y="${(yReplicas(tick) + 4).toFixed(1)}">${tick}</text>`,
      );
    }
    out.push(
      '</g>',
      `<text transform="translate(${WIDTH - 18} ${MARGIN.top + PLOT_H / 2}) rotate(90)" text-anchor="middle" fill="${REPLICA_COLOUR}">replicas</text>`,
    );
    if (series.minReplicas !== undefined) {
      const y = yReplicas(series.minReplicas).toFixed(1);
      out.push(
        `<line id="min-replicas" x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + PLOT_W}" y2="${y}" stroke="${REPLICA_COLOUR}" stroke-dasharray="2 4"/>`,
      );
    }
    const steps: string[] = [];
    for (const point of points) {
      if (point.replicas === undefined) continue;
      const y = yReplicas(point.replicas).toFixed(1);
      steps.push(
        `${steps.length ? 'L' : 'M'}${x(point.t).toFixed(1)},${y}`,
        `L${x(point.t + series.binSeconds).toFixed(1)},${y}`,
      );
    }
    if (steps.length) {
      out.push(
        `<path id="replicas" d="${steps.join(' ')}" fill="none" stroke="${REPLICA_COLOUR}" stroke-width="2.5" data-values="${points.map((point) => point.replicas ?? '').join(' ')}"/>`,
      );
    }
  } else {
    out.push(
      `<text x="${MARGIN.left + PLOT_W - 8}" y="${MARGIN.top + 16}" text-anchor="end" fill="#999999">replicas not measured (no cluster checks)</text>`,
    );
  }

  // Legend.
  const legendY = 44;
  out.push(
    `<rect x="${MARGIN.left}" y="${legendY - 9}" width="14" height="10" fill="${RPS_COLOUR}" fill-opacity="0.4" stroke="${RPS_COLOUR}"/>`,
    `<text x="${MARGIN.left + 20}" y="${legendY}">requests/s</text>`,
  );
  if (series.hasCluster) {
    out.push(
      `<line x1="${MARGIN.left + 110}" y1="${legendY - 4}" x2="${MARGIN.left + 124}" y2="${legendY - 4}" stroke="${REPLICA_COLOUR}" stroke-width="2.5"/>`,
      `<text x="${MARGIN.left + 130}" y="${legendY}">replicas (HPA current)</text>`,
      `<line x1="${MARGIN.left + 280}" y1="${legendY - 4}" x2="${MARGIN.left + 294}" y2="${legendY - 4}" stroke="${REPLICA_COLOUR}" stroke-dasharray="2 4"/>`,
      `<text x="${MARGIN.left + 300}" y="${legendY}">minimum${series.minReplicas === undefined ? '' : ` (${series.minReplicas})`}</text>`,
    );
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
