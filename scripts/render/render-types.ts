import type { JsonObject } from '../core/resource.js';
import type { RunResult } from '../lib/process.js';

// What a render hands back, whichever kustomize ran it: a CLI (kustomize.ts) or kustomize-batch (batch.ts).

/** One rendered object as kustomize-batch hands it over: its YAML and the same object as data. */
export interface RenderedDocument {
  yaml: string;
  object: JsonObject;
}

/** A kustomize run that has ended, not yet judged: see renderedText. */
export interface FinishedRender {
  dir: string;
  /** What ran, for messages: a CLI's binary or kustomize-batch. */
  binary: string;
  timeoutMs: number;
  /** kustomize's exit; for kustomize-batch, its answer in the same shape (stderr holds the error). */
  result: RunResult;
  /** kustomize-batch's objects, already parsed: no YAML stream to read again. */
  documents?: RenderedDocument[];
}

export interface RenderRequest {
  /**
   * The tree sets `openapi` or `crds`, which change kustomize's schema for the rest of a process:
   * kustomize-batch resets it after this one.
   */
  isolate?: boolean;
}

/** Renders started as their inputs pass their checks; `close` once every overlay is queued. */
export interface Renders {
  /** Never rejects for kustomize's own failures: renderedText reports them. */
  render(dir: string, request?: RenderRequest): Promise<FinishedRender>;
  close(): void;
}
