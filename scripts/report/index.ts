/** The reporters of `validate`: one RunResult in, one format out. */

export type { GithubReportOptions, GithubReportOutcome } from './github.js';
export { writeGithubReport, writeGithubWarning } from './github.js';
export type { JsonReport } from './json.js';
export { JSON_REPORT_VERSION } from './json.js';
export type { SarifLog } from './sarif.js';
export { FINGERPRINT_KEY, SARIF_SCHEMA_URI } from './sarif.js';
export type { FormatOptions, OverlayRun, RuleMeta, RunResult, StringFormat } from './types.js';

/** Every `--format`; `github` writes annotations and a job summary instead of returning a string. */
export const REPORT_FORMATS = ['text', 'json', 'sarif', 'github'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export { formatReport } from './format.js';
