import { isMap } from 'yaml';
import { type FinishedRender, openRenders, type Renders } from '../render/kustomize.js';
import type { Layer } from '../sourcemap/tree.js';

/** A render's end: kustomize's result to judge, or why kustomize could not be run at all. */
export type RenderOutcome = { render: FinishedRender } | { error: unknown };

export interface RenderQueue {
  /** Starts rendering `tree`'s overlay; the promise never rejects. */
  start(tree: Layer): Promise<RenderOutcome>;
  /** Every overlay is queued (or the run stopped early): kustomize-batch may end when done. */
  close(): void;
}

/**
 * kustomize runs, started for each overlay as soon as its inputs are checked, so kustomize
 * (another process) renders while this one reads the next overlay's tree. The promises never
 * reject: a caller that stops early (a bad input in the next overlay) leaves no unhandled
 * rejection behind.
 */
export function renderQueue(renders: Renders = openRenders()): RenderQueue {
  return {
    start: async (tree) => {
      try {
        return { render: await renders.render(tree.dir, { isolate: changesSchema(tree) }) };
      } catch (error) {
        return { error };
      }
    },
    close: () => renders.close(),
  };
}

/** `openapi` and `crds` change kustomize's schema (kept per process) for what it renders next. */
function changesSchema(layer: Layer, seen = new Set<Layer>()): boolean {
  if (seen.has(layer)) return false;
  seen.add(layer);
  const root = layer.file.documents[0]?.contents;
  if (isMap(root) && (root.has('openapi') || root.has('crds'))) return true;
  return [...layer.bases, ...layer.components, ...layer.pluginLayers].some((each) =>
    changesSchema(each, seen),
  );
}
