import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitOf, repositoryRoot, runTool } from '../../scripts/diff/git.js';
import { ExitError } from '../../scripts/lib/exit-error.js';
import { PACKAGE_ROOT } from '../../scripts/lib/repo.js';
import { tempTrees } from '../helpers/temp-trees.js';

/** How diff runs git and tar: the repository's process helper, not zx; failures are one clear line. */

const trees = tempTrees('diff-git-test');

/** Runs `work` with PATH set to `path` only, restoring it afterwards. */
async function withPath<T>(path: string, work: () => Promise<T>): Promise<T> {
  const saved = process.env.PATH;
  process.env.PATH = path;
  try {
    return await work();
  } finally {
    process.env.PATH = saved;
  }
}

async function rejection(promise: Promise<unknown>): Promise<ExitError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ExitError);
  return error as ExitError;
}

describe('diff runs git without zx', () => {
  it('the compiled diff command holds no zx (it cost ~0.25 s of start-up)', () => {
    // dist/diff is built by the unit project's global setup, from the sources as they are now.
    const dist = join(PACKAGE_ROOT, 'dist', 'diff');
    const { id } = JSON.parse(readFileSync(join(dist, 'current.json'), 'utf8')) as { id: string };
    const contents = JSON.parse(readFileSync(join(dist, id, 'contents.json'), 'utf8')) as Record<
      string,
      string[]
    >;
    const sources = Object.values(contents).flat();
    expect(sources).toContain('scripts/diff/git.ts');
    expect(sources.filter((source) => source.includes('node_modules/zx/'))).toEqual([]);
  });

  it('git missing from PATH is an exit-2 error naming git, not "not inside a git repository"', async () => {
    const empty = trees.dir();
    const error = await rejection(withPath(empty, () => repositoryRoot(trees.dir())));
    expect(error.code).toBe(2);
    expect(error.message).toBe('git was not found on PATH (needed for `git rev-parse`)');
  });

  it('a ref lookup that cannot run is an error, not "unknown revision"', async () => {
    const empty = trees.dir();
    const error = await rejection(withPath(empty, () => commitOf(trees.dir(), 'main')));
    expect(error.message).toMatch(/^git was not found on PATH/);
  });

  it('a git that hangs is stopped at the deadline, with a message saying so', async () => {
    const bin = trees.dir();
    const fakeGit = join(bin, 'git');
    // A git that never answers, and a child of it that would hold the output open.
    writeFileSync(fakeGit, '#!/bin/sh\nsleep 60 &\nsleep 60\n');
    chmodSync(fakeGit, 0o755);
    const started = Date.now();
    const error = await rejection(
      withPath(`${bin}:/usr/bin:/bin`, () => runTool('git', ['archive'], trees.dir(), 300)),
    );
    expect(error.message).toBe('`git archive` did not finish within 0.3 s');
    expect(error.code).toBe(2);
    // Well below the fake's 60 s: the whole process group was killed.
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('a missing working directory is named as such', async () => {
    const gone = join(trees.dir(), 'missing');
    const error = await rejection(repositoryRoot(gone));
    expect(error.message).toBe(`directory ${gone} does not exist (needed for \`git rev-parse\`)`);
  });

  it('a non-zero exit is the caller to read: an unknown ref is undefined', async () => {
    const repo = trees.tree({ 'a.txt': 'a\n' });
    expect(await commitOf(repo, 'no-such-branch')).toBeUndefined();
    expect(await commitOf(repo, 'main')).toMatch(/^[0-9a-f]{40}$/);
    expect(await repositoryRoot(repo)).toBe(repo);
  });
});
