import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

/**
 * argv (after `node`) that runs one of this package's commands as `npm run <command>` does, or one
 * of its daemons (dev-server, git-server): any name in scripts/build/entries.mjs. The launcher
 * rebuilds a stale dist/ first, so this is also how code starts its own helper processes.
 */
export function commandArgv(command: string, args: readonly string[] = []): string[] {
  return [LAUNCHER, command, ...args];
}

/** The repository a user works in: git's top level of `cwd`, or `cwd` outside git. */
export function repositoryRoot(cwd: string = process.cwd()): string {
  try {
    return execFileSync('git', ['rev-parse', '--show-toplevel'], {
      cwd,
      encoding: 'utf8',
      timeout: 5000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return cwd;
  }
}

export function toolVersion(): string {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}
