#!/usr/bin/env node
/**
 * Runs a command from dist/ (compiled JavaScript, no TypeScript loader at start):
 *   node scripts/start.mjs <command> [args…]      e.g. node scripts/start.mjs validate --help
 * Every npm script goes through here, by way of scripts/start.sh when the command has no startup
 * snapshot to start from (or its snapshot hands over, its sources having changed). dist/ is checked
 * against the sources first (a stat of each input); when it is missing or stale it is rebuilt, with
 * the command's snapshot, saying so in one line on stderr, so a stale build never runs silently.
 * Plain JavaScript on purpose: it must run before anything is compiled.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ENTRIES, SNAPSHOTS } from './build/entries.mjs';
import { checkBuild, commandDir } from './build/manifest.mjs';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
/** Another launcher building: how long to wait for it before building anyway. */
const LOCK_WAIT_MS = 120_000;

function fail(message) {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/**
 * One build of a command at a time (vitest and CI start many commands at once): a lock directory,
 * taken atomically; a lock older than LOCK_WAIT_MS is from a build that died and is taken over.
 */
async function withBuildLock(command, work) {
  const { mkdirSync, rmSync, statSync } = await import('node:fs');
  const lock = join(commandDir(ROOT, command), '.build.lock');
  mkdirSync(commandDir(ROOT, command), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if (error?.code !== 'EEXIST') throw error;
      let age = 0;
      try {
        age = Date.now() - statSync(lock).mtimeMs;
      } catch {
        continue;
      }
      if (age > LOCK_WAIT_MS) rmSync(lock, { recursive: true, force: true });
      else await sleep(100);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * The build to run: the current one, or a new one when dist/ is missing or older than the sources.
 * Returns an error message instead when the sources do not compile.
 */
async function currentBuild(command) {
  const checked = checkBuild(ROOT, command);
  if (checked.manifest) return { manifest: checked.manifest };
  return withBuildLock(command, async () => {
    // Another launcher may have built while this one waited for the lock.
    const again = checkBuild(ROOT, command);
    if (again.manifest) return { manifest: again.manifest };
    const started = Date.now();
    const { buildCommand } = await import('./build/build.mjs');
    let built;
    try {
      built = await buildCommand(ROOT, command);
    } catch (error) {
      return {
        error: `cannot build dist/${command}: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    // Runs what was just built from the sources as they were read; a file edited during the build
    // is recorded as not matching (manifest.mjs), so the next command rebuilds again.
    const rebuilt = `start: ${again.stale}: rebuilt dist/${command} in ${Date.now() - started} ms`;
    process.stderr.write(`${rebuilt}${await withSnapshot(command, built.id)}\n`);
    return { manifest: { id: built.id } };
  });
}

/**
 * A command that starts from a startup snapshot (scripts/start.sh) gets one of the new build, so
 * the next run starts fast again; without it the command still runs, through this launcher.
 */
async function withSnapshot(command, id) {
  if (!Object.hasOwn(SNAPSHOTS, command)) return '';
  const started = Date.now();
  const { buildSnapshot } = await import('./build/snapshot.mjs');
  try {
    await buildSnapshot(ROOT, command, id);
    return `, and its startup snapshot in ${Date.now() - started} ms`;
  } catch (error) {
    return `; no startup snapshot (${error instanceof Error ? error.message : String(error)})`;
  }
}

const [command, ...args] = process.argv.slice(2);
const source = command === undefined ? undefined : ENTRIES[command];
if (source === undefined || !Object.hasOwn(ENTRIES, command)) {
  fail(
    `${command === undefined ? 'a command is required' : `unknown command '${command}'`}: usage: node scripts/start.mjs <${Object.keys(ENTRIES).join('|')}> [args…]`,
  );
}
const { manifest, error } = await currentBuild(command);
if (error) fail(error);
// The compiled modules keep their source's import.meta.url (see build.mjs), so the entry's own
// "am I the command being run" check compares against the source path.
process.argv = [process.argv[0], join(ROOT, source), ...args];
await import(pathToFileURL(join(commandDir(ROOT, command), manifest.id, `${command}.js`)).href);
