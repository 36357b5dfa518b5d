import { type HostileTree, writeHostileTrees } from './hostile-trees.js';
import { runMeasured } from './measure.js';
import type { BenchRow } from './validate.js';

/** Goals for a hostile input: refused with exit 2, quickly, without growing. */
const GOAL_MS = 3000;
const GOAL_MB = 300;

/**
 * Each hostile tree through validate and through diff, one at a time (the machine otherwise idle):
 * exit 2 within GOAL_MS and GOAL_MB, whole processes as a user starts them.
 */
export async function benchHostile(): Promise<BenchRow[]> {
  const hostile = writeHostileTrees();
  const rows: BenchRow[] = [];
  try {
    for (const tree of hostile.trees) {
      rows.push(await measure(tree, 'validate', ['--no-schemas', '.']));
      rows.push(await measure(tree, 'diff', ['--base', 'main', '.']));
    }
  } finally {
    hostile.dispose();
  }
  return rows;
}

async function measure(tree: HostileTree, command: 'validate' | 'diff', args: string[]): Promise<BenchRow> {
  const run = await runMeasured(command, tree.root, args, { timeoutMs: 90_000 });
  const met = run.status === 2 && run.ms <= GOAL_MS && run.peakMb <= GOAL_MB;
  return {
    name: `${command}: ${tree.name}`,
    value: `exit ${run.status ?? 'killed'} in ${(run.ms / 1000).toFixed(2)} s, ${run.peakMb.toFixed(0)} MB (goal exit 2, ≤ ${GOAL_MS / 1000} s, ≤ ${GOAL_MB} MB) ${met ? 'met' : 'NOT MET'}`,
  };
}
