import { parseCommandLine } from '../lib/args.js';
import { parseDuration } from '../lib/duration.js';
import { ExitError } from '../lib/exit-error.js';
import { displayUrl } from './display-url.js';
import { softOpenFileLimit } from './open-files.js';

export const USAGE = `Usage: npm run loadtest -- (--env dev|prod | --url URL) [options]

Sends POST /api/triage load, watches the HPA scale the backend out and back in, and passes or
fails on what it saw. Exit 0 pass, 1 fail, 2 input or tool error.

Target
  --local                   the workshop's lab on the local cluster (npm run cluster -- up, then
                            npm run deploy -- --env dev): load at a local triage server whose
                            measured CPU becomes the simulated pods' CPU; default --rate 40
  --scale-down-window D     with --local: set the live HPA's scale-down stabilization window to D
                            for this run (e.g. 15s; restored afterwards); default: the overlay's
  --env dev|prod            resolve the URL from the Ingress (needs cluster access)
  --url URL                 base URL of the API (e.g. http://20.61.143.27); overrides the Ingress
  --namespace NAME          namespace of the app (default: triage)
  --context NAME            kubectl context (default: the current one)
  --kubeconfig FILE         kubeconfig file (default: KUBECONFIG or ~/.kube/config; the local
                            cluster's is printed by \`npm run cluster -- env\`)
  --no-cluster              only run the load; say that the scaling checks were not run
Load
  --duration D              how long to send load (default: 3m; e.g. 90s, 3m, 1m30s); a load
                            that does not stop on its own is cut off 3s later (sockets closed)
  --connections N           concurrent connections, closed loop (default: 10; at most 1000,
                            and fewer than the open-file limit, ulimit -n)
  --rate RPS                target requests per second instead (uses up to 100 connections)
  --max-requests N          stop after exactly N requests (default: 5000000; a smaller N than
                            the connections opens only N connections)
  --request-timeout D       a request unanswered this long is an error (default: 10s)
Checks
  --expect-min-replicas N   the HPA's minimum must be N (default: whatever the HPA says)
  --scale-in-timeout D      how long to wait for scale-in after the load (default: 10m)
  --poll-interval D         how often to read the HPA and Deployment (default: 5s)
  --max-error-rate P        highest error rate that still passes (default: 1%; e.g. 0.5%, 0.01)
Report
  --report DIR              write loadtest.json, loadtest.md and loadtest.svg to DIR
                            (in GitHub Actions the Markdown also goes to the job summary)
  -h, --help                this text`;

export interface LoadtestOptions {
  env?: 'dev' | 'prod';
  url?: string;
  namespace: string;
  context?: string;
  kubeconfig?: string;
  /** The lab on the local control plane (see scripts/cluster/cpu-bridge.ts). */
  local?: boolean;
  scaleDownWindowMs?: number;
  noCluster: boolean;
  durationMs: number;
  connections: number;
  rate?: number;
  maxRequests: number;
  requestTimeoutMs: number;
  expectMinReplicas?: number;
  scaleInTimeoutMs: number;
  pollIntervalMs: number;
  maxErrorRate: number;
  reportDir?: string;
}

const HOUR_MS = 3_600_000;

/**
 * The most connections one run opens. autocannon drives every connection from this one event
 * loop. Measured on 2 cores against the local test server, 3 s runs: at 1000 the first second
 * closes on time and the run ends 0.25 s after the plan (130 MB); at 2000 opening the sockets
 * holds the loop for 2 s and 80 responses come back; at 10,000, 3.2 s and none. Past 1000 the
 * run measures the load generator, not the API.
 */
export const MAX_CONNECTIONS = 1000;
/** Open files Node itself, the pipes to kubectl and the report files take besides the sockets. */
export const RESERVED_FILES = 64;
/**
 * --local's load: at the local server's ~2.5 ms of CPU per request, 40 req/s is ~100m, four times
 * dev's 10% target at 2 × 250m, and under its 10 × 25m capacity: it scales out without pinning at max.
 */
export const LOCAL_DEFAULT_RATE = 40;

function positiveInteger(value: string, option: string, max: number): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || number < 1 || number > max) {
    throw new ExitError(`--${option}: expected a whole number from 1 to ${max}, got '${value}'`);
  }
  return number;
}

function parseConnections(value: string): number {
  if (/^\d+$/.test(value.trim()) && Number(value) > MAX_CONNECTIONS) {
    throw new ExitError(
      `--connections: at most ${MAX_CONNECTIONS} from one process, got ${value}: all connections share one event loop, so more would measure the load generator, not the API (for more load, run several loadtests)`,
    );
  }
  return positiveInteger(value, 'connections', MAX_CONNECTIONS);
}

/** Each connection is an open file: past the soft limit, sockets fail with EMFILE mid-run. */
function checkOpenFiles(connections: number, option: 'connections' | 'rate'): void {
  const limit = softOpenFileLimit();
  if (limit === undefined || connections + RESERVED_FILES <= limit) return;
  const lower =
    option === 'rate'
      ? `--rate under ${Math.max(1, limit - RESERVED_FILES)} (it opens a connection per request per second, up to 100)`
      : `--connections ${Math.max(1, limit - RESERVED_FILES)} or fewer`;
  throw new ExitError(
    `--${option}: ${connections} connections need about ${connections + RESERVED_FILES} open files, but the limit here is ${limit} (ulimit -n): raise it (ulimit -n ${connections + RESERVED_FILES}) or give ${lower}`,
  );
}

function boundedDuration(value: string, option: string, minMs: number, maxMs: number): number {
  const ms = parseDuration(value, option);
  if (ms < minMs || ms > maxMs) {
    throw new ExitError(`--${option}: ${value} is out of range (${minMs / 1000}s to ${maxMs / 60_000}m)`);
  }
  return ms;
}

/** `1%`, `0.5%` or a fraction `0.01`. */
export function parseRate(value: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(value.trim());
  const fraction = match ? Number(match[1]) / (match[2] ? 100 : 1) : Number.NaN;
  if (!(fraction >= 0 && fraction <= 1))
    throw new ExitError(`--${option}: expected a percentage like 1% or 0.01, got '${value}'`);
  return fraction;
}

function checkUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ExitError(`--url: '${displayUrl(value)}' is not a URL (e.g. http://20.61.143.27)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ExitError(`--url: only http and https, not ${url.protocol}`);
  return value;
}

/** Parses the command line; returns undefined when --help was asked for. Throws ExitError (code 2). */
export function parseLoadtestArgs(argv: readonly string[]): LoadtestOptions | undefined {
  const { values } = parse(argv);
  if (values.help) return undefined;

  const local = values.local ?? false;
  if (local) {
    for (const option of ['url', 'kubeconfig', 'context', 'no-cluster'] as const) {
      if (values[option] !== undefined)
        throw new ExitError(`--local starts its own server on the local cluster: drop --${option}`);
    }
  } else if (values['scale-down-window'] !== undefined) {
    throw new ExitError('--scale-down-window changes the live HPA: it is for --local runs only');
  }
  const env = values.env ?? (local ? 'dev' : undefined);
  if (env !== undefined && env !== 'dev' && env !== 'prod')
    throw new ExitError(`--env: expected dev or prod, got '${env}'`);
  if (!env && !values.url && !local) throw new ExitError(`give --env dev|prod or --url URL\n\n${USAGE}`);
  if (env && values['no-cluster'] && !values.url) {
    throw new ExitError(
      '--env needs the cluster to find the Ingress address: give --url as well, or drop --no-cluster',
    );
  }
  if (values.connections !== undefined && values.rate !== undefined) {
    throw new ExitError('give --connections or --rate, not both');
  }
  const namespace = values.namespace ?? 'triage';
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace))
    throw new ExitError(`--namespace: '${namespace}' is not a namespace name`);

  const rate =
    values.rate !== undefined
      ? positiveInteger(values.rate, 'rate', 100_000)
      : local && values.connections === undefined
        ? LOCAL_DEFAULT_RATE
        : undefined;
  const connections =
    values.connections !== undefined ? parseConnections(values.connections) : rate !== undefined ? 100 : 10;
  if (rate !== undefined) checkOpenFiles(Math.min(connections, rate), 'rate');
  else checkOpenFiles(connections, 'connections');
  return {
    env,
    url: values.url === undefined ? undefined : checkUrl(values.url),
    namespace,
    context: values.context,
    kubeconfig: values.kubeconfig,
    local,
    ...(values['scale-down-window'] !== undefined
      ? { scaleDownWindowMs: boundedDuration(values['scale-down-window'], 'scale-down-window', 0, HOUR_MS) }
      : {}),
    noCluster: values['no-cluster'] ?? false,
    durationMs: boundedDuration(values.duration ?? '3m', 'duration', 1000, HOUR_MS),
    connections,
    rate,
    maxRequests: positiveInteger(values['max-requests'] ?? '5000000', 'max-requests', 100_000_000),
    requestTimeoutMs: boundedDuration(values['request-timeout'] ?? '10s', 'request-timeout', 1000, 120_000),
    expectMinReplicas:
      values['expect-min-replicas'] === undefined
        ? undefined
        : positiveInteger(values['expect-min-replicas'], 'expect-min-replicas', 1000),
    scaleInTimeoutMs: boundedDuration(values['scale-in-timeout'] ?? '10m', 'scale-in-timeout', 0, HOUR_MS),
    pollIntervalMs: boundedDuration(values['poll-interval'] ?? '5s', 'poll-interval', 1000, 60_000),
    maxErrorRate: parseRate(values['max-error-rate'] ?? '1%', 'max-error-rate'),
    reportDir: values.report,
  };
}

function parse(argv: readonly string[]) {
  return parseCommandLine(
    {
      args: [...argv],
      allowPositionals: false,
      options: {
        env: { type: 'string' },
        url: { type: 'string' },
        namespace: { type: 'string' },
        context: { type: 'string' },
        kubeconfig: { type: 'string' },
        local: { type: 'boolean' },
        'scale-down-window': { type: 'string' },
        'no-cluster': { type: 'boolean' },
        duration: { type: 'string' },
        connections: { type: 'string' },
        rate: { type: 'string' },
        'max-requests': { type: 'string' },
        'request-timeout': { type: 'string' },
        'expect-min-replicas': { type: 'string' },
        'scale-in-timeout': { type: 'string' },
        'poll-interval': { type: 'string' },
        'max-error-rate': { type: 'string' },
        report: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    USAGE,
  );
}
