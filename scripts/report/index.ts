/** The reporters of `validate`: one RunResult in, one format out. */

import { formatJson } from './json.js';
import { formatSarif } from './sarif.js';
import { formatText } from './text.js';
import type { FormatOptions, RunResult, StringFormat } from './types.js';

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

export function formatReport(result: RunResult, format: StringFormat, options: FormatOptions = {}): string {
  switch (format) {
    case 'text':
      return formatText(result, { color: options.color ?? false });
    case 'json':
      return formatJson(result);
    case 'sarif':
      return formatSarif(result, { informationUri: options.informationUri ?? repositoryUrlFromEnv() });
    default: {
      const unknown: never = format;
      throw new Error(`unknown report format: ${String(unknown)}`);
    }
  }
}

/** In GitHub Actions, the repository this tool lives in; elsewhere unknown (and then left out). */
function repositoryUrlFromEnv(): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository } = process.env;
  return server && repository ? `${server}/${repository}` : undefined;
}
