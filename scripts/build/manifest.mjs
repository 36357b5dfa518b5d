/**
 * What dist/current.json records about a build and how the launcher checks it: the size and
 * modification time of every file the build read. Stat calls only, no hashing: a few milliseconds
 * for the ~200 inputs, so the check can run on every command.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const MANIFEST_NAME = 'current.json';

/**
 * Read by the build beyond the sources esbuild reports: dependency versions, compiler settings, and
 * pins.json, which scripts/schema/settings.ts reads as it loads, so a startup snapshot holds it.
 */
export const EXTRA_INPUTS = [
  'package-lock.json',
  'node_modules/.package-lock.json',
  'tsconfig.json',
  'scripts/schema/pins.json',
];

/** The build's own configuration: a change to how it builds is a change to what it builds. */
export const BUILD_CONFIG_FILES = [
  'scripts/build/build.mjs',
  'scripts/build/entries.mjs',
  'scripts/build/manifest.mjs',
  'scripts/build/plugins.mjs',
  'scripts/build/snapshot.mjs',
  'scripts/build/snapshot-main.mjs',
];

export function distDir(root) {
  return join(root, 'dist');
}

/** Where one command's builds live: dist/<command>/. */
export function commandDir(root, command) {
  return join(distDir(root), command);
}

/**
 * A file's [mtimeMs, size], or null when it does not exist. A file changed while the build ran
 * (between `window.started` and `window.finished`) may not be in it: it is recorded as never
 * matching, so the next command rebuilds. A modification time outside the window (a clock ahead,
 * an archive's dates) is recorded as it is.
 */
export function recordedStat(path, window) {
  try {
    const stat = statSync(path);
    const duringBuild = stat.mtimeMs >= window.started && stat.mtimeMs <= window.finished;
    return duringBuild ? [-1, -1] : [stat.mtimeMs, stat.size];
  } catch {
    return null;
  }
}

function sameStat(path, recorded) {
  try {
    const stat = statSync(path);
    return recorded !== null && stat.mtimeMs === recorded[0] && stat.size === recorded[1];
  } catch {
    return recorded === null;
  }
}

/**
 * The command's current build, or why there is none to run: `{ manifest }` when dist/ matches the sources,
 * else `{ stale: 'reason' }` naming the first file that changed.
 */
export function checkBuild(root, command) {
  const { manifest, stale } = readManifest(root, command);
  if (!manifest) return { stale };
  for (const [file, recorded] of Object.entries(manifest.inputs)) {
    if (!sameStat(join(root, file), recorded)) return { stale: `${file} changed since the last build` };
  }
  return { manifest };
}

/**
 * The build current.json names, as recorded, its inputs not compared with the sources (a build just
 * made, whose snapshot is made next): `{ manifest }`, or `{ stale: 'reason' }` when there is none.
 */
export function readManifest(root, command) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(commandDir(root, command), MANIFEST_NAME), 'utf8'));
  } catch {
    return { stale: `dist/${command} is missing` };
  }
  if (typeof manifest?.id !== 'string' || typeof manifest.inputs !== 'object' || manifest.inputs === null) {
    return { stale: `dist/${command}/${MANIFEST_NAME} is not a build manifest` };
  }
  return { manifest };
}
