import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARKDOWN_MARKER } from '../../scripts/diff/report/markdown.js';
import { commandArgv } from '../../scripts/lib/repo.js';
import { createChangedRepo, type FixtureRepo, SECRETS } from './fixture.js';

let repo: FixtureRepo;

beforeAll(() => {
  repo = createChangedRepo();
});

afterAll(() => repo?.remove());

/** Runs the command as a user would (`npm run diff`: the launcher, dist/), from inside the repository. */
function runDiff(...args: string[]) {
  const result = spawnSync(process.execPath, commandArgv('diff', args), {
    cwd: repo.dir,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run diff', () => {
  it('finds the repository from its working directory and writes markdown to --output', () => {
    const { code, stderr } = runDiff('--base', 'main', '--format', 'markdown', '--output', 'reports/diff.md');
    expect(stderr).not.toMatch(/error/);
    expect(code).toBe(0);
    const markdown = readFileSync(join(repo.dir, 'reports/diff.md'), 'utf8');
    expect(markdown.startsWith(MARKDOWN_MARKER)).toBe(true);
    expect(markdown).toContain('minReplicas 2 → 3');
    expect(markdown).not.toContain(SECRETS.newApiKey);
    expect(stderr).toContain('wrote markdown report to reports/diff.md');
  }, 60_000);

  it('prints JSON for one overlay and exits 0 even though there are differences', () => {
    const { code, stdout } = runDiff('--base', 'main', '--head', 'HEAD', '--format', 'json', 'overlays/prod');
    expect(code).toBe(0);
    const document = JSON.parse(stdout);
    expect(document.summary).toEqual([
      { overlay: 'overlays/prod', added: 0, changed: 0, removed: 1, renamed: 0 },
    ]);
  }, 60_000);

  it('exits 0 with "no differences" when both sides render the same', () => {
    const { code, stdout } = runDiff('--base', 'HEAD', '--head', 'HEAD', 'overlays/dev');
    expect(code).toBe(0);
    expect(stdout).toContain('overlays/dev: no differences');
  }, 60_000);

  it('exits 2 on an unknown ref', () => {
    const { code, stderr } = runDiff('--base', 'no-such-branch');
    expect(code).toBe(2);
    expect(stderr).toContain("unknown revision 'no-such-branch'");
  }, 60_000);

  it('exits 2 when an overlay exists at neither revision, and says so', () => {
    const { code, stderr } = runDiff('--base', 'main', 'overlays/qa');
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /overlays\/qa: no kustomization at base \(main \([0-9a-f]{12}\)\) nor at head \(working tree\)/,
    );
  }, 60_000);

  it('exits 2 on a bad option', () => {
    const { code, stderr } = runDiff('--format', 'html');
    expect(code).toBe(2);
    expect(stderr).toContain('--format must be one of text, markdown, json');
  }, 60_000);
});
