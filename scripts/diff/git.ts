import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitError } from '../lib/exit-error.js';
import { runProcess } from '../lib/process.js';
import type { Revision } from './types.js';

/** One git or tar call's deadline: a hung credential helper or a huge archive must not hang diff. */
export const GIT_TIMEOUT_MS = 60_000;
/** What git prints here is a commit id, a path or an error: a MiB is far more than any of them. */
const MAX_OUTPUT_BYTES = 1024 * 1024;

export interface ToolResult {
  /** The tool's exit code: 0 on success; a failure the caller reads (an unknown ref) otherwise. */
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs git or tar without a shell (and without zx, which costs ~0.25 s to load): a hard deadline,
 * capped output. The tool exiting non-zero is the caller's to read (an unknown ref is an answer);
 * the tool not running to its end (not found, timed out, output cut, killed) is an ExitError,
 * exit 2, so it is never mistaken for such an answer.
 */
export async function runTool(
  command: string,
  args: readonly string[],
  cwd?: string,
  timeoutMs = GIT_TIMEOUT_MS,
): Promise<ToolResult> {
  const result = await runProcess(command, args, {
    cwd,
    timeoutMs,
    maxOutputBytes: MAX_OUTPUT_BYTES,
    overflow: 'kill',
  });
  const call = `\`${[command, args[0]].filter(Boolean).join(' ')}\``;
  const failure = (() => {
    if (result.startError) {
      // spawn says ENOENT for a missing working directory too.
      if (cwd !== undefined && !existsSync(cwd))
        return `directory ${cwd} does not exist (needed for ${call})`;
      if (result.startError.code === 'ENOENT') return `${command} was not found on PATH (needed for ${call})`;
      return `${call} could not be started: ${result.startError.code ?? result.startError.message}`;
    }
    if (result.timedOut) return `${call} did not finish within ${timeoutMs / 1000} s`;
    if (result.truncated) return `${call} printed more than ${MAX_OUTPUT_BYTES >> 20} MiB`;
    if (result.code === undefined) return `${call} was stopped by ${result.signal ?? 'a signal'}`;
    return undefined;
  })();
  if (failure) throw new ExitError(failure, 2);
  return { exitCode: result.code as number, stdout: result.stdout, stderr: result.stderr };
}

function git(cwd: string, args: string[]): Promise<ToolResult> {
  return runTool('git', args, cwd);
}

/** The top of the git repository that holds `cwd`. */
export async function repositoryRoot(cwd: string): Promise<string> {
  const result = await git(cwd, ['rev-parse', '--show-toplevel']);
  if (result.exitCode !== 0) {
    throw new ExitError(
      `not inside a git repository (${firstLine(result.stderr) || 'git rev-parse failed'})`,
      2,
      {
        file: cwd,
      },
    );
  }
  return result.stdout.trim();
}

/** The commit a ref names, or undefined when there is none. */
export async function commitOf(root: string, ref: string): Promise<string | undefined> {
  if (ref.startsWith('-')) return undefined;
  const result = await git(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** A ref the user named: it must resolve to a commit. */
export async function resolveRevision(root: string, ref: string): Promise<Revision> {
  const sha = await commitOf(root, ref);
  if (!sha) throw new ExitError(`unknown revision '${ref}': git cannot resolve it to a commit`, 2);
  return { ref, sha };
}

/**
 * The default base: where the head left main. Tries `origin/main`, then `main`, then the parent
 * of the head, and says which one it used (`note`), since the answer changes what is shown. The
 * head is `--head REF` when given, else `HEAD` (the working tree's commit).
 */
export async function defaultBase(root: string, head?: Revision): Promise<Revision> {
  const headRef = head?.sha ? head.ref : 'HEAD';
  const headSha = head?.sha ?? (await commitOf(root, 'HEAD'));
  if (!headSha) throw new ExitError('the repository has no commits yet; pass --base', 2);
  const skipped: string[] = [];
  for (const candidate of ['origin/main', 'main']) {
    if (!(await commitOf(root, candidate))) {
      skipped.push(`${candidate} does not exist`);
      continue;
    }
    const result = await git(root, ['merge-base', headSha, candidate]);
    const sha = result.stdout.trim();
    if (result.exitCode === 0 && sha) {
      return { ref: sha, sha, note: withSkipped(`merge base of ${headRef} and ${candidate}`, skipped) };
    }
    skipped.push(`${headRef} and ${candidate} share no history`);
  }
  const parent = await commitOf(root, `${headSha}~1`);
  if (!parent) {
    throw new ExitError(
      `no default base: ${skipped.join(', ')}, and ${headRef} has no parent; pass --base REF`,
      2,
    );
  }
  return { ref: `${headRef}~1`, sha: parent, note: withSkipped(`${headRef}~1`, skipped) };
}

function withSkipped(note: string, skipped: string[]): string {
  return skipped.length > 0 ? `${note}; ${skipped.join(', ')}` : note;
}

/** Temporary checkouts still on disk, removed on exit even when the process is interrupted. */
const liveCheckouts = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const removeAll = () => {
    for (const dir of liveCheckouts) rmSync(dir, { recursive: true, force: true });
    liveCheckouts.clear();
  };
  process.once('exit', removeAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      removeAll();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

export interface Checkout {
  /** Directory holding the files of the revision. */
  dir: string;
  /** Removes the directory; safe to call twice. */
  dispose(): void;
}

/**
 * Writes the tree of `sha` into a new temporary directory with `git archive`, which reads the
 * object database only: the user's working tree, index and worktree list are never touched.
 */
export async function checkoutRevision(root: string, sha: string): Promise<Checkout> {
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), 'triage-diff-'));
  liveCheckouts.add(dir);
  const dispose = () => {
    rmSync(dir, { recursive: true, force: true });
    liveCheckouts.delete(dir);
  };
  try {
    const tree = join(dir, 'tree');
    const archive = join(dir, 'revision.tar');
    const archived = await git(root, ['archive', '--format=tar', `--output=${archive}`, sha]);
    if (archived.exitCode !== 0) {
      throw new ExitError(`git archive ${sha.slice(0, 12)} failed: ${firstLine(archived.stderr)}`, 2);
    }
    mkdirSync(tree);
    const extracted = await runTool('tar', ['-xf', archive, '-C', tree]);
    if (extracted.exitCode !== 0) {
      throw new ExitError(`could not unpack ${sha.slice(0, 12)}: ${firstLine(extracted.stderr)}`, 2);
    }
    rmSync(archive, { force: true });
    return { dir: tree, dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
