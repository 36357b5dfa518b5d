import { join, relative } from 'node:path';
import { ExitError } from '../lib/exit-error.js';
import { type RunResult, runProcess } from '../lib/process.js';
import { kustomizationFile } from './discover.js';
import { summariseKustomizeError } from './kustomize-error.js';
import { findKustomize } from './tools.js';

export interface RenderOptions {
  /** Working directory used to make file names in messages relative (the repository root). */
  root?: string;
  timeoutMs?: number;
  /**
   * Values that must never be printed (generator literals, env-file values): kustomize quotes some
   * of them in its errors (`invalid literal source <value>`), and its message ends up in every report.
   */
  sensitive?: readonly string[];
}

const DEFAULT_TIMEOUT_MS = 60_000;
/** kustomize output is bounded so a runaway generator cannot exhaust memory. */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** Renders one kustomization directory with the real kustomize and returns the YAML stream. */
export async function renderOverlay(dir: string, options: RenderOptions = {}): Promise<string> {
  return renderedText(await startRender(dir, options), options);
}

/** A kustomize run that has ended, not yet judged: see renderedText. */
export interface FinishedRender {
  dir: string;
  binary: string;
  timeoutMs: number;
  result: RunResult;
}

/**
 * Runs kustomize on `dir` without judging the result, so a caller can start the renders first and
 * learn the values its error messages must hide (`sensitive`) while kustomize runs. Never rejects
 * for kustomize's own failures: renderedText reports them.
 */
export async function startRender(
  dir: string,
  options: Pick<RenderOptions, 'timeoutMs'> = {},
): Promise<FinishedRender> {
  const engine = await findKustomize();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const [binary, ...args] = engine.command as [string, ...string[]];
  // zx is not used here: it costs ~0.25 s to load and buffers output without a bound.
  const result = await runProcess(binary, [...args, dir], {
    timeoutMs,
    maxOutputBytes: MAX_OUTPUT_BYTES,
    overflow: 'kill',
  });
  return { dir, binary, timeoutMs, result };
}

/** The YAML stream of a finished render, or an ExitError naming the kustomization file and why. */
export function renderedText(render: FinishedRender, options: RenderOptions = {}): string {
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
  return result.stdout;
}
