import { constants } from 'node:fs';
import { access, appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ExitError } from '../../lib/exit-error.js';
import type { RunRecord } from '../record.js';
import type { Verdict } from '../verdict.js';
import { renderMarkdown } from './markdown.js';
import { buildSeries } from './series.js';
import { renderSvg } from './svg.js';

export const REPORT_FILES = { json: 'loadtest.json', markdown: 'loadtest.md', svg: 'loadtest.svg' } as const;

/** Mermaid charts stay legible up to about this many bars; the SVG takes more. */
const MERMAID_POINTS = 60;
const SVG_POINTS = 240;

export function chartTitle(record: RunRecord): string {
  return `Load test ${record.target.env ? `(${record.target.env}) ` : ''}${record.startedAt.replace('T', ' ').slice(0, 19)} UTC`;
}

/** The JSON report: the full record (every second, every sample) and the verdict. */
export function renderJson(record: RunRecord, verdict: Verdict): string {
  return `${JSON.stringify({ ...record, verdict }, null, 2)}\n`;
}

const cannotWrite = (dir: string, error: unknown) =>
  new ExitError(
    `--report ${dir}: cannot write the report: ${error instanceof Error ? error.message : String(error)}`,
  );

/** Before the load: create the report directory and make sure it is writable, not minutes later. */
export async function prepareReportDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (error) {
    throw cannotWrite(dir, error);
  }
}

export async function writeReportDir(dir: string, record: RunRecord, verdict: Verdict): Promise<string[]> {
  try {
    await mkdir(dir, { recursive: true });
    const files = {
      json: path.join(dir, REPORT_FILES.json),
      markdown: path.join(dir, REPORT_FILES.markdown),
      svg: path.join(dir, REPORT_FILES.svg),
    };
    await writeFile(files.json, renderJson(record, verdict));
    await writeFile(
      files.markdown,
      renderMarkdown(record, verdict, buildSeries(record, MERMAID_POINTS), REPORT_FILES.svg),
    );
    await writeFile(files.svg, renderSvg(buildSeries(record, SVG_POINTS), chartTitle(record)));
    return Object.values(files);
  } catch (error) {
    throw cannotWrite(dir, error);
  }
}

/**
 * In GitHub Actions: the Markdown summary (with its Mermaid charts) appended to the job summary
 * file (`GITHUB_STEP_SUMMARY`), as @actions/core's `summary.write()` does, but to the file given.
 */
export async function writeJobSummary(file: string, record: RunRecord, verdict: Verdict): Promise<void> {
  await appendFile(file, renderMarkdown(record, verdict, buildSeries(record, MERMAID_POINTS)));
}
