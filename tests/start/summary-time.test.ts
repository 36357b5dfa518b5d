import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { LAUNCHER, PACKAGE_ROOT } from '../../scripts/lib/repo.js';

const scratch = mkdtempSync(join(tmpdir(), 'triage-summary-time-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A start-up made slow on purpose: this module blocks for START_DELAY_MS before the launcher runs. */
const START_DELAY_MS = 3000;

it("the summary's time covers the whole command, start-up included", () => {
  const slowStart = join(scratch, 'slow-start.mjs');
  writeFileSync(
    slowStart,
    `Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${START_DELAY_MS});\n`,
  );
  const started = performance.now();
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      pathToFileURL(slowStart).href,
      LAUNCHER,
      'validate',
      '--no-schemas',
      '--format',
      'json',
      'overlays/dev',
    ],
    { cwd: PACKAGE_ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, GITHUB_ACTIONS: '' } },
  );
  const wallMs = performance.now() - started;
  expect(run.status, run.stderr).toBe(0);
  const report = JSON.parse(run.stdout) as { summary: { durationMs: number } };
  // The engine's own work on one small overlay takes far less than the delay: only a time counted
  // from the process start reaches it.
  expect(report.summary.durationMs).toBeGreaterThanOrEqual(START_DELAY_MS);
  expect(report.summary.durationMs).toBeLessThanOrEqual(wallMs);
});
