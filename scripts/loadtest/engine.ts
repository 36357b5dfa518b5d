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
  /** Connections really opened (see loadConnections). */
  connections: number;
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
 * How long past the planned duration a run may last before it is cut off: sockets closed, the
 * figures taken as they are. autocannon stops within its 100 ms sample tick when it can; this
 * bounds the run when it cannot (a saturated event loop, a library bug).
 */
export const STOP_GRACE_MS = 3000;

/**
 * How many request buffers all connections build in total before the first request. autocannon
 * builds every request of the list for every connection, synchronously: 256 bodies × 10,000
 * connections held the event loop for 1m44s and took 2.7 GB before the duration timer started.
 */
const PREBUILT_REQUEST_BUDGET = 4096;

/**
 * The connections a plan really opens: in rate mode no more than the rate, and never more than
 * the request cap, so that every connection's share of the cap is at least one request and the
 * shares add up to the cap exactly (autocannon gives each connection ⌊cap ÷ n⌋ or one more).
 */
export function loadConnections(plan: Pick<LoadPlan, 'connections' | 'rate' | 'maxRequests'>): number {
  const byRate = plan.rate ? Math.ceil(plan.rate) : Number.POSITIVE_INFINITY;
  return Math.max(1, Math.min(plan.connections, byRate, plan.maxRequests));
}

/** autocannon's Client has a destroy() (close the socket, count it done) its types leave out. */
interface ClosableClient {
  destroy(): void;
}

/**
 * Runs one load with autocannon and keeps a per-second timeline of its own (autocannon only
 * aggregates at the end). The run is bounded three ways: the duration, `maxRequests` (exact:
 * autocannon counts every request written, retries after a reset included), and a hard stop
 * `STOP_GRACE_MS` after the duration that closes every socket whatever the library is doing.
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
  const connections = loadConnections(plan);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (plan.hostHeader) headers.host = plan.hostHeader;
  const target = new URL(plan.url);
  // The server part of the URL, user and password included: autocannon sends them as Basic auth.
  const server = new URL(target.href);
  server.pathname = '/';
  server.search = '';
  server.hash = '';

  // Prebuilt requests, cycled: varied bodies at no per-request cost. One shared list; connection
  // i cycles through the `perConnection` bodies from the i-th on, so the connections start on
  // different bodies and all of them are used, while the buffers built stay within the budget.
  const requests = plan.bodies.map((body) => ({
    method: 'POST' as const,
    path: `${target.pathname}${target.search}`,
    headers,
    body,
  }));
  const perConnection = Math.max(
    1,
    Math.min(requests.length, Math.floor(PREBUILT_REQUEST_BUDGET / connections)),
  );
  const windowFor = (index: number) =>
    Array.from({ length: perConnection }, (_, j) => requests.at((index + j) % requests.length)).filter(
      (request) => request !== undefined,
    );
  const clients: ClosableClient[] = [];

  return new Promise((resolve) => {
    const instance = autocannon(
      {
        url: server.href,
        connections,
        ...(rate ? { overallRate: Math.ceil(rate) } : {}),
        duration: plan.durationMs / 1000,
        // autocannon notices a stop only at its next sample tick: sample often so it stops promptly.
        sampleInt: 100,
        timeout: Math.max(1, Math.ceil(plan.requestTimeoutMs / 1000)),
        maxOverallRequests: plan.maxRequests,
        ...(plan.hostHeader && target.protocol === 'https:' ? { servername: plan.hostHeader } : {}),
        // Each client copies this list: keep it one request long and hand out the windows below.
        requests: requests.slice(0, 1),
        setupClient: (client) => {
          client.setRequests(windowFor(clients.length));
          clients.push(client as unknown as ClosableClient);
        },
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
    // The duration counts from the start, connection set-up included (autocannon's own timer
    // starts after it): the load ends when the plan says, measured by the clock on the wall.
    const durationTimer = setTimeout(() => instance.stop(), Math.max(0, plan.durationMs - elapsedMs()));
    // The hard stop: close every socket and report what was measured, stopped or not.
    let hardStop: NodeJS.Timeout | undefined;
    const armHardStop = (inMs: number) => {
      clearTimeout(hardStop);
      hardStop = setTimeout(() => {
        if (stopReason !== 'interrupted') stopReason = 'watchdog';
        instance.stop();
        for (const client of clients) client.destroy();
        finish();
      }, inMs);
    };
    armHardStop(Math.max(0, plan.durationMs + STOP_GRACE_MS - elapsedMs()));
    const onAbort = () => {
      stopReason = 'interrupted';
      instance.stop();
      armHardStop(STOP_GRACE_MS);
    };
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    if (hooks.signal?.aborted) onAbort();

    function finish(): void {
      if (finished) return;
      clearTimeout(ticker);
      clearTimeout(durationTimer);
      clearTimeout(hardStop);
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
        connections,
        seconds,
        totals: totals(),
        stopReason,
      };
      finished = true;
      resolve(result);
    }
  });
}
