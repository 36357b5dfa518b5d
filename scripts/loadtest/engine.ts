import autocannon from 'autocannon';
import { LatencyHistogram } from './histogram.js';

/** What to send, and for how long. Exactly one of `connections` alone or `rate` drives the load. */
export interface LoadPlan {
  /** Full URL of the endpoint (e.g. http://20.1.2.3/api/triage). */
  url: string;
  /** Host header (and TLS server name) when connecting to an address other than the host. */
  hostHeader?: string;
  durationMs: number;
  /** Concurrent connections; in rate mode, the most connections used to hold the rate. */
  connections: number;
  /** Target requests per second across all connections (omit for closed-loop load). */
  rate?: number;
  /** Stop after this many requests even if time remains. */
  maxRequests: number;
  /** A request with no answer after this long counts as an error. */
  requestTimeoutMs: number;
  /** JSON bodies, sent in turn. */
  bodies: readonly string[];
}

/** One second of load: counts, and latency percentiles (ms) of the responses completed in it. */
export interface LoadSecond {
  /** The second of the load this bucket opened in (0, 1, 2…; a tick late by over a second skips one). */
  t: number;
  /** Length of the bucket in seconds, as measured: about 1, more after a late tick, less for the last. */
  seconds: number;
  /** Responses received (any status). */
  responses: number;
  /** Responses with a status outside 200–299. */
  non2xx: number;
  /** Connection errors and timeouts: requests that got no response. */
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface LoadTotals {
  elapsedMs: number;
  responses: number;
  non2xx: number;
  errors: number;
  /** (non-2xx + errors) / (responses + errors); 0 when nothing was sent. */
  errorRate: number;
  requestsPerSecond: number;
  latency: { p50: number; p95: number; p99: number; max: number; mean: number };
  statusCodes: Record<string, number>;
  /** Connection-level errors by code (ECONNREFUSED, ECONNRESET, timeout…). */
  errorCodes: Record<string, number>;
}

export type StopReason = 'duration' | 'max-requests' | 'interrupted' | 'watchdog';

export interface LoadResult {
  startedAt: string;
  seconds: LoadSecond[];
  totals: LoadTotals;
  stopReason: StopReason;
}

export interface LoadHooks {
  /** Called once a second with the second just completed and the running totals, and for the last one. */
  onSecond?: (second: LoadSecond, totals: LoadTotals) => void;
  /** Aborting stops the load at once; the result covers what was done. */
  signal?: AbortSignal;
}

function errorRate(responses: number, non2xx: number, errors: number): number {
  const attempts = responses + errors;
  return attempts === 0 ? 0 : (non2xx + errors) / attempts;
}

function errorCode(error: unknown): string {
  if (error && typeof error === 'object') {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof code === 'string') return code;
    if (message === 'request timed out') return 'timeout';
    if (typeof message === 'string') return message.slice(0, 60);
  }
  return 'unknown';
}

/**
 * Runs one load with autocannon and keeps a per-second timeline of its own (autocannon only
 * aggregates at the end). The run is bounded three ways: the duration, `maxRequests`, and a
 * watchdog a little after the duration in case the library fails to stop.
 */
export function runLoad(plan: LoadPlan, hooks: LoadHooks = {}): Promise<LoadResult> {
  const startedAt = new Date();
  const start = performance.now();
  const total = new LatencyHistogram();
  const bucket = new LatencyHistogram();
  const seconds: LoadSecond[] = [];
  const statusCodes: Record<string, number> = {};
  const errorCodes: Record<string, number> = {};
  let responses = 0;
  let non2xx = 0;
  let errors = 0;
  let bucketResponses = 0;
  let bucketNon2xx = 0;
  let bucketErrors = 0;
  /** The open bucket: its second (label) and when it really opened (ms since start). */
  let bucketT = 0;
  let bucketOpenedMs = 0;
  let stopReason: StopReason = 'duration';
  let finished = false;

  const elapsedMs = () => performance.now() - start;
  const totals = (): LoadTotals => {
    const elapsed = elapsedMs();
    return {
      elapsedMs: elapsed,
      responses,
      non2xx,
      errors,
      errorRate: errorRate(responses, non2xx, errors),
      requestsPerSecond: elapsed > 0 ? responses / (elapsed / 1000) : 0,
      latency: {
        p50: total.percentile(0.5),
        p95: total.percentile(0.95),
        p99: total.percentile(0.99),
        max: total.max,
        mean: total.mean,
      },
      statusCodes: { ...statusCodes },
      errorCodes: { ...errorCodes },
    };
  };

  // A bucket spans from the previous close to this one as measured, not as planned: a tick the
  // event loop delays (at start-up, under load) must not turn 1.6 s of responses into one "second".
  const closeBucket = (endMs: number): LoadSecond => {
    const second: LoadSecond = {
      t: bucketT,
      seconds: Math.round(endMs - bucketOpenedMs) / 1000,
      responses: bucketResponses,
      non2xx: bucketNon2xx,
      errors: bucketErrors,
      p50: bucket.percentile(0.5),
      p95: bucket.percentile(0.95),
      p99: bucket.percentile(0.99),
      max: bucket.max,
    };
    bucket.reset();
    bucketResponses = 0;
    bucketNon2xx = 0;
    bucketErrors = 0;
    bucketOpenedMs = endMs;
    // The next label is the second the bucket opens in (a tick late by over a second skips one).
    bucketT = Math.max(bucketT + 1, Math.floor(endMs / 1000));
    return second;
  };

  const rate = plan.rate;
  const connections = rate ? Math.max(1, Math.min(plan.connections, Math.ceil(rate))) : plan.connections;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (plan.hostHeader) headers.host = plan.hostHeader;
  const target = new URL(plan.url);

  return new Promise((resolve) => {
    const instance = autocannon(
      {
        url: target.origin,
        connections,
        ...(rate ? { overallRate: Math.ceil(rate) } : {}),
        duration: plan.durationMs / 1000,
        // autocannon notices a stop only at its next sample tick: sample often so it stops promptly.
        sampleInt: 100,
        timeout: Math.max(1, Math.ceil(plan.requestTimeoutMs / 1000)),
        maxOverallRequests: Math.max(plan.maxRequests, connections),
        ...(plan.hostHeader && target.protocol === 'https:' ? { servername: plan.hostHeader } : {}),
        // Prebuilt requests, cycled: varied bodies at no per-request cost.
        requests: plan.bodies.map((body) => ({
          method: 'POST' as const,
          path: `${target.pathname}${target.search}`,
          headers,
          body,
        })),
      },
      () => finish(),
    );

    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (finished) return;
      responses += 1;
      bucketResponses += 1;
      statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
      if (statusCode < 200 || statusCode > 299) {
        non2xx += 1;
        bucketNon2xx += 1;
      }
      total.record(responseTime);
      bucket.record(responseTime);
    });
    instance.on('reqError', (error) => {
      if (finished) return;
      errors += 1;
      bucketErrors += 1;
      const code = errorCode(error);
      errorCodes[code] = (errorCodes[code] ?? 0) + 1;
    });

    // Ticks aimed at whole seconds since the start, each timed afresh, so lateness never adds up
    // (setInterval would carry a late first tick into every later one).
    let ticker: NodeJS.Timeout | undefined;
    const scheduleTick = () => {
      ticker = setTimeout(
        () => {
          const second = closeBucket(elapsedMs());
          seconds.push(second);
          hooks.onSecond?.(second, totals());
          scheduleTick();
        },
        Math.max(0, (bucketT + 1) * 1000 - elapsedMs()),
      );
    };
    scheduleTick();
    // The duration is autocannon's to keep; this only catches a library that fails to stop.
    const watchdog = setTimeout(
      () => {
        stopReason = 'watchdog';
        finish();
      },
      plan.durationMs + plan.requestTimeoutMs + 5000,
    );
    const onAbort = () => {
      stopReason = 'interrupted';
      instance.stop();
    };
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    if (hooks.signal?.aborted) onAbort();

    function finish(): void {
      if (finished) return;
      clearTimeout(ticker);
      clearTimeout(watchdog);
      hooks.signal?.removeEventListener('abort', onAbort);
      const end = elapsedMs();
      if (stopReason === 'duration' && responses + errors >= plan.maxRequests) stopReason = 'max-requests';
      const last = closeBucket(end);
      // A sliver of a second (autocannon's last sample tick) is folded into the one before.
      const previous = seconds.at(-1);
      if (previous && last.seconds < 0.25) {
        previous.seconds = Math.round((previous.seconds + last.seconds) * 1000) / 1000;
        previous.responses += last.responses;
        previous.non2xx += last.non2xx;
        previous.errors += last.errors;
        previous.max = Math.max(previous.max, last.max);
      } else if (last.seconds > 0) {
        seconds.push(last);
        // The last second counts like the others (progress shows the final figures).
        hooks.onSecond?.(last, totals());
      }
      const result: LoadResult = {
        startedAt: startedAt.toISOString(),
        seconds,
        totals: totals(),
        stopReason,
      };
      finished = true;
      if (stopReason === 'watchdog') instance.stop();
      resolve(result);
    }
  });
}
