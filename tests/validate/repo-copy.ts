import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT, userCommand } from '../../scripts/lib/repo.js';

/** What a copy of this repository's manifests is made of: every directory validate reads. */
const TREE_PARTS = ['base', 'components', 'overlays', 'clusters', 'validate.config.yaml'];

export interface RepoCopy {
  root: string;
  write(path: string, content: string): void;
  read(path: string): string;
  /** Replaces `from` with `to` in a file, failing loudly when `from` is not there. */
  edit(path: string, from: string, to: string): void;
  dispose(): void;
}

/** A temporary copy of this repository's manifests, for a test that changes one thing (changesets' testdir). */
export function copyRepository(): RepoCopy {
  const root = mkdtempSync(join(tmpdir(), 'triage-repo-'));
  for (const part of TREE_PARTS) cpSync(join(PACKAGE_ROOT, part), join(root, part), { recursive: true });
  const copy: RepoCopy = {
    root,
    write: (path, content) => writeFileSync(join(root, path), content),
    read: (path) => readFileSync(join(root, path), 'utf8'),
    edit: (path, from, to) => {
      const text = copy.read(path);
      if (!text.includes(from)) throw new Error(`${path} does not contain ${JSON.stringify(from)}`);
      copy.write(path, text.replace(from, to));
    },
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
  return copy;
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs `npm run validate` as a user would (scripts/start.sh: the startup snapshot when it is built,
 * else the launcher and the compiled dist/validate), in `cwd`.
 */
export function runValidate(cwd: string, args: string[], env: Record<string, string> = {}): CliRun {
  const started = performance.now();
  const command = userCommand('validate', args);
  const result = spawnSync(command.file, command.args, {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '', NO_COLOR: '1', ...env },
  });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    ms: performance.now() - started,
  };
}
