import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../scripts/loadtest/report/markdown.js';
import { renderMermaid } from '../../scripts/loadtest/report/mermaid.js';
import { buildSeries } from '../../scripts/loadtest/report/series.js';
import { renderText } from '../../scripts/loadtest/report/summary.js';
import { renderSvg, timeTicks } from '../../scripts/loadtest/report/svg.js';
import { REPORT_FILES, writeReportDir } from '../../scripts/loadtest/report/write.js';
import { evaluate } from '../../scripts/loadtest/verdict.js';
import { samplesEvery15s, syntheticRecord } from './helpers.js';

// 20 s of load at 100, 110, … req/s; HPA samples every 15 s: 2 → 4 → 2.
const RESPONSES = Array.from({ length: 20 }, (_, t) => 100 + 10 * t);
const clusterRecord = () =>
  syntheticRecord({
    responses: RESPONSES,
    cluster: {
      samples: samplesEvery15s([2, 4, 4, 2], 20),
      loadEndT: 20,
      scaleIn: { timeoutMs: 600_000, endedT: 45, reachedMinimum: true, interrupted: false },
    },
  });

function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
}

function numbersOf(block: string, series: 'bar' | 'line', index = 0): number[] {
  const lines = block.split('\n').filter((line) => line.trim().startsWith(`${series} [`));
  return (/\[(.*)\]/.exec(lines[index] ?? '')?.[1] ?? '').split(',').map(Number);
}

describe('chart series', () => {
  it('keeps one bin per second for short runs, matching the timeline exactly', () => {
    const series = buildSeries(clusterRecord(), 60);
    expect(series.binSeconds).toBe(1);
    expect(series.points).toHaveLength(46); // up to the last sample at 45 s
    expect(series.points.slice(0, 20).map((point) => point.rps)).toEqual(RESPONSES);
    expect(series.points.slice(20).every((point) => point.rps === 0)).toBe(true);
    // The replica step function: 2 from 0 s, 4 from 15 s, 4 at 30 s, 2 from 45 s.
    expect(series.points.map((point) => point.replicas)).toEqual([
      ...new Array(15).fill(2),
      ...new Array(30).fill(4),
      2,
    ]);
  });

  it('folds long runs into at most the asked number of bins, averaging requests/s', () => {
    const series = buildSeries(clusterRecord(), 10);
    expect(series.binSeconds).toBe(5);
    expect(series.points.length).toBeLessThanOrEqual(10);
    expect(series.points[0]?.rps).toBe((100 + 110 + 120 + 130 + 140) / 5);
    expect(series.points[3]?.replicas).toBe(4);
  });
});

describe('Mermaid', () => {
  it('draws requests/s as bars, replicas (current, desired) against the minimum, and CPU', () => {
    const series = buildSeries(clusterRecord(), 60);
    const blocks = mermaidBlocks(renderMermaid(series));
    expect(blocks).toHaveLength(3);
    expect(blocks[0]).toMatch(/^xychart-beta\n {4}title "Requests per second"/);
    expect(numbersOf(blocks[0] ?? '', 'bar')).toEqual(series.points.map((point) => point.rps));
    expect(numbersOf(blocks[0] ?? '', 'bar').slice(0, 20)).toEqual(RESPONSES);
    expect(blocks[0]).toContain('y-axis "requests/s" 0 --> 500');
    expect(numbersOf(blocks[1] ?? '', 'line', 0)).toEqual(series.points.map((point) => point.replicas));
    expect(numbersOf(blocks[1] ?? '', 'line', 1)).toEqual(
      series.points.map((point) => point.desiredReplicas ?? point.replicas),
    );
    expect(numbersOf(blocks[1] ?? '', 'line', 2)).toEqual(new Array(46).fill(2));
    expect(blocks[2]).toMatch(/title "CPU utilization, % of request \(HPA status\)"/);
    expect(numbersOf(blocks[2] ?? '', 'line', 0)).toEqual(series.points.map((point) => point.cpu ?? 0));
  });

  it('has no replica chart without cluster checks', () => {
    const series = buildSeries(syntheticRecord({ cluster: false, responses: [5, 6, 7] }), 60);
    const blocks = mermaidBlocks(renderMermaid(series));
    expect(blocks).toHaveLength(1);
    expect(numbersOf(blocks[0] ?? '', 'bar')).toEqual([5, 6, 7]);
  });
});

describe('SVG', () => {
  it('is well-formed XML with the requests and replicas series of the timeline', () => {
    const series = buildSeries(clusterRecord(), 240);
    const svg = renderSvg(series, 'Load test (dev) <&> "quoted"');
    expect(XMLValidator.validate(svg)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(svg);
    const root = parsed.svg;
    expect(root.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(root.title).toBe('Load test (dev) <&> "quoted"');
    const paths = [root.path].flat() as { id: string; 'data-values': string; d: string }[];
    const rps = paths.find((p) => p.id === 'rps');
    const replicas = paths.find((p) => p.id === 'replicas');
    expect(rps?.['data-values'].split(' ').map(Number).slice(0, 20)).toEqual(RESPONSES);
    expect(replicas?.['data-values'].split(' ').map(Number)).toEqual(
      series.points.map((point) => point.replicas),
    );
    const lines = [root.line].flat() as { id?: string }[];
    expect(lines.some((line) => line.id === 'min-replicas')).toBe(true);
    expect(lines.some((line) => line.id === 'load-end')).toBe(true);
  });

  it('labels time in clock steps: minutes for a 3-minute load and its scale-in wait', () => {
    const record = syntheticRecord({
      responses: new Array(180).fill(50),
      cluster: {
        samples: samplesEvery15s([2, ...new Array(25).fill(6), 2], 180),
        loadEndT: 180,
        scaleIn: { timeoutMs: 600_000, endedT: 390, reachedMinimum: true, interrupted: false },
      },
    });
    const svg = renderSvg(buildSeries(record, 240), 't');
    const axis = /<g id="time-axis"[^>]*>([\s\S]*?)<\/g>/.exec(svg)?.[1] ?? '';
    const labels = [...axis.matchAll(/>([^<]+)<\/text>/g)].map((match) => match[1]);
    expect(labels).toEqual(['0s', '1m', '2m', '3m', '4m', '5m', '6m']);
    expect(timeTicks(10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(timeTicks(30)).toEqual([0, 5, 10, 15, 20, 25, 30]);
  });

  it('says replicas were not measured without a cluster', () => {
    const svg = renderSvg(buildSeries(syntheticRecord({ cluster: false, responses: [5, 6] }), 240), 't');
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain('replicas not measured');
    expect(svg).not.toContain('id="replicas"');
  });
});

describe('Markdown and text reports', () => {
  it('put the verdict, every check with its evidence, and the charts in the Markdown', () => {
    const record = clusterRecord();
    const verdict = evaluate(record);
    const markdown = renderMarkdown(record, verdict, buildSeries(record, 60), 'loadtest.svg');
    expect(markdown).toMatch(/^## Load test: PASS ✅/);
    for (const check of verdict.checks) expect(markdown).toContain(`| ✅ | ${check.title} |`);
    expect(mermaidBlocks(markdown)).toHaveLength(3);
    expect(markdown).toContain('| 0s | 100 | 0 | 40 ms | 2 | 2 | 3% |');
    expect(markdown).toContain('[loadtest.svg](loadtest.svg)');
  });

  it('say plainly in the text report that scaling was not checked', () => {
    const record = syntheticRecord({ cluster: false, responses: [5, 6] });
    const text = renderText(record, evaluate(record));
    expect(text).toContain('– Scaling checks: NOT RUN: --no-cluster was given.');
    expect(text).toMatch(/PASS — load only: the scaling checks were NOT run/);
  });

  it('writes JSON with the full timeline, Markdown and SVG to the report directory', async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'loadtest-report-')), 'nested');
    const record = clusterRecord();
    const verdict = evaluate(record);
    const files = await writeReportDir(dir, record, verdict);
    expect(files.map((file) => path.basename(file)).sort()).toEqual(Object.values(REPORT_FILES).sort());
    const json = JSON.parse(readFileSync(path.join(dir, REPORT_FILES.json), 'utf8'));
    expect(json.load.seconds).toHaveLength(20);
    expect(json.cluster.samples).toHaveLength(4);
    expect(json.verdict.pass).toBe(true);
    expect(XMLValidator.validate(readFileSync(path.join(dir, REPORT_FILES.svg), 'utf8'))).toBe(true);
  });
});
