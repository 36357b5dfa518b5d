/**
 * GitHub Actions output: workflow annotations on the changed lines, and a Markdown job summary with
 * every finding. GitHub shows at most 10 error and 10 warning annotations per step (50 per job) and
 * a summary of at most 1 MiB, so the annotations are the first few and the summary is the full list,
 * cut with a note if it must be.
 */

import * as core from '@actions/core';
import type { Finding, SuppressedFinding } from '../core/finding.js';
import { ExitError } from '../lib/exit-error.js';
import { appendStepSummary, stepSummaryProblem } from '../lib/step-summary.js';
import {
  compareFindings,
  encodePath,
  notCheckedWarnings,
  objectLabel,
  plural,
  schemaSkipReason,
  serverSkipReason,
  singleLine,
  sortedFindings,
  sortedSuppressed,
  summaryLine,
  TOOL_NAME,
} from './common.js';
import type { OverlayRun, RunResult } from './types.js';

/** Annotations GitHub displays per severity per step; the rest are dropped silently by the runner. */
export const ANNOTATIONS_PER_SEVERITY = 10;
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;

export interface GithubReportOptions {
  /**
   * `https://github.com/owner/repo/blob/<sha>`: file cells link there. Defaults to
   * GITHUB_SERVER_URL/GITHUB_REPOSITORY/blob/GITHUB_SHA when all three are set.
   */
  blobBaseUrl?: string;
  /** The summary budget; tests lower it to exercise truncation. */
  summaryLimitBytes?: number;
}

export interface GithubReportOutcome {
  annotated: { errors: number; warnings: number };
  omitted: { errors: number; warnings: number };
  /** False when GITHUB_STEP_SUMMARY is not set (not running in Actions) or cannot be written. */
  summaryWritten: boolean;
  /** Why GITHUB_STEP_SUMMARY could not be written (naming it), when it is set but unusable. */
  summaryProblem?: string;
  /** Table rows left out to stay under the summary limit. */
  summaryRowsOmitted: number;
}

export async function writeGithubReport(
  result: RunResult,
  options: GithubReportOptions = {},
): Promise<GithubReportOutcome> {
  const findings = sortedFindings(result);
  const errors = findings.filter((f) => f.severity === 'error');
  const warnings = findings.filter((f) => f.severity === 'warning');
  const summaryFile = process.env.GITHUB_STEP_SUMMARY || undefined;
  // Checked before anything is printed: the warning takes an annotation slot, and the notice
  // below must not point to a summary that will not exist.
  const unusable = summaryFile ? stepSummaryProblem(summaryFile) : undefined;
  let summaryProblem =
    unusable && `GITHUB_STEP_SUMMARY=${summaryFile} ${unusable}: no job summary was written`;
  const summaryAvailable = summaryFile !== undefined && summaryProblem === undefined;

  let warningSlots = ANNOTATIONS_PER_SEVERITY;
  for (const notChecked of notCheckedWarnings(result)) {
    // Takes one of the ten warning slots: a run that skipped schemas or the server must not look clean.
    core.warning(notChecked.text, { title: TOOL_NAME });
    warningSlots -= 1;
  }
  if (summaryProblem !== undefined) {
    // Also takes a slot: the runner drops warnings past the tenth without a word.
    warnSummaryProblem(summaryProblem);
    warningSlots -= 1;
  }
  const annotatedErrors = errors.slice(0, ANNOTATIONS_PER_SEVERITY);
  const annotatedWarnings = warnings.slice(0, warningSlots);
  for (const finding of annotatedErrors)
    core.error(annotationMessage(finding), annotationProperties(finding));
  for (const finding of annotatedWarnings)
    core.warning(annotationMessage(finding), annotationProperties(finding));

  const omitted = {
    errors: errors.length - annotatedErrors.length,
    warnings: warnings.length - annotatedWarnings.length,
  };
  if (omitted.errors + omitted.warnings > 0) {
    const left = [
      omitted.errors && plural(omitted.errors, 'error'),
      omitted.warnings && plural(omitted.warnings, 'warning'),
    ]
      .filter(Boolean)
      .join(' and ');
    const where = summaryAvailable
      ? 'the job summary lists every finding'
      : 'run validate locally for the full list';
    core.notice(
      `${left} not annotated: GitHub shows at most ${ANNOTATIONS_PER_SEVERITY} error and ${ANNOTATIONS_PER_SEVERITY} warning annotations per step; ${where}.`,
      { title: TOOL_NAME },
    );
  }

  let summaryRowsOmitted = 0;
  let summaryWritten = false;
  if (summaryFile !== undefined && summaryAvailable) {
    core.summary.emptyBuffer();
    summaryRowsOmitted = buildSummary(result, {
      blobBaseUrl: options.blobBaseUrl ?? blobBaseFromEnv(),
      limitBytes: options.summaryLimitBytes ?? SUMMARY_LIMIT_BYTES,
    });
    const markdown = core.summary.stringify();
    core.summary.emptyBuffer();
    // Not core.summary.write(): it refuses a file that does not exist yet, with a bare Error.
    try {
      appendStepSummary(summaryFile, markdown);
      summaryWritten = true;
    } catch (error) {
      if (!(error instanceof ExitError)) throw error;
      summaryProblem = error.message;
      warnSummaryProblem(summaryProblem);
      // Every warning slot may be taken by now: the log has it either way.
      process.stderr.write(`warning: ${summaryProblem}\n`);
    }
  }

  return {
    annotated: { errors: annotatedErrors.length, warnings: annotatedWarnings.length },
    omitted,
    summaryWritten,
    ...(summaryProblem !== undefined ? { summaryProblem } : {}),
    summaryRowsOmitted,
  };
}

/**
 * A job summary that cannot be written is a warning, not a failure: the annotations are printed
 * and validate's verdict (exit 0 or 1) is about the manifests, so it must stand; failing with 2
 * would turn a clean run red and hide findings behind a tool error.
 */
function warnSummaryProblem(problem: string): void {
  core.warning(
    `${problem}. The annotations and the exit code stand; run validate locally for the full list.`,
    { title: TOOL_NAME },
  );
}

function annotationProperties(finding: Finding): core.AnnotationProperties {
  return {
    title: `${finding.ruleId} (${finding.overlay})`,
    file: finding.location.file,
    startLine: finding.location.line,
    startColumn: finding.location.column,
  };
}

/** Message, remedy, object: one line each (@actions/core escapes the newlines). */
function annotationMessage(finding: Finding): string {
  return [finding.message, `→ ${finding.remediation}`, objectLabel(finding.object)]
    .filter(Boolean)
    .join('\n');
}

function blobBaseFromEnv(): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_SHA: sha } = process.env;
  return server && repository && sha ? `${server}/${repository}/blob/${sha}` : undefined;
}

interface SummaryContext {
  blobBaseUrl: string | undefined;
  limitBytes: number;
}

/** Room kept for the headings and notes that follow a table. */
const RESERVE_BYTES = 4 * 1024;

/** Fills core.summary; returns how many table rows were left out to stay under the limit. */
function buildSummary(result: RunResult, ctx: SummaryContext): number {
  const summary = core.summary;
  summary.addHeading(escapeHtml(TOOL_NAME), 2);
  summary.addRaw(`<p>${escapeHtml(summaryLine(result))}</p>`, true);

  const skipReason = schemaSkipReason(result);
  if (skipReason !== undefined) {
    // Markdown between HTML blocks needs blank lines around it to be rendered as Markdown.
    summary.addRaw(
      `\n> [!WARNING]\n> **SCHEMAS NOT CHECKED:** ${escapeMarkdown(skipReason.replace(/\.$/, ''))}. ` +
        'The rendered objects were not validated against the Kubernetes schemas.\n\n',
    );
  }
  const serverReason = serverSkipReason(result);
  if (serverReason !== undefined) {
    summary.addRaw(
      `\n> [!WARNING]\n> **SERVER NOT CHECKED:** ${escapeMarkdown(serverReason.replace(/\.$/, ''))}. ` +
        'The rendered objects were not submitted to a Kubernetes API server.\n\n',
    );
  }

  let omitted = 0;
  for (const run of result.overlays) {
    summary.addHeading(escapeHtml(`${run.overlay} (${run.env}): ${overlayCounts(run)}`), 3);
    const findings = [...run.findings].sort(compareFindings);
    if (findings.length === 0) {
      summary.addRaw('<p>No problems found.</p>', true);
      continue;
    }
    omitted += addCappedTable(
      ['File', 'Severity', 'Rule', 'Object', 'Message'],
      findings.map((f) => [
        fileCell(f, ctx),
        f.severity,
        cell(f.ruleId),
        cell(objectLabel(f.object)),
        `${cell(f.message)}<br>→ ${cell(f.remediation)}`,
      ]),
      ctx,
    );
  }

  const suppressed = sortedSuppressed(result);
  if (suppressed.length > 0) {
    summary.addHeading(`Suppressed (${suppressed.length})`, 3);
    omitted += addCappedTable(
      ['File', 'Rule', 'Overlay', 'Object', 'Message', 'Reason', 'Source'],
      suppressed.map((f: SuppressedFinding) => [
        fileCell(f, ctx),
        cell(f.ruleId),
        cell(f.overlay),
        cell(objectLabel(f.object)),
        cell(f.message),
        cell(f.suppression.reason),
        cell(
          f.suppression.expires
            ? `${f.suppression.source} (expires ${f.suppression.expires})`
            : f.suppression.source,
        ),
      ]),
      ctx,
    );
  }
  return omitted;
}

function overlayCounts(run: OverlayRun): string {
  const errors = run.findings.filter((f) => f.severity === 'error').length;
  return [
    plural(errors, 'error'),
    plural(run.findings.length - errors, 'warning'),
    `${run.suppressed.length} suppressed`,
    `${plural(run.resources, 'resource')} checked`,
  ].join(', ');
}

/**
 * Adds as many rows as fit in the remaining budget, then a note saying how many did not.
 * Row sizes are computed the way core.summary.addTable writes them.
 */
function addCappedTable(header: string[], rows: string[][], ctx: SummaryContext): number {
  const summary = core.summary;
  const used = Buffer.byteLength(summary.stringify());
  const headerRow = header.map((data) => ({ data, header: true }));
  let budget = ctx.limitBytes - RESERVE_BYTES - used - Buffer.byteLength(tableRowHtml(header, 'th')) - 64;
  const kept: string[][] = [];
  for (const row of rows) {
    const size = Buffer.byteLength(tableRowHtml(row, 'td'));
    if (size > budget) break;
    budget -= size;
    kept.push(row);
  }
  const left = rows.length - kept.length;
  if (kept.length > 0) summary.addTable([headerRow, ...kept]);
  if (left > 0) {
    summary.addRaw(
      `<p><strong>${plural(left, 'more row')} not shown</strong>: a job summary is limited to 1 MiB. ` +
        'The text report and the SARIF upload have every finding.</p>',
      true,
    );
  }
  return left;
}

/** Escaped, and never empty: core.summary writes an empty cell as an unclosed `<td>`. */
function cell(text: string): string {
  return escapeHtml(text) || '—';
}

function tableRowHtml(cells: string[], tag: 'td' | 'th'): string {
  return `<tr>${cells.map((cell) => `<${tag}>${cell}</${tag}>`).join('')}</tr>`;
}

function fileCell(finding: Finding, ctx: SummaryContext): string {
  const { file, line } = finding.location;
  const text = `${escapeHtml(file)}:${line}`;
  if (!ctx.blobBaseUrl) return text;
  return `<a href="${escapeHtml(`${ctx.blobBaseUrl}/${encodePath(file)}#L${line}`)}">${text}</a>`;
}

/**
 * For text inside the summary's HTML (table cells, headings): a `<` or `&` stays text, a `|` can
 * never become a Markdown column, and a newline cannot end the HTML block.
 */
export function escapeHtml(text: string): string {
  return singleLine(text).replace(/[&<>"'|]/g, (char) => HTML_ENTITIES[char] ?? char);
}

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '|': '&#124;',
};

/** For text inside a Markdown line: inline syntax backslash-escaped, then HTML-escaped (entities stay intact). */
export function escapeMarkdown(text: string): string {
  return escapeHtml(text.replace(/[\\`*_[\]~]/g, (char) => `\\${char}`));
}

/**
 * A warning about the run itself (an expired suppression in the config) as a GitHub annotation, on
 * its file and line when the message starts with `file:line: `, so a pull request shows it.
 */
export function writeGithubWarning(warning: string): void {
  const match = /^([^\s:]+):(\d+): (.*)$/s.exec(warning);
  if (match?.[1] && match[2] && match[3]) {
    core.warning(match[3], { title: TOOL_NAME, file: match[1], startLine: Number(match[2]) });
  } else {
    core.warning(warning, { title: TOOL_NAME });
  }
}
