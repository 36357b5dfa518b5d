/** What every reporter shares: order, counts, labels, and the few sentences they all say. */

import type { Finding, ObjectRef, SuppressedFinding } from '../core/finding.js';
import {
  hideKeyInText,
  invalidKeyMarker,
  isInvalidKeyMarker,
  isValidSecretKey,
  keyMapFields,
} from '../core/secret-keys.js';
import type { RunResult } from './types.js';

export const TOOL_NAME = 'triage-validate';

export interface Totals {
  overlays: number;
  resources: number;
  errors: number;
  warnings: number;
  suppressed: number;
}

export function totals(result: RunResult): Totals {
  const counts: Totals = {
    overlays: result.overlays.length,
    resources: 0,
    errors: 0,
    warnings: 0,
    suppressed: 0,
  };
  for (const run of result.overlays) {
    counts.resources += run.resources;
    counts.suppressed += run.suppressed.length;
    for (const finding of run.findings) {
      if (finding.severity === 'error') counts.errors += 1;
      else counts.warnings += 1;
    }
  }
  return counts;
}

/** Report order: file, line, column, rule id; ties keep the overlay order and the engine's order (stable sort). */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareStrings(a.location.file, b.location.file) ||
    a.location.line - b.location.line ||
    a.location.column - b.location.column ||
    compareStrings(a.ruleId, b.ruleId)
  );
}

/** Code-unit order, not locale order, so output is the same on every machine. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortedFindings(result: RunResult): Finding[] {
  return result.overlays
    .flatMap((run) => run.findings)
    .map(withoutInvalidKey)
    .sort(compareFindings);
}

export function sortedSuppressed(result: RunResult): SuppressedFinding[] {
  return result.overlays
    .flatMap((run) => run.suppressed)
    .map(withoutInvalidKey)
    .sort(compareFindings);
}

/**
 * The finding as a report may print it. The stages show a Secret or ConfigMap key the API server
 * would refuse (it may carry a value) as a numbered marker (core/secret-keys.ts); a key that still
 * reaches a reporter in `field` becomes the unnumbered marker there and in the message, whatever
 * the format. (Every format, and SARIF's fingerprints, read findings through this module.)
 */
export function withoutInvalidKey<T extends Finding>(finding: T): T {
  if (finding.field === undefined) return finding;
  const mapField = keyMapFields(finding.object?.kind).find((name) => finding.field?.startsWith(`${name}.`));
  if (mapField === undefined) return finding;
  const key = finding.field.slice(mapField.length + 1);
  if (isValidSecretKey(key) || isInvalidKeyMarker(key)) return finding;
  const marker = invalidKeyMarker();
  return { ...finding, field: `${mapField}.${marker}`, message: hideKeyInText(finding.message, key, marker) };
}

/**
 * A copy holding exactly the documented fields, in a fixed order. Reporters print only what a
 * finding is meant to carry: whatever else an object picked up on the way (a resource body, say)
 * must never reach a log.
 */
export function cleanFinding(finding: Finding): Finding {
  return {
    ruleId: finding.ruleId,
    messageId: finding.messageId,
    severity: finding.severity,
    message: finding.message,
    remediation: finding.remediation,
    overlay: finding.overlay,
    env: finding.env,
    ...(finding.object ? { object: cleanObject(finding.object) } : {}),
    ...(finding.field !== undefined ? { field: finding.field } : {}),
    location: { file: finding.location.file, line: finding.location.line, column: finding.location.column },
  };
}

export function cleanSuppressed(finding: SuppressedFinding): SuppressedFinding {
  const { reason, source, expires } = finding.suppression;
  return {
    ...cleanFinding(finding),
    suppression: { reason, source, ...(expires !== undefined ? { expires } : {}) },
  };
}

function cleanObject(object: ObjectRef): ObjectRef {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    ...(object.namespace !== undefined ? { namespace: object.namespace } : {}),
    name: object.name,
  };
}

/** `Deployment/triage-api (ns triage)`, or `Namespace/triage` for a cluster-scoped object. */
export function objectLabel(object: ObjectRef | undefined): string {
  if (!object) return '';
  const label = `${object.kind}/${object.name}`;
  return object.namespace ? `${label} (ns ${object.namespace})` : label;
}

/** Whether a suppression lives next to the resource (an annotation) or in the config file. */
export function suppressionKind(finding: SuppressedFinding): 'inSource' | 'external' {
  return /annotation/i.test(finding.suppression.source) ? 'inSource' : 'external';
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function formatSeconds(durationMs: number): string {
  return `${(durationMs / 1000).toFixed(2)}s`;
}

/** `2 overlays rendered, 57 resources checked, 1 error, 3 warnings, 2 suppressed in 1.23s` */
export function summaryLine(result: RunResult): string {
  const t = totals(result);
  return [
    `${plural(t.overlays, 'overlay')} rendered`,
    `${plural(t.resources, 'resource')} checked`,
    plural(t.errors, 'error'),
    plural(t.warnings, 'warning'),
    `${t.suppressed} suppressed in ${formatSeconds(result.durationMs)}`,
  ].join(', ');
}

/** Why schemas were not checked, or undefined when they were. */
export function schemaSkipReason(result: RunResult): string | undefined {
  if (result.schemaChecked) return undefined;
  return result.schemaSkippedReason?.trim() || 'kubeconform did not run';
}

/** Why the API server did not check the objects (--server asked for), or undefined. */
export function serverSkipReason(result: RunResult): string | undefined {
  if (!result.server || result.server.checked) return undefined;
  return result.server.skippedReason?.trim() || 'the API server stage did not run';
}

/** A stage that did not run, as every format announces it: id and the loud sentence. */
export interface NotChecked {
  id: 'schema' | 'server';
  reason: string;
  text: string;
}

/** The sentences every format carries when kubeconform, or the asked-for API server, did not run. */
export function notCheckedWarnings(result: RunResult): NotChecked[] {
  const out: NotChecked[] = [];
  const schema = schemaSkipReason(result);
  if (schema !== undefined)
    out.push({ id: 'schema', reason: schema, text: `SCHEMAS NOT CHECKED: ${schema}` });
  const server = serverSkipReason(result);
  if (server !== undefined) out.push({ id: 'server', reason: server, text: `SERVER NOT CHECKED: ${server}` });
  return out;
}

/**
 * One line of plain text: control characters (newlines, ANSI escapes) in a message or name could
 * forge lines or colours in a terminal, so they become spaces or visible `\u001b` escapes.
 */
export function singleLine(text: string): string {
  return text.replace(/\p{Cc}/gu, (char) =>
    char === '\n' || char === '\r' || char === '\t'
      ? ' '
      : `\\u${char.codePointAt(0)?.toString(16).padStart(4, '0')}`,
  );
}

/** A repository-relative path as a URI reference: forward slashes, each segment percent-encoded. */
export function encodePath(file: string): string {
  return file
    .replaceAll('\\', '/')
    .replace(/^(\.\/)+/, '')
    .split('/')
    .map(encodeURIComponent)
    .join('/');
}
