#!/usr/bin/env tsx
/**
 * validate: render every overlay with kustomize, check schemas (kubeconform) and policies,
 * and report each finding at the source file and line a person edits.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { ServerStageOptions } from './engine/server.js';
import { parseCommandLine } from './lib/args.js';
import { EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, ExitError } from './lib/exit-error.js';
import { isMainModule, runMain } from './lib/main.js';
import { PACKAGE_ROOT, repositoryRoot, toolVersion } from './lib/repo.js';
import { isInside } from './render/input-file.js';
import { openRenders, type Renders } from './render/kustomize.js';
import type { RunResult } from './report/types.js';

// Everything else loads when the command needs it (`await import` below): `--help` loads none of
// it, `--list-rules` the configuration and the rule catalogue but not the engine, and only the
// github format loads @actions/core. Measured: see `npm run bench`.

const FORMATS = ['text', 'json', 'sarif', 'github'] as const;
type Format = (typeof FORMATS)[number];
const DEFAULT_CONFIG = 'validate.config.yaml';

export const USAGE = `usage: npm run validate -- [PATH...] [options]

  PATH                 a kustomization directory, or a repository root whose overlays/*/ are all
                       validated (default: this repository's overlays)
  --format FORMAT      text | json | sarif | github (default: text; github inside GitHub Actions)
  --output FILE        write the report to FILE instead of standard output
  --config FILE        configuration (default: ${DEFAULT_CONFIG} at the repository root, if present)
  --env NAME           treat every given overlay as environment NAME
  --list-rules         print every rule with its severity per environment, and exit
  --no-schemas         skip the kubeconform stage (reported loudly)
  --require-schemas    exit 2 when schemas could not be checked (default inside GitHub Actions)
  --server             also submit every rendered object to a Kubernetes API server as a server-side
                       dry run (a local one: the running \`npm run cluster\`, or etcd + kube-apiserver
                       started for this run); each rejection is a finding of rule \`server\`
  --kubeconfig FILE    with --server: dry-run against this cluster instead (read-only)
  --context NAME       with --kubeconfig: the context to use
  --require-server     exit 2 when --server could not check (default inside GitHub Actions)
  --no-color           plain text even on a terminal
  -h, --help           this text

exit codes: 0 no error-level finding, 1 at least one, 2 input or tool error`;

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  const args = parseArguments(argv);
  if (args.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_CLEAN;
  }
  // kustomize-batch starts up first, while this reads the flags, loads the engine and checks the
  // trees; it renders nothing until a tree has passed its checks. Not for --list-rules.
  const renders = args.values['list-rules'] ? undefined : openRenders();
  try {
    return await validateFlags(args, renders);
  } finally {
    renders?.close();
  }
}

async function validateFlags(
  args: ReturnType<typeof parseArguments>,
  renders: Renders | undefined,
): Promise<number> {
  const cwd = invocationDirectory();
  // The validated tree's repository, not necessarily the one the command runs in: its config,
  // its paths in every report, its environments.
  const root = validatedRoot(args.positionals, cwd);
  const configFile = args.values.config
    ? resolve(cwd, args.values.config)
    : nearestConfig(args.positionals.length > 0 ? resolve(cwd, args.positionals[0] as string) : cwd, root);
  // --list-rules: the configuration and the rule catalogue, no engine.
  if (!renders) {
    const [{ loadConfig }, { ruleCatalogue }, { listRules }] = await Promise.all([
      import('./config/load.js'),
      import('./policies/index.js'),
      import('./policies/list.js'),
    ]);
    const { config, warnings } = loadConfig(configFile, root, { rules: ruleCatalogue });
    for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
    process.stdout.write(listRules(config));
    return EXIT_CLEAN;
  }
  // The flags are checked before anything starts: a mistyped flag costs no render.
  if (args.values.env !== undefined && !/^[A-Za-z0-9][\w.-]*$/.test(args.values.env)) {
    throw new ExitError(
      `--env '${args.values.env}' is not an environment name (letters, digits, '-', '_', '.')`,
    );
  }
  // A report for a file is text unless asked otherwise, GitHub Actions or not.
  const format = chooseFormat(args.values.format ?? (args.values.output ? 'text' : undefined));
  if (format === 'github' && args.values.output) {
    throw new ExitError(
      '--output applies to text, json and sarif; github writes annotations to standard output and the job summary to $GITHUB_STEP_SUMMARY',
    );
  }
  const output = args.values.output ? outputFile(cwd, args.values.output) : undefined;
  const server = serverOptions(args.values, cwd);
  return validateWith(renders, { args, cwd, root, configFile, format, output, server });
}

interface Invocation {
  args: ReturnType<typeof parseArguments>;
  cwd: string;
  root: string;
  configFile: string | undefined;
  format: Format;
  output: { path: string; shown: string } | undefined;
  server: ServerStageOptions;
}

async function validateWith(
  renders: Renders,
  { args, cwd, root, configFile, format, output, server }: Invocation,
): Promise<number> {
  // First the trees: read, checked and sent to kustomize before the checks (policies, secretlint,
  // ajv, the configuration) load, so kustomize renders while they do.
  const [{ discoverOverlays }, { prepareOverlays }] = await Promise.all([
    import('./render/discover.js'),
    import('./engine/prepare.js'),
  ]);
  const targets = discoverOverlays(args.positionals, root, cwd);
  const prepared = prepareOverlays(targets, root, renders);
  const [{ loadConfig, envForOverlay }, { ruleCatalogue }, { validateOverlays }, github] = await Promise.all([
    import('./config/load.js'),
    import('./policies/index.js'),
    import('./engine/run.js'),
    format === 'github' ? import('./report/github.js') : undefined,
  ]);
  const { config, warnings } = loadConfig(configFile, root, { rules: ruleCatalogue });
  for (const warning of warnings) {
    process.stderr.write(`warning: ${warning}\n`);
    github?.writeGithubWarning(warning);
  }
  const envs = new Map(
    targets.map((target) => [target.path, args.values.env ?? envForOverlay(config, target.path, target.env)]),
  );
  const result = await validateOverlays(prepared, {
    root,
    config,
    envs,
    toolVersion: toolVersion(),
    schema: {
      enabled: !args.values['no-schemas'],
      kubernetesVersion: config.schema?.kubernetesVersion,
      schemaLocations: config.schema?.locations,
      cwd: PACKAGE_ROOT,
    },
    server,
    // performance.now() counts from the process start: the summary covers start-up too.
    startedAt: 0,
  });
  await emit(result, format, output, !args.values['no-color']);
  const inActions = process.env.GITHUB_ACTIONS === 'true';
  return exitCode(
    result,
    args.values['require-schemas'] || inActions,
    args.values['require-server'] || inActions,
  );
}

/** --server and its companions, checked before any work. */
function serverOptions(
  values: { server?: boolean; kubeconfig?: string; context?: string; 'require-server'?: boolean },
  cwd: string,
): ServerStageOptions {
  if (!values.server) {
    for (const flag of ['kubeconfig', 'context', 'require-server'] as const) {
      if (values[flag] !== undefined) throw new ExitError(`--${flag} goes with --server`, EXIT_ERROR);
    }
    return { enabled: false };
  }
  if (values.context !== undefined && values.kubeconfig === undefined) {
    throw new ExitError(
      '--context goes with --kubeconfig (without it, validate uses a local API server)',
      EXIT_ERROR,
    );
  }
  const kubeconfig = values.kubeconfig === undefined ? undefined : resolve(cwd, values.kubeconfig);
  if (kubeconfig !== undefined && (!existsSync(kubeconfig) || !statSync(kubeconfig).isFile())) {
    throw new ExitError('--kubeconfig: no such file', EXIT_ERROR, { file: values.kubeconfig as string });
  }
  return {
    enabled: true,
    kubeconfig,
    context: values.context,
    log: (line) => process.stderr.write(`server: ${line}\n`),
  };
}

function parseArguments(argv: string[]) {
  return parseCommandLine(
    {
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        output: { type: 'string' },
        config: { type: 'string' },
        env: { type: 'string' },
        'list-rules': { type: 'boolean' },
        'no-schemas': { type: 'boolean' },
        'require-schemas': { type: 'boolean' },
        server: { type: 'boolean' },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        'require-server': { type: 'boolean' },
        'no-color': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    USAGE,
  );
}

function chooseFormat(requested: string | undefined): Format {
  if (requested === undefined) return process.env.GITHUB_ACTIONS === 'true' ? 'github' : 'text';
  if ((FORMATS as readonly string[]).includes(requested)) return requested as Format;
  throw new ExitError(`unknown --format '${requested}'; expected one of ${FORMATS.join(', ')}`, EXIT_ERROR);
}

async function emit(
  result: RunResult,
  format: Format,
  output: { path: string; shown: string } | undefined,
  colorWanted: boolean,
): Promise<void> {
  if (format === 'github') {
    const { writeGithubReport } = await import('./report/github.js');
    await writeGithubReport(result);
    return;
  }
  const color =
    colorWanted && !output && format === 'text' && process.stdout.isTTY === true && !process.env.NO_COLOR;
  const { formatReport } = await import('./report/format.js');
  const text = formatReport(result, format, { color });
  if (!output) {
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    return;
  }
  try {
    writeFileSync(output.path, text);
  } catch (error) {
    throw new ExitError(`cannot write the report: ${systemReason(error)}`, EXIT_ERROR, {
      file: output.shown,
    });
  }
}

/**
 * The directory the user ran the command in. `npm run` starts scripts in the package root and keeps
 * the caller's directory in INIT_CWD, so `cd overlays/dev && npm run validate -- .` means overlays/dev.
 */
function invocationDirectory(): string {
  const fromNpm = process.env.npm_lifecycle_event === 'validate' ? process.env.INIT_CWD : undefined;
  return fromNpm && existsSync(fromNpm) ? fromNpm : process.cwd();
}

/**
 * git's top level; outside git (an exported tarball) the nearest directory above `cwd` holding
 * validate.config.yaml, so paths, config and environments are the same as in the repository.
 */
function findRoot(cwd: string): string {
  const top = repositoryRoot(cwd);
  if (top !== cwd || existsSync(join(cwd, DEFAULT_CONFIG)) || existsSync(join(cwd, '.git'))) return top;
  for (let dir = dirname(cwd); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, DEFAULT_CONFIG))) return dir;
  }
  return top;
}

/**
 * The root of the repository the given paths are in: the one the command runs in when they are
 * inside it; else the paths' own (git's top level, or the directory above holding
 * validate.config.yaml, or the parent of a conventional `overlays/` directory). Paths in two
 * repositories are refused: one report cannot hold two roots.
 */
function validatedRoot(paths: readonly string[], cwd: string): string {
  const here = findRoot(cwd);
  const roots = new Set<string>();
  for (const path of paths) {
    const absolute = resolve(cwd, path);
    if (isInside(here, absolute)) {
      roots.add(here);
      continue;
    }
    let dir = absolute;
    while (!existsSync(dir) || !statSync(dir).isDirectory()) {
      if (dir === dirname(dir)) break;
      dir = dirname(dir);
    }
    const found = findRoot(dir);
    // Outside git and without a config, `…/overlays/<env>` means the tree above `overlays/`.
    const conventional =
      found === dir && basename(dirname(dir)) === 'overlays' ? dirname(dirname(dir)) : found;
    roots.add(conventional);
  }
  if (roots.size > 1) {
    throw new ExitError(
      `the paths are in different repositories (${[...roots].join(', ')}): validate them one at a time`,
      EXIT_ERROR,
    );
  }
  return [...roots][0] ?? here;
}

/** The nearest validate.config.yaml above `from` (a path given, or the working directory), up to `root`. */
function nearestConfig(from: string, root: string): string | undefined {
  let dir = existsSync(from) && statSync(from).isDirectory() ? from : dirname(from);
  if (!isInside(root, dir)) dir = root;
  for (;;) {
    const file = join(dir, DEFAULT_CONFIG);
    if (existsSync(file)) return file;
    if (dir === root || dir === dirname(dir)) return undefined;
    dir = dirname(dir);
  }
}

/** Checked before any work: a report nobody can write should not cost a whole run first. */
function outputFile(cwd: string, path: string): { path: string; shown: string } {
  const absolute = resolve(cwd, path);
  const parent = dirname(absolute);
  if (!existsSync(parent) || !statSync(parent).isDirectory()) {
    throw new ExitError(`cannot write the report: directory ${dirname(path)} does not exist`, EXIT_ERROR, {
      file: path,
    });
  }
  if (existsSync(absolute) && statSync(absolute).isDirectory()) {
    throw new ExitError('cannot write the report: this is a directory', EXIT_ERROR, { file: path });
  }
  return { path: absolute, shown: path };
}

function systemReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOENT') return 'its directory does not exist';
  if (code === 'EISDIR') return 'this is a directory';
  return error instanceof Error ? error.message : String(error);
}

export function exitCode(result: RunResult, requireSchemas: boolean, requireServer = false): number {
  if (!result.schemaChecked && requireSchemas) {
    process.stderr.write(
      `error: schemas were not checked: ${result.schemaSkippedReason ?? 'unknown reason'}\n`,
    );
    return EXIT_ERROR;
  }
  if (result.server && !result.server.checked && requireServer) {
    process.stderr.write(
      `error: the API server did not check the objects: ${result.server.skippedReason ?? 'unknown reason'}\n`,
    );
    return EXIT_ERROR;
  }
  const errors = result.overlays.some((overlay) =>
    overlay.findings.some((finding) => finding.severity === 'error'),
  );
  return errors ? EXIT_FINDINGS : EXIT_CLEAN;
}

// Not awaited at the top level: the startup snapshot (scripts/build/snapshot.mjs) bundles this module
// as CommonJS, which has no top-level await; the process waits for the promise all the same.
if (isMainModule(import.meta.url)) void runMain(() => main());
