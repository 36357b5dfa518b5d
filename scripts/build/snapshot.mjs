/**
 * Builds a command's V8 startup snapshot (the commands in SNAPSHOTS, scripts/build/entries.mjs):
 * the command bundled as one CommonJS file with snapshot-main.mjs, run by `node --build-snapshot`
 * through its warm-up runs, so that a run started from the snapshot deserialises modules already
 * loaded and code already compiled instead of reading, compiling and evaluating them (Node 20 has
 * no compile cache for ES modules). scripts/start.sh starts a command from its snapshot when one is
 * built for the node on PATH.
 *
 * dist/<command>/<id>/<command>.blob is the snapshot of build <id>; dist/<command>/snapshot names it,
 * in two lines start.sh reads: the blob's path under dist/<command>/, and the node binary it was
 * built with (device:inode:size:mtime, as `stat -L` prints them), since a blob only loads in the
 * Node.js it was built by.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENTRIES, SNAPSHOTS } from './entries.mjs';
import { commandDir, readManifest } from './manifest.mjs';
import { EXTERNAL_PACKAGES, precompiledValidatorPlugin, sourceUrlPlugin } from './plugins.mjs';

export const SNAPSHOT_RECORD = 'snapshot';
/** Building runs the warm-ups (whole validate runs on this repository): a bound, with room. */
const BUILD_TIMEOUT_MS = 180_000;
/** Node's own warnings about built-in modules in a snapshot (child_process, tty…): said once here, not at every build. */
const UNVERIFIED_MODULE_WARNING =
  /not yet fully verified whether built-in module|^It may still work|^To request support|^\(Use `node --trace-warnings/;

/** The node binary as start.sh sees it: what `stat -L -c '%d:%i:%s:%Y'` prints for it. */
export function nodeIdentity(path = process.execPath) {
  const stat = statSync(path);
  return `${stat.dev}:${stat.ino}:${stat.size}:${Math.floor(stat.mtimeMs / 1000)}`;
}

/** The record's two lines, or undefined when there is none. */
export function readSnapshotRecord(root, command) {
  try {
    const [blob, node] = readFileSync(join(commandDir(root, command), SNAPSHOT_RECORD), 'utf8').split('\n');
    return blob && node ? { blob, node } : undefined;
  } catch {
    return undefined;
  }
}

/** Why the command's snapshot must be built again, or undefined when it is of the current build. */
export function snapshotStale(root, command) {
  const { manifest, stale } = readManifest(root, command);
  if (!manifest) return stale;
  const { id } = manifest;
  const record = readSnapshotRecord(root, command);
  if (!record) return `dist/${command} has no startup snapshot`;
  if (record.blob !== `${id}/${command}.blob`) return `dist/${command}'s snapshot is of an older build`;
  if (record.node !== nodeIdentity()) return `dist/${command}'s snapshot was built by another node`;
  return undefined;
}

/** Removes the record: start.sh then runs the command through start.mjs until a snapshot is built again. */
export function forgetSnapshot(root, command) {
  rmSync(join(commandDir(root, command), SNAPSHOT_RECORD), { force: true });
}

function entryCode(root, command, id, snapshot) {
  const source = ENTRIES[command];
  const spec = { root, command, source, id, warmUp: snapshot.warmUp };
  return `import { main } from './${source}';
import { runMain } from './scripts/lib/main.ts';
import { snapshotMain } from './scripts/build/snapshot-main.mjs';
snapshotMain({ ...${JSON.stringify(spec)}, main, runMain });
`;
}

function run(command, args, options) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk) => {
      output = (output + chunk).slice(-16_384);
    };
    child.stdout.setEncoding('utf8').on('data', keep);
    child.stderr.setEncoding('utf8').on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), BUILD_TIMEOUT_MS);
    child.on('error', (error) => keep(`${error.message}\n`));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

/**
 * Builds the snapshot of the command's build `id` (default: the one current.json names) and records
 * it. The snapshot itself compares that build with the sources at every start. Returns notes to
 * show (a warm-up that did not run cleanly); throws an Error saying why when no snapshot could be
 * built, having removed the record, so start.sh falls back to start.mjs.
 */
export async function buildSnapshot(root, command, id = readManifest(root, command).manifest?.id) {
  const snapshot = SNAPSHOTS[command];
  if (!Object.hasOwn(SNAPSHOTS, command)) throw new Error(`'${command}' has no startup snapshot`);
  forgetSnapshot(root, command);
  if (id === undefined) throw new Error(`cannot build its snapshot: dist/${command} is missing`);
  const dir = join(commandDir(root, command), id);
  const bundle = join(dir, `${command}.snapshot.cjs`);
  const blob = join(dir, `${command}.blob`);
  const partial = `${blob}.${process.pid}.partial`;
  const esbuild = await import('esbuild');
  try {
    await esbuild.build({
      absWorkingDir: root,
      stdin: {
        contents: entryCode(root, command, id, snapshot),
        resolveDir: root,
        sourcefile: 'snapshot-entry.mjs',
      },
      outfile: bundle,
      bundle: true,
      // One script: a snapshot is built from CommonJS, and the import()s become require()s in it.
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      external: EXTERNAL_PACKAGES,
      minifyWhitespace: true,
      minifySyntax: true,
      logLevel: 'silent',
      plugins: [precompiledValidatorPlugin(root, new Set()), sourceUrlPlugin(root)],
    });
  } catch (error) {
    throw new Error(`cannot bundle ${command} for its snapshot: ${error?.errors?.[0]?.text ?? error}`);
  }
  const scratch = mkdtempSync(join(tmpdir(), `triage-snapshot-${command}-`));
  try {
    const env = { ...process.env, TRIAGE_SNAPSHOT_SCRATCH: scratch, GITHUB_ACTIONS: '', NO_COLOR: '1' };
    delete env.NODE_OPTIONS;
    delete env.GITHUB_STEP_SUMMARY;
    const built = await run(process.execPath, ['--snapshot-blob', partial, '--build-snapshot', bundle], {
      cwd: root,
      env,
    });
    const said = built.output
      .split('\n')
      .filter((line) => line.trim() && !UNVERIFIED_MODULE_WARNING.test(line));
    if (built.code !== 0) {
      throw new Error(
        `node --build-snapshot ${built.signal ? `was killed (${built.signal})` : `exited ${built.code}`}: ${said.slice(-3).join(' / ') || 'no output'}`,
      );
    }
    const warmUp = JSON.parse(readFileSync(join(scratch, 'warm-up.json'), 'utf8'));
    if (warmUp.leftBehind.length > 0) {
      throw new Error(
        `its warm-up left ${warmUp.leftBehind.join(', ')} listeners behind, which the snapshot would keep`,
      );
    }
    // The blob must start: a command's --help runs no work and needs nothing but the snapshot.
    const check = await run(process.execPath, ['--snapshot-blob', partial, '--', '--help'], {
      cwd: root,
      env,
    });
    if (check.code !== 0 || !check.output.startsWith('usage:')) {
      throw new Error(`the snapshot does not start (exit ${check.code}): ${check.output.split('\n')[0]}`);
    }
    renameSync(partial, blob);
    const record = join(commandDir(root, command), `.${SNAPSHOT_RECORD}.${process.pid}`);
    writeFileSync(record, `${id}/${command}.blob\n${nodeIdentity()}\n`);
    renameSync(record, join(commandDir(root, command), SNAPSHOT_RECORD));
    return warmUp.results
      .filter((result) => result.code !== 0 && result.code !== 1)
      .map(
        (result) =>
          `its warm-up \`${command} ${result.args.join(' ')}\` exited ${result.code}, so that path starts cold: ${result.output.split('\n')[0]}`,
      );
  } finally {
    rmSync(partial, { force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
}
