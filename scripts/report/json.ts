/** The machine-readable report. Its shape is documented in docs/output-formats.md; `version` changes when it breaks. */

import type { Finding, SuppressedFinding } from '../core/finding.js';
import {
  cleanFinding,
  cleanSuppressed,
  schemaSkipReason,
  serverSkipReason,
  sortedFindings,
  sortedSuppressed,
  TOOL_NAME,
  totals,
} from './common.js';
import type { RunResult } from './types.js';

export const JSON_REPORT_VERSION = 1;

export interface JsonReport {
  version: typeof JSON_REPORT_VERSION;
  tool: { name: string; version: string };
  summary: {
    overlays: number;
    resources: number;
    errors: number;
    warnings: number;
    suppressed: number;
    schemaChecked: boolean;
    /** Present only when `schemaChecked` is false. */
    schemaSkippedReason?: string;
    /** Overlay directory → the environment its findings were judged as. */
    environments: Record<string, string>;
    /** Present only with --server: whether the API server checked every object. */
    serverChecked?: boolean;
    /** Present only when `serverChecked` is false. */
    serverSkippedReason?: string;
    durationMs: number;
  };
  /** Sorted by file, line, column, rule id. */
  findings: Finding[];
  /** Same order; each carries `suppression: {reason, source, expires?}`. */
  suppressed: SuppressedFinding[];
}

export function buildJsonReport(result: RunResult): JsonReport {
  const t = totals(result);
  const skipReason = schemaSkipReason(result);
  const serverReason = serverSkipReason(result);
  return {
    version: JSON_REPORT_VERSION,
    tool: { name: TOOL_NAME, version: result.toolVersion },
    summary: {
      overlays: t.overlays,
      resources: t.resources,
      errors: t.errors,
      warnings: t.warnings,
      suppressed: t.suppressed,
      schemaChecked: result.schemaChecked,
      ...(skipReason !== undefined ? { schemaSkippedReason: skipReason } : {}),
      environments: Object.fromEntries(result.overlays.map((run) => [run.overlay, run.env])),
      ...(result.server ? { serverChecked: result.server.checked } : {}),
      ...(serverReason !== undefined ? { serverSkippedReason: serverReason } : {}),
      durationMs: Math.round(result.durationMs),
    },
    findings: sortedFindings(result).map(cleanFinding),
    suppressed: sortedSuppressed(result).map(cleanSuppressed),
  };
}

export function formatJson(result: RunResult): string {
  return `${JSON.stringify(buildJsonReport(result), null, 2)}\n`;
}
