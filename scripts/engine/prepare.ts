import type { OverlayTarget } from '../render/discover.js';
import type { Renders } from '../render/kustomize.js';
import { SourceFiles } from '../sourcemap/files.js';
import { checkInputs } from '../sourcemap/inputs.js';
import { sensitiveValues } from '../sourcemap/sensitive.js';
import { type Layer, loadTree } from '../sourcemap/tree.js';
import { type RenderOutcome, renderQueue } from './renders.js';

/** One overlay whose inputs passed their checks and whose render has started. */
export interface PreparedOverlay {
  target: OverlayTarget;
  tree: Layer;
  /** Values no message may quote (see sensitiveValues). */
  sensitive: string[];
  render: Promise<RenderOutcome>;
}

/** The overlays of one run, read and checked, rendering: what validateOverlays goes on from. */
export interface PreparedRun {
  root: string;
  files: SourceFiles;
  overlays: PreparedOverlay[];
}

/**
 * The first step of a run, kept apart from the engine so that the command can take it before it
 * loads the checks (the policies, secretlint, ajv, the configuration): each overlay's tree is read
 * and every file kustomize will read is checked, and only then is that overlay sent to kustomize,
 * which renders (another process) while this one reads the next tree and then loads the rest.
 */
export function prepareOverlays(
  targets: readonly OverlayTarget[],
  root: string,
  renders?: Renders,
): PreparedRun {
  const files = new SourceFiles(root);
  const queue = renderQueue(renders);
  try {
    const overlays = targets.map((target) => {
      files.allowTree(target.dir);
      const tree = loadTree(target.dir, files);
      // kustomize has no limits of its own (an alias bomb or a FIFO hangs it): every file it will
      // read is checked here first, and only then is it started.
      checkInputs(tree, files);
      const render = queue.start(tree);
      return { target, tree, sensitive: sensitiveValues(tree, files), render };
    });
    return { root, files, overlays };
  } finally {
    queue.close();
  }
}
