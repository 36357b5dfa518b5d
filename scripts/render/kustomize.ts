import { relative } from 'node:path';
import { $ } from 'zx';
import { ExitError } from '../lib/exit-error.js';
import { findKustomize } from './tools.js';

export interface RenderOptions {
  /** Working directory used to make file names in messages relative (the repository root). */
  root?: string;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;
/** kustomize output is bounded so a runaway generator cannot exhaust memory. */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** Renders one kustomization directory with the real kustomize and returns the YAML stream. */
export async function renderOverlay(dir: string, options: RenderOptions = {}): Promise<string> {
  const engine = await findKustomize();
  const root = options.root ?? process.cwd();
  const shown = relative(root, dir).split('\\').join('/') || '.';
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const result = await $({ nothrow: true, quiet: true, timeout })`${engine.command} ${dir}`;
  if (result.signal) {
    throw new ExitError(`kustomize did not finish within ${timeout / 1000}s`, 2, {
      file: `${shown}/kustomization.yaml`,
    });
  }
  if (result.exitCode !== 0) {
    const reason = summariseKustomizeError(result.stderr, root);
    throw new ExitError(`kustomize could not build it: ${reason}`, 2, {
      file: `${shown}/kustomization.yaml`,
    });
  }
  if (result.stdout.length > MAX_OUTPUT_BYTES) {
    throw new ExitError(`kustomize printed more than ${MAX_OUTPUT_BYTES >> 20} MiB`, 2, {
      file: `${shown}/kustomization.yaml`,
    });
  }
  return result.stdout;
}

/** kustomize's first error line, with absolute paths made relative to the repository root. */
export function summariseKustomizeError(stderr: string, root: string): string {
  const text = stderr.replace(/^Error:\s*/m, '').trim();
  const lines = text.split('\n').filter((line) => line.trim() !== '' && !/^Usage:/.test(line));
  const first = lines[0] ?? 'unknown error';
  return first.split(`${root}/`).join('').split(root).join('.').replace(/\s+/g, ' ').slice(0, 600);
}
