import { availableParallelism } from 'node:os';
import { type FinishedRender, startRender } from '../render/kustomize.js';

/** A render's end: kustomize's result to judge, or why kustomize could not be run at all. */
export type RenderOutcome = { render: FinishedRender } | { error: unknown };

/**
 * A queue of kustomize runs, at most `limit` at a time: `start(dir)` is called for each overlay as
 * soon as its inputs are checked, so kustomize (another process) renders while this one reads the
 * next overlay's tree. The promises never reject: a caller that stops early (a bad input in the
 * next overlay) leaves no unhandled rejection behind.
 */
export function renderQueue(
  limit = Math.max(1, availableParallelism()),
): (dir: string) => Promise<RenderOutcome> {
  let running = 0;
  const waiting: (() => void)[] = [];
  const slot = async (): Promise<void> => {
    if (running < limit) {
      running += 1;
      return;
    }
    await new Promise<void>((resume) => waiting.push(resume));
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  };
  return async (dir) => {
    await slot();
    try {
      return { render: await startRender(dir) };
    } catch (error) {
      return { error };
    } finally {
      release();
    }
  };
}
