import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { ExitError } from '../lib/exit-error.js';
import { runProcess } from '../lib/process.js';
import { openBatch } from './batch.js';
import { kustomizationFile } from './discover.js';
import { summariseKustomizeError } from './kustomize-error.js';
import type { FinishedRender, Renders } from './render-types.js';
import { findKustomize, findKustomizeCli, type KustomizeEngine } from './tools.js';

export interface RenderOptions {
  /** Working directory used to make file names in messages relative (the repository root). */
  root?: string;
  timeoutMs?: number;
  /**
   * Values that must never be printed (generator literals, env-file values): kustomize quotes some
   * of them in its errors (`invalid literal source <value>`), and its message ends up in every report.
   */
  sensitive?: readonly string[];
  /** Render with the kustomize CLI a user would run by hand, even where kustomize-batch is built. */
  cli?: boolean;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
/** kustomize output is bounded so a runaway generator cannot exhaust memory. */
export const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export type { FinishedRender, RenderedDocument, RenderRequest, Renders } from './render-types.js';

/**
 * Starts kustomize for many overlays: one kustomize-batch process for all of them when it is
 * built, else one CLI process per overlay, at most one per core at a time.
 */
export function openRenders(options: Pick<RenderOptions, 'timeoutMs' | 'cli'> = {}): Renders {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Started at once: kustomize-batch starts up (and a CLI's version is checked) while the caller
  // still reads and checks the trees; nothing is rendered before render() is called.
  const engine = (options.cli ? findKustomizeCli() : findKustomize()).then((found) =>
    rendersWith(found, timeoutMs),
  );
  engine.catch(() => undefined);
  return {
    render: async (dir, request) => (await engine).render(dir, request),
    close: () => {
      engine.then(
        (renders) => renders.close(),
        () => undefined,
      );
    },
  };
}

function rendersWith(engine: KustomizeEngine, timeoutMs: number): Renders {
  if (engine.kind === 'batch') return openBatch(engine.binary, { timeoutMs, maxBytes: MAX_OUTPUT_BYTES });
  const slot = slots(Math.max(1, availableParallelism()));
  const [binary, ...args] = engine.command as [string, ...string[]];
  return {
    render: async (dir) => {
      const release = await slot();
      try {
        // zx is not used here: it costs ~0.25 s to load and buffers output without a bound.
        const result = await runProcess(binary, [...args, dir], {
          timeoutMs,
          maxOutputBytes: MAX_OUTPUT_BYTES,
          overflow: 'kill',
        });
        return { dir, binary, timeoutMs, result };
      } finally {
        release();
      }
    },
    close: () => undefined,
  };
}

/** At most `limit` holders at a time: the promise resolves to the function that frees the slot. */
function slots(limit: number): () => Promise<() => void> {
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  };
  return async () => {
    if (running < limit) running += 1;
    else await new Promise<void>((resume) => waiting.push(resume));
    return release;
  };
}

/** Renders one kustomization directory with the real kustomize and returns the YAML stream. */
export async function renderOverlay(dir: string, options: RenderOptions = {}): Promise<string> {
  const renders = openRenders(options);
  const pending = renders.render(dir);
  // The one render is queued: kustomize-batch ends once it has answered.
  renders.close();
  return renderedText(await pending, options);
}

/** The YAML stream of a finished render, or an ExitError naming the kustomization file and why. */
export function renderedText(render: FinishedRender, options: RenderOptions = {}): string {
  judgeRender(render, options);
  if (render.documents) return render.documents.map((each) => each.yaml).join('---\n');
  return render.result.stdout;
}

/** Throws an ExitError naming the kustomization file when kustomize did not render it. */
export function judgeRender(render: FinishedRender, options: RenderOptions = {}): void {
  const { dir, binary, result } = render;
  const timeout = render.timeoutMs;
  const root = options.root ?? process.cwd();
  // The kustomization file as the user sees it, for every message about this render.
  const file = relative(root, kustomizationFile(dir) ?? join(dir, 'kustomization.yaml'))
    .split('\\')
    .join('/');
  if (result.truncated) {
    throw new ExitError(`kustomize printed more than ${MAX_OUTPUT_BYTES >> 20} MiB`, 2, {
      file,
    });
  }
  if (result.timedOut || result.signal) {
    throw new ExitError(`kustomize did not finish within ${timeout / 1000}s`, 2, {
      file,
    });
  }
  if (result.code !== 0) {
    const reason = result.startError
      ? `${binary} could not be started (${result.startError.code ?? result.startError.message})`
      : summariseKustomizeError(result.stderr, root, options.sensitive);
    throw new ExitError(`kustomize could not build it: ${reason}`, 2, {
      file,
    });
  }
}
