/**
 * The string formats of `validate` (text, json, sarif), apart from report/index.ts so a command
 * that writes one never loads the github reporter and @actions/core.
 */

import { formatJson } from './json.js';
import { formatSarif } from './sarif.js';
import { formatText } from './text.js';
import type { FormatOptions, RunResult, StringFormat } from './types.js';

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
