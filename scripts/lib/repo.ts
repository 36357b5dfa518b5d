import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** This package's own directory (where package.json, schemas/ and .tools/ live). */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * tsx's loader by absolute URL, so a script can be started with `node --import` from any directory.
 * For tests that run a source file directly: commands and the daemons they start run compiled
 * (commandArgv), never through a TypeScript loader.
 */
export const TSX_LOADER = pathToFileURL(join(PACKAGE_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

/** The launcher every npm script runs: `node scripts/start.mjs <command> ARGS` runs dist/<command>, rebuilt when stale. */
export const LAUNCHER = join(PACKAGE_ROOT, 'scripts', 'start.mjs');

/** What every npm script runs: `sh scripts/start.sh <command> ARGS`, from the command's startup snapshot when one is built. */
export const USER_LAUNCHER = join(PACKAGE_ROOT, 'scripts', 'start.sh');

/**
 * The command line `npm run <command> -- ARGS` runs, without npm: for the bench and the tests that
 * run a command as its users do. Code starting a helper process of its own uses commandArgv.
 */
export function userCommand(command: string, args: readonly string[] = []): { file: string; args: string[] } {
  return { file: 'sh', args: [USER_LAUNCHER, command, ...args] };
}

/**
 * argv (after `node`) that runs one of this package's commands, or one of its daemons (dev-server,
 * git-server), through scripts/start.mjs: any name in scripts/build/entries.mjs. The launcher
 * rebuilds a stale dist/ first, so this is how code starts its own helper processes.
 */
export function commandArgv(command: string, args: readonly string[] = []): string[] {
  return [LAUNCHER, command, ...args];
}

/**
 * The repository a user works in: the nearest directory at or above `cwd` (symlinks resolved, as
 * git resolves them) that holds `.git`, a directory or the file of a worktree or submodule, which
 * is how git finds its top level; `cwd` outside git. Read from the file system: starting
 * `git rev-parse` for it held validate up for about 10 ms before kustomize could start.
 */
export function repositoryRoot(cwd: string = process.cwd()): string {
  let dir: string;
  try {
    dir = realpathSync(cwd);
  } catch {
    return cwd;
  }
  // Bounded: a path has at most a few hundred components.
  for (let depth = 0; depth < 4096; depth++) {
    if (existsSync(join(dir, '.git'))) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return cwd;
}

export function toolVersion(): string {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}
