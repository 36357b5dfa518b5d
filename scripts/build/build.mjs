/**
 * Compiles the commands in scripts/build/entries.mjs into dist/, so they start without a TypeScript
 * loader: one ESM bundle per command with code splitting (a dynamic `import()` stays lazy, code two
 * lazy parts share loads once). Each command is built on its own, so a half-edited file of one
 * command does not stop the others. A build goes to its own directory, dist/<command>/<id>/, and
 * dist/<command>/current.json names it with the stat of every input, so the launcher can tell
 * cheaply whether it is stale. A process still running an older build keeps its files: old builds
 * are removed only after a while.
 *
 * `node scripts/build/build.mjs [command…]` builds (setup runs it); the launcher calls `buildCommand()` when stale.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENTRIES, SNAPSHOTS } from './entries.mjs';
import {
  BUILD_CONFIG_FILES,
  checkBuild,
  commandDir,
  EXTRA_INPUTS,
  MANIFEST_NAME,
  recordedStat,
} from './manifest.mjs';
import { EXTERNAL_PACKAGES, precompiledValidatorPlugin, sourceUrlPlugin } from './plugins.mjs';
import { buildSnapshot, forgetSnapshot, snapshotStale } from './snapshot.mjs';

/** Builds other than the current one are removed once this old: long enough for a running command to finish loading its lazy modules. */
const KEEP_OLD_BUILDS_MS = 30 * 60_000;

/** One line per esbuild error, `file:line:column: text`, the way an editor jumps to it. */
function formatErrors(errors) {
  return errors
    .slice(0, 5)
    .map((error) => {
      const where = error.location
        ? `${error.location.file}:${error.location.line}:${error.location.column + 1}: `
        : '';
      return `${where}${error.text}`;
    })
    .join('\n');
}

function pruneOldBuilds(dist, currentId, now) {
  for (const entry of readdirSync(dist, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === currentId || entry.name.startsWith('.')) continue;
    const dir = join(dist, entry.name);
    if (now - statSync(dir).mtimeMs > KEEP_OLD_BUILDS_MS) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Builds dist/<command>/<id>/ and points dist/<command>/current.json at it. Throws an Error whose
 * message is the compiler's errors, one line each, when the sources do not compile.
 */
export async function buildCommand(root, command) {
  const source = ENTRIES[command];
  if (!Object.hasOwn(ENTRIES, command)) throw new Error(`unknown command '${command}'`);
  // Loaded here, not at the top: a launcher with a fresh dist/ never pays for esbuild.
  const esbuild = await import('esbuild');
  const dist = commandDir(root, command);
  const id = `${Date.now().toString(36)}-${process.pid}`;
  const outdir = join(dist, id);
  const started = Date.now();
  mkdirSync(dist, { recursive: true });
  let result;
  const generatedFrom = new Set();
  try {
    result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: { [command]: source },
      outdir,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      chunkNames: 'chunks/[name]-[hash]',
      external: EXTERNAL_PACKAGES,
      // Bundled CommonJS packages call require() for node's own modules.
      banner: {
        js: "import { createRequire as __triageCreateRequire } from 'node:module'; const require = __triageCreateRequire(import.meta.url);",
      },
      // Less text for Node to parse at every start; names are kept, so stack traces (DEBUG=1) still read.
      minifyWhitespace: true,
      minifySyntax: true,
      metafile: true,
      logLevel: 'silent',
      plugins: [precompiledValidatorPlugin(root, generatedFrom), sourceUrlPlugin(root)],
    });
  } catch (error) {
    rmSync(outdir, { recursive: true, force: true });
    const errors = Array.isArray(error?.errors)
      ? formatErrors(error.errors)
      : String(error?.message ?? error);
    throw new Error(`the sources do not compile:\n${errors}`);
  }
  const fromRoot = (file) => relative(root, resolve(root, file)).split('\\').join('/');
  // Packages are covered by the lock files in EXTRA_INPUTS, not a stat of each of their files.
  const inputs = new Set(
    Object.keys(result.metafile.inputs)
      .map(fromRoot)
      .filter((file) => !file.split('/').includes('node_modules')),
  );
  // Which sources each output file holds, for people and tests asking what a command loads
  // (tests/start/lazy-loading.test.ts); the launcher never reads it.
  const contents = Object.fromEntries(
    Object.entries(result.metafile.outputs).map(([output, meta]) => [
      relative(outdir, resolve(root, output)).split('\\').join('/'),
      Object.keys(meta.inputs).map(fromRoot).sort(),
    ]),
  );
  writeFileSync(join(outdir, 'contents.json'), `${JSON.stringify(contents, null, 1)}\n`);
  for (const file of [...EXTRA_INPUTS, ...BUILD_CONFIG_FILES, ...generatedFrom]) inputs.add(file);
  const stats = {};
  // The file system's clock may be coarser than Date.now(): a second of margin either side.
  const window = { started: started - 1000, finished: Date.now() + 1000 };
  for (const file of [...inputs].sort()) stats[file] = recordedStat(join(root, file), window);
  const manifest = { id, builtAt: new Date(started).toISOString(), inputs: stats };
  const temporary = join(dist, `.${MANIFEST_NAME}.${process.pid}`);
  writeFileSync(temporary, `${JSON.stringify(manifest)}\n`);
  // The snapshot of the build this replaces would only hand over to the launcher: start.sh goes
  // straight there until the new build's snapshot is made.
  if (Object.hasOwn(SNAPSHOTS, command)) forgetSnapshot(root, command);
  // Atomic: a launcher reading at the same time sees the old build or the new one, never half.
  renameSync(temporary, join(dist, MANIFEST_NAME));
  pruneOldBuilds(dist, id, Date.now());
  return { id, ms: Date.now() - started, inputs: inputs.size };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(fileURLToPath(import.meta.url), '..', '..', '..');
  const flags = process.argv.slice(2).filter((arg) => arg.startsWith('--'));
  const named = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
  const unknown = [
    ...flags.filter((flag) => flag !== '--if-stale'),
    ...named.filter((name) => !Object.hasOwn(ENTRIES, name)),
  ];
  if (unknown.length > 0) {
    process.stderr.write(
      `build: error: unknown argument ${unknown[0]}; usage: node scripts/build/build.mjs [--if-stale] [${Object.keys(ENTRIES).join('|')}…]\n`,
    );
    process.exit(2);
  }
  const candidates = named.length > 0 ? named : Object.keys(ENTRIES);
  // --if-stale (setup): only what the launcher would rebuild, so a second setup costs a stat per input.
  const wanted = flags.includes('--if-stale')
    ? candidates.filter((command) => checkBuild(root, command).stale !== undefined)
    : candidates;
  const started = Date.now();
  // In parallel: esbuild's service is shared, and one command's errors do not stop the others.
  const results = await Promise.allSettled(wanted.map((command) => buildCommand(root, command)));
  const failed = [];
  results.forEach((result, index) => {
    if (result.status === 'rejected') {
      const message = result.reason instanceof Error ? result.reason.message : String(result.reason);
      failed.push(`${wanted[index]}: ${message}`);
    }
  });
  for (const failure of failed) process.stderr.write(`build: error: ${failure}\n`);
  process.stdout.write(
    wanted.length === 0
      ? 'build: dist/ is up to date\n'
      : `build: ${wanted.length - failed.length} of ${wanted.length} commands built into dist/ in ${Date.now() - started} ms\n`,
  );
  // Then the startup snapshots, one at a time: each runs its command's warm-ups, whole runs.
  for (const command of candidates.filter((name) => Object.hasOwn(SNAPSHOTS, name))) {
    if (failed.some((failure) => failure.startsWith(`${command}: `))) continue;
    if (flags.includes('--if-stale') && snapshotStale(root, command) === undefined) continue;
    const snapshotStarted = Date.now();
    try {
      const notes = await buildSnapshot(root, command);
      process.stdout.write(
        `build: startup snapshot of ${command} built in ${Date.now() - snapshotStarted} ms\n`,
      );
      for (const note of notes) process.stdout.write(`build: note: ${command}'s snapshot: ${note}\n`);
    } catch (error) {
      // Not fatal: start.sh runs the command through start.mjs without one, a little slower.
      process.stdout.write(
        `build: warning: no startup snapshot of ${command} (it starts through scripts/start.mjs): ${error instanceof Error ? error.message : String(error)}\n`,
      );
    }
  }
  if (failed.length > 0) process.exitCode = 2;
}
