import { parseCommandLine } from '../lib/args.js';
import { ExitError } from '../lib/exit-error.js';

export const FORMATS = ['text', 'markdown', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export interface DiffArgs {
  base?: string;
  head?: string;
  overlays: string[];
  format: Format;
  output?: string;
  help: boolean;
}

export const USAGE = `Usage: npm run diff -- [--base REF] [--head REF] [OVERLAY...] [--format text|markdown|json] [--output FILE]

Renders each overlay at two git revisions and compares the objects: added, removed, changed
(with a unified YAML diff), generator hash renames as one change, Secret values redacted.

  --base REF      base revision (default: merge base of the head (HEAD for the working tree) and
                  origin/main, else main, else the head's parent)
  --head REF      head revision (default: the working tree as it is on disk)
  OVERLAY...      kustomization directories (default: every overlays/*/ at either revision)
  --format F      text (default), markdown (job summary / PR comment), json
  --output FILE   write the report to FILE instead of stdout

Exit codes: 0 the diff was computed (with or without differences), 2 bad input or tool error.`;

export function parseDiffArgs(argv: readonly string[]): DiffArgs {
  const { values, positionals } = parse(argv);
  const format = values.format ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new ExitError(`--format must be one of ${FORMATS.join(', ')}, not '${format}'`, 2);
  }
  for (const [flag, value] of [
    ['--base', values.base],
    ['--head', values.head],
    ['--output', values.output],
  ] as const) {
    if (value !== undefined && value.trim() === '') throw new ExitError(`${flag} needs a value`, 2);
  }
  return {
    base: values.base,
    head: values.head,
    overlays: positionals,
    format: format as Format,
    output: values.output,
    help: values.help ?? false,
  };
}

function parse(argv: readonly string[]) {
  return parseCommandLine(
    {
      args: [...argv],
      allowPositionals: true,
      options: {
        base: { type: 'string' },
        head: { type: 'string' },
        format: { type: 'string' },
        output: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    USAGE,
  );
}
