import { appendFileSync, lstatSync } from 'node:fs';
import { dirname } from 'node:path';
import { ExitError } from './exit-error.js';

/**
 * Why the job summary file named by GITHUB_STEP_SUMMARY cannot be written, in words, or undefined
 * when it can. Checked before writing so a wrong path is one clear message, not an ENOENT stack.
 */
export function stepSummaryProblem(file: string): string | undefined {
  try {
    const stat = lstatSync(file);
    if (!stat.isFile()) return 'is not a regular file';
    return undefined;
  } catch {
    // Actions creates the file; a missing file in an existing directory can still be created.
    try {
      if (lstatSync(dirname(file)).isDirectory()) return undefined;
    } catch {}
    return 'does not exist and its directory does not either';
  }
}

/**
 * Appends Markdown to the job summary. Throws an ExitError naming GITHUB_STEP_SUMMARY when the
 * file cannot be written; callers that must not fail on it catch and warn.
 */
export function appendStepSummary(file: string, markdown: string): void {
  const problem = stepSummaryProblem(file);
  if (problem) throw new ExitError(`GITHUB_STEP_SUMMARY=${file} ${problem}: cannot write the job summary`, 2);
  try {
    appendFileSync(file, markdown.endsWith('\n') ? markdown : `${markdown}\n`);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'write failed';
    throw new ExitError(`GITHUB_STEP_SUMMARY=${file}: cannot write the job summary (${reason})`, 2);
  }
}
