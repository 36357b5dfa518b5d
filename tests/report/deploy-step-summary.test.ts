import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deploy, writeStepSummary } from '../../scripts/deploy/run.js';
import { ExitError } from '../../scripts/lib/exit-error.js';
import { PACKAGE_ROOT } from '../../scripts/lib/repo.js';

/** deploy's job summary writes: a bad GITHUB_STEP_SUMMARY is one clear message, never ENOENT. */

const dir = mkdtempSync(join(tmpdir(), 'deploy-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('deploy with a GITHUB_STEP_SUMMARY that cannot be written', () => {
  it('stops with exit 2 naming the variable, before it renders or calls the cluster', async () => {
    const missing = join(dir, 'no-such-dir', 'summary.md');
    const lines: string[] = [];
    const run = deploy({
      environment: 'prod',
      root: PACKAGE_ROOT,
      // Nothing answers here: any kubectl call would fail with its own, different message.
      target: { kubeconfig: join(dir, 'no-kubeconfig') },
      targetLabel: 'nowhere',
      local: false,
      rolloutTimeoutMs: 1_000,
      env: { GITHUB_STEP_SUMMARY: missing },
      log: (line) => lines.push(line),
    });
    await expect(run).rejects.toThrow(ExitError);
    await expect(run).rejects.toMatchObject({
      code: 2,
      message: `GITHUB_STEP_SUMMARY=${missing} does not exist and its directory does not either: the job summary (where the kubectl diff goes) cannot be written; nothing was deployed`,
    });
    expect(lines).toEqual([]);
  });
});

describe('writeStepSummary', () => {
  it('appends to the file, one line break after each section', () => {
    const file = join(dir, 'summary.md');
    writeStepSummary({ GITHUB_STEP_SUMMARY: file }, '### one', () => {});
    writeStepSummary({ GITHUB_STEP_SUMMARY: file }, '### two', () => {});
    expect(readFileSync(file, 'utf8')).toBe('### one\n### two\n');
  });

  it('logs a write that fails mid-deploy instead of stopping it', () => {
    const folder = join(dir, 'a-directory');
    mkdirSync(folder);
    const lines: string[] = [];
    expect(() =>
      writeStepSummary({ GITHUB_STEP_SUMMARY: folder }, '### ✅ done', (line) => lines.push(line)),
    ).not.toThrow();
    expect(lines).toEqual([
      `warning: GITHUB_STEP_SUMMARY=${folder} is not a regular file: cannot write the job summary`,
    ]);
  });

  it('does nothing outside Actions', () => {
    const lines: string[] = [];
    writeStepSummary({}, '### ignored', (line) => lines.push(line));
    expect(lines).toEqual([]);
  });
});
