import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { mapLimited } from '../engine/limit.js';
import { PACKAGE_ROOT, TSX_LOADER } from '../lib/repo.js';
import { discoverOverlays } from '../render/discover.js';
import { renderOverlay } from '../render/kustomize.js';
import { generateTree } from './generate-tree.js';

export interface BenchRow {
  name: string;
  value: string;
}

interface TreeCase {
  label: string;
  root: string;
}

const RUNS = 3;

/** Median of `runs` timings of `work`, in milliseconds. */
async function medianMs(runs: number, work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}

/** The bare renders: every overlay through kustomize with the same parallelism validate uses. */
async function bareRender(root: string): Promise<void> {
  const targets = discoverOverlays([root], root);
  await mapLimited(targets, (target) => renderOverlay(target.dir, { root }), availableParallelism());
}

/** One validate run as a user starts it, under GNU time for the peak resident memory. */
function validateOnce(
  root: string,
  reportFile: string,
): { wallMs: number; engineMs: number; peakMb: number; resources: number } {
  const start = performance.now();
  const result = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      '%M',
      process.execPath,
      '--import',
      TSX_LOADER,
      join(PACKAGE_ROOT, 'scripts', 'validate.ts'),
      root,
      '--format',
      'json',
      '--output',
      reportFile,
    ],
    { cwd: root, encoding: 'utf8', timeout: 300_000 },
  );
  const wallMs = performance.now() - start;
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`validate failed on ${root} (exit ${result.status}): ${result.stderr.slice(-500)}`);
  }
  const peakKb = Number(result.stderr.trim().split('\n').pop());
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
    summary: { durationMs: number; resources: number };
  };
  return {
    wallMs,
    engineMs: report.summary.durationMs,
    peakMb: peakKb / 1024,
    resources: report.summary.resources,
  };
}

export async function benchValidate(): Promise<BenchRow[]> {
  const scratch = mkdtempSync(join(tmpdir(), 'triage-bench-'));
  try {
    const cases: TreeCase[] = [{ label: 'this repository', root: PACKAGE_ROOT }];
    const wide = join(scratch, 'wide');
    generateTree(wide, 50, 2);
    cases.push({ label: '50 overlays × 20 resources', root: wide });
    const large = join(scratch, 'large');
    generateTree(large, 1, 100);
    cases.push({ label: '1 overlay × 1,000 resources', root: large });
    for (const each of cases.slice(1)) spawnSync('git', ['init', '-q', each.root], { timeout: 10_000 });

    const rows: BenchRow[] = [];
    for (const each of cases) {
      const bareMs = await medianMs(RUNS, () => bareRender(each.root));
      const runs = Array.from({ length: RUNS }, () => validateOnce(each.root, join(scratch, 'report.json')));
      runs.sort((a, b) => a.engineMs - b.engineMs);
      const median = runs[Math.floor(runs.length / 2)] ?? runs[0];
      if (!median) continue;
      const peakMb = Math.max(...runs.map((run) => run.peakMb));
      rows.push(
        { name: `${each.label}: resources`, value: String(median.resources) },
        { name: `${each.label}: bare kustomize renders`, value: `${bareMs.toFixed(0)} ms` },
        {
          name: `${each.label}: validate (render+schema+policies)`,
          value: `${median.engineMs.toFixed(0)} ms`,
        },
        {
          name: `${each.label}: ratio validate / bare render`,
          value: `${(median.engineMs / bareMs).toFixed(2)}× (goal ≤ 1.3×)`,
        },
        {
          name: `${each.label}: validate CLI wall time (incl. Node start-up)`,
          value: `${median.wallMs.toFixed(0)} ms`,
        },
        {
          name: `${each.label}: peak memory (largest process)`,
          value: `${peakMb.toFixed(0)} MB (goal ≤ 300 MB)`,
        },
      );
    }
    return rows;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
