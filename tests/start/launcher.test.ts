import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../scripts/lib/repo.js';

/**
 * The launcher on a copy of the package (its scripts, lock and settings; node_modules linked), so
 * dist/ can be removed and sources edited without touching the working tree.
 */
let copy: string;

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'triage-start-'));
  cpSync(join(PACKAGE_ROOT, 'scripts'), join(copy, 'scripts'), { recursive: true, preserveTimestamps: true });
  for (const file of ['package.json', 'package-lock.json', 'tsconfig.json']) {
    cpSync(join(PACKAGE_ROOT, file), join(copy, file), { preserveTimestamps: true });
  }
  symlinkSync(join(PACKAGE_ROOT, 'node_modules'), join(copy, 'node_modules'));
});

afterAll(() => {
  rmSync(copy, { recursive: true, force: true });
});

function start(...args: string[]) {
  return spawnSync(process.execPath, [join(copy, 'scripts', 'start.mjs'), ...args], {
    cwd: copy,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
}

/**
 * Sets a file's modification time to one it never had, in the past: a build records the times of
 * files changed while it ran as never matching, so a time "now" would also rebuild, for another reason.
 */
let touches = 0;
function touch(path: string): void {
  touches += 1;
  const earlier = new Date(Date.now() - 3_600_000 - touches * 10_000);
  utimesSync(path, earlier, earlier);
}

/** Changes `find` to `replacement` in a source file of the copy. */
function edit(file: string, find: string, replacement: string): void {
  const path = join(copy, file);
  const text = readFileSync(path, 'utf8');
  expect(text).toContain(find);
  writeFileSync(path, text.replace(find, replacement));
  touch(path);
}

describe('scripts/start.mjs', () => {
  it('builds a missing dist/, says so in one line, then runs the compiled command', () => {
    expect(existsSync(join(copy, 'dist'))).toBe(false);
    const first = start('validate', '--help');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('usage: npm run validate');
    expect(first.stderr).toMatch(
      /^start: dist\/validate is missing: rebuilt dist\/validate in \d+ ms, and its startup snapshot in \d+ ms\n$/,
    );
    expect(existsSync(join(copy, 'dist', 'validate', 'current.json'))).toBe(true);

    const second = start('validate', '--help');
    expect(second.status).toBe(0);
    expect(second.stderr).toBe('');
  });

  it('rebuilds when a source changed, and runs the new code, never the stale build', () => {
    start('validate', '--help');
    edit('scripts/validate.ts', '-h, --help           this text', '-h, --help           this text (edited)');
    const run = start('validate', '--help');
    expect(run.stderr).toMatch(/^start: scripts\/validate\.ts changed since the last build: rebuilt/);
    expect(run.stdout).toContain('this text (edited)');
    expect(start('validate', '--help').stderr).toBe('');
  });

  it('rebuilds when a module the command imports, not only its entry, is touched', () => {
    start('validate', '--help');
    touch(join(copy, 'scripts', 'lib', 'args.ts'));
    expect(start('validate', '--help').stderr).toMatch(
      /^start: scripts\/lib\/args\.ts changed since the last build/,
    );
  });

  it('rebuilds when the dependency lock changes', () => {
    start('validate', '--help');
    touch(join(copy, 'package-lock.json'));
    expect(start('validate', '--help').stderr).toMatch(
      /^start: package-lock\.json changed since the last build/,
    );
  });

  it('refuses to run when the sources do not compile: exit 2, the file and line, no stack', () => {
    edit('scripts/lib/args.ts', 'export function', 'export function function');
    const run = start('validate', '--help');
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^error: cannot build dist\/validate: the sources do not compile:\nscripts\/lib\/args\.ts:\d+:\d+: /,
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
    // The broken build left no lock behind: once fixed, the next run builds at once.
    edit('scripts/lib/args.ts', 'export function function', 'export function');
    const fixed = start('validate', '--help');
    expect(fixed.status).toBe(0);
    expect(fixed.stderr).toMatch(/rebuilt dist\/validate/);
  });

  it('names the commands when given an unknown one (exit 2)', () => {
    const run = start('valdate');
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      "error: unknown command 'valdate': usage: node scripts/start.mjs <validate|diff|loadtest|wait-for-sync|cluster|deploy|bench|docs|dev-server|git-server> [args…]\n",
    );
  });
});
