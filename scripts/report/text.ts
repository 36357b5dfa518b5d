/** The terminal report: findings grouped by the file to edit, each with its remedy, then one summary line. */

import type { Finding } from '../core/finding.js';
import {
  notCheckedWarnings,
  objectLabel,
  singleLine,
  sortedFindings,
  summaryLine,
  totals,
} from './common.js';
import type { RunResult } from './types.js';

export interface TextOptions {
  /** Emit ANSI colours; the caller decides (TTY, NO_COLOR, FORCE_COLOR). */
  color?: boolean;
}

type Style = (text: string) => string;

/** SGR pairs written by hand: a library would decide colour support itself, and the caller already has. */
function palette(color: boolean) {
  const sgr =
    (open: string, close: string): Style =>
    (text) =>
      color ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    file: sgr('1;4', '22;24'),
    error: sgr('31', '39'),
    warning: sgr('33', '39'),
    rule: sgr('2', '22'),
    remedy: sgr('36', '39'),
    context: sgr('2', '22'),
    loud: sgr('1;97;41', '22;39;49'),
    failed: sgr('1;31', '22;39'),
    warned: sgr('1;33', '22;39'),
    clean: sgr('1;32', '22;39'),
  };
}

export function formatText(result: RunResult, options: TextOptions = {}): string {
  const style = palette(options.color ?? false);
  const lines: string[] = [];
  const warnings = notCheckedWarnings(result).map((each) => singleLine(each.text));
  for (const warning of warnings) lines.push(style.loud(warning));
  if (warnings.length > 0) lines.push('');

  for (const [file, findings] of groupByFile(sortedFindings(result))) {
    lines.push(style.file(singleLine(file)));
    const positionWidth = Math.max(...findings.map((f) => position(f).length));
    const ruleWidth = Math.max(...findings.map((f) => singleLine(f.ruleId).length));
    for (const finding of findings) {
      const severity = finding.severity.padEnd('warning'.length);
      lines.push(
        [
          `  ${position(finding).padEnd(positionWidth)}`,
          finding.severity === 'error' ? style.error(severity) : style.warning(severity),
          style.rule(singleLine(finding.ruleId).padEnd(ruleWidth)),
          singleLine(finding.message),
        ].join('  '),
        `    ${style.remedy(`→ ${singleLine(finding.remediation)}`)}`,
        `    ${style.context(singleLine(context(finding)))}`,
      );
    }
    lines.push('');
  }

  const t = totals(result);
  if (t.errors + t.warnings === 0) lines.push('No problems found.');
  if (t.suppressed > 0)
    lines.push(`${t.suppressed === 1 ? '1 finding' : `${t.suppressed} findings`} suppressed.`);
  // An overlay judged as another environment than its directory says (`production` as prod).
  for (const run of result.overlays) {
    if (run.env !== run.overlay.split('/').pop()) {
      lines.push(singleLine(`${run.overlay} was judged as environment ${run.env}.`));
    }
  }
  // Said again at the end, where a terminal's last screen shows it.
  for (const warning of warnings) lines.push(style.loud(warning));
  const summary = summaryLine(result);
  lines.push(
    t.errors > 0 ? style.failed(summary) : t.warnings > 0 ? style.warned(summary) : style.clean(summary),
  );
  return `${lines.join('\n')}\n`;
}

function position(finding: Finding): string {
  return `${finding.location.line}:${finding.location.column}`;
}

/** `Deployment/triage-api (ns triage) spec.replicas · overlays/prod` */
function context(finding: Finding): string {
  const what = [objectLabel(finding.object), finding.field ?? ''].filter(Boolean).join(' ');
  return what ? `${what} · ${finding.overlay}` : finding.overlay;
}

/** Findings are already sorted by file, so each group is a run of equal files. */
function groupByFile(findings: Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>();
  for (const finding of findings) {
    const group = groups.get(finding.location.file);
    if (group) group.push(finding);
    else groups.set(finding.location.file, [finding]);
  }
  return groups;
}
