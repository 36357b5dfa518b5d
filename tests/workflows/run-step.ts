import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The shell every workflow sets in `defaults.run.shell`. */
const SHELL = ['--noprofile', '--norc', '-euo', 'pipefail', '-c'];

export interface StepRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The arguments each `npm` call got, one array per call. */
  npmCalls: string[][];
  /** Files of the step's working directory, and of $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY. */
  read(path: string): string | undefined;
  output: string;
  summary: string;
}

export interface StepOptions {
  env?: Record<string, string>;
  /** Shell code the stub `npm` runs after recording its arguments (e.g. `echo …; exit 2`). */
  npm?: string;
  /** Files to create in the working directory first. */
  files?: Record<string, string>;
}

/**
 * Runs a workflow step's `run:` script as the runner would (same bash flags), in a temporary
 * working directory, with `npm` replaced by a stub that records its arguments.
 */
export function runStep(script: string, options: StepOptions = {}): StepRun {
  const root = mkdtempSync(join(tmpdir(), 'workflow-step-'));
  try {
    const work = join(root, 'work');
    const bin = join(root, 'bin');
    mkdirSync(work);
    mkdirSync(bin);
    for (const [path, text] of Object.entries(options.files ?? {})) {
      mkdirSync(join(work, path, '..'), { recursive: true });
      writeFileSync(join(work, path), text);
    }
    const calls = join(root, 'npm-calls');
    writeFileSync(
      join(bin, 'npm'),
      `#!/usr/bin/env bash\nset -euo pipefail\nprintf '%s\\0' "$@" >> ${JSON.stringify(calls)}\nprintf '\\n' >> ${JSON.stringify(calls)}\n${options.npm ?? ''}\n`,
    );
    chmodSync(join(bin, 'npm'), 0o755);
    const output = join(root, 'github-output');
    const summary = join(root, 'step-summary');
    writeFileSync(output, '');
    writeFileSync(summary, '');
    const result = spawnSync('bash', [...SHELL, script], {
      cwd: work,
      encoding: 'utf8',
      timeout: 30_000,
      env: {
        PATH: `${bin}:${process.env.PATH ?? ''}`,
        HOME: root,
        GITHUB_OUTPUT: output,
        GITHUB_STEP_SUMMARY: summary,
        ...options.env,
      },
    });
    const npmCalls = existsSync(calls)
      ? readFileSync(calls, 'utf8')
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => line.split('\0').slice(0, -1))
      : [];
    const files = new Map<string, string>();
    const read = (path: string) => {
      if (!files.has(path)) {
        const file = join(work, path);
        if (existsSync(file)) files.set(path, readFileSync(file, 'utf8'));
      }
      return files.get(path);
    };
    // Read everything the assertions may ask for before the directory goes.
    for (const path of ['diff.md', 'base/secrets.env', 'setup.log']) read(path);
    return {
      code: result.status,
      stdout: result.stdout,
      stderr: result.stderr,
      npmCalls,
      read,
      output: readFileSync(output, 'utf8'),
      summary: readFileSync(summary, 'utf8'),
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
