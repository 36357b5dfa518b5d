import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Format, parseDiffArgs, USAGE } from './diff/args.js';
import { formatJson } from './diff/report/json.js';
import { formatMarkdown } from './diff/report/markdown.js';
import { formatText } from './diff/report/text.js';
import { computeDiff } from './diff/run.js';
import type { DiffResult } from './diff/types.js';
import { EXIT_CLEAN } from './lib/exit-error.js';
import { isMainModule, runMain } from './lib/main.js';

const REPORTERS: Record<Format, (result: DiffResult) => string> = {
  text: formatText,
  markdown: (result) => formatMarkdown(result),
  json: formatJson,
};

/** `npm run diff`: compares the rendered overlays of two revisions. Returns the exit code. */
export async function main(
  argv: readonly string[] = process.argv.slice(2),
  cwd = process.cwd(),
): Promise<number> {
  const args = parseDiffArgs(argv);
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_CLEAN;
  }
  const result = await computeDiff({
    cwd,
    base: args.base,
    head: args.head,
    overlays: args.overlays,
    log: (message) => process.stderr.write(`diff: ${message}\n`),
  });
  const report = REPORTERS[args.format](result);
  if (args.output) {
    const file = resolve(cwd, args.output);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, report);
    process.stderr.write(`diff: wrote ${args.format} report to ${args.output}\n`);
  } else {
    process.stdout.write(report);
  }
  return EXIT_CLEAN;
}

if (isMainModule(import.meta.url)) {
  await runMain(() => main());
}
