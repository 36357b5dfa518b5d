import type { JsonObject } from '../core/resource.js';
import { type RunResult, startSession } from '../lib/process.js';
import type { FinishedRender, RenderedDocument, RenderRequest, Renders } from './render-types.js';

export interface BatchOptions {
  /** How long one render may take: kustomize-batch is killed when it answers nothing for this long. */
  timeoutMs: number;
  /** The largest YAML output accepted per overlay. */
  maxBytes: number;
}

/** What kustomize-batch answers for one directory (scripts/render/kustomize-batch/main.go). */
interface Answer {
  dir: string;
  documents?: { yaml: string; object: JsonObject }[];
  error?: string;
  tooLarge?: boolean;
}

/** The whole session's limit: each render has its own (timeoutMs of silence); this only bounds the total. */
const SESSION_LIMIT_MS = 2 * 60 * 60 * 1000;

/**
 * One kustomize-batch process rendering every overlay it is sent, in order, answering each as it
 * finishes, so the caller parses one overlay while the next renders. Each answer is turned into
 * the FinishedRender a kustomize CLI run would give: an error is kustomize's message on stderr.
 */
export function openBatch(binary: string, options: BatchOptions): Renders {
  const waiting: { dir: string; resolve: (render: FinishedRender) => void }[] = [];
  let ended: RunResult | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  const finished = (
    dir: string,
    result: Partial<RunResult>,
    documents?: RenderedDocument[],
  ): FinishedRender => ({
    dir,
    binary,
    timeoutMs: options.timeoutMs,
    result: { code: 0, stdout: '', stderr: '', timedOut: false, truncated: false, ...result },
    ...(documents ? { documents } : {}),
  });
  // No answer for timeoutMs while a render is pending: kustomize is stuck, and the process goes.
  const arm = () => {
    clearTimeout(watchdog);
    if (waiting.length > 0) watchdog = setTimeout(() => session.kill(), options.timeoutMs);
  };
  const session = startSession(binary, ['-max-bytes', String(options.maxBytes)], {
    timeoutMs: SESSION_LIMIT_MS,
    // An overlay's objects twice (YAML and JSON), JSON-escaped: a generous bound, but a bound.
    maxLineBytes: 4 * options.maxBytes + 1024 * 1024,
    onLine: (line) => {
      const next = waiting.shift();
      if (!next) return;
      next.resolve(fromAnswer(next.dir, line));
      arm();
    },
  });
  const fromAnswer = (dir: string, line: string): FinishedRender => {
    let answer: Answer;
    try {
      answer = JSON.parse(line) as Answer;
    } catch {
      return finished(dir, {
        code: 1,
        stderr: 'Error: kustomize-batch answered with something other than JSON',
      });
    }
    if (answer.tooLarge) return finished(dir, { code: undefined, truncated: true });
    if (answer.error !== undefined) return finished(dir, { code: 1, stderr: `Error: ${answer.error}` });
    return finished(dir, {}, answer.documents ?? []);
  };
  session.done.then((result) => {
    ended = result;
    clearTimeout(watchdog);
    for (const each of waiting.splice(0)) each.resolve(afterEnd(each.dir, result));
  });
  const afterEnd = (dir: string, result: RunResult): FinishedRender => {
    if (result.startError) return finished(dir, { code: undefined, startError: result.startError });
    if (result.truncated) return finished(dir, { code: undefined, truncated: true });
    // Killed by the watchdog (or the session limit): the render did not finish in time.
    if (result.signal || result.timedOut) return finished(dir, { code: undefined, timedOut: true });
    const how = result.code === undefined ? 'was stopped' : `exited with code ${result.code}`;
    return finished(dir, { code: 1, stderr: `Error: kustomize-batch ${how} before it rendered this` });
  };
  return {
    render: (dir: string, request: RenderRequest = {}) =>
      new Promise<FinishedRender>((resolve) => {
        if (ended) {
          resolve(afterEnd(dir, ended));
          return;
        }
        waiting.push({ dir, resolve });
        session.send(JSON.stringify({ dir, isolate: request.isolate === true }));
        if (waiting.length === 1) arm();
      }),
    close: () => session.end(),
  };
}
