import { existsSync } from 'node:fs';
import { formatDuration } from '../lib/duration.js';
import { runProcess } from '../lib/process.js';

/** Why a kubectl call failed, in the terms the caller decides on. */
export type KubectlFailure =
  | 'missing' // kubectl cannot be started (not found, not executable)
  | 'no-context' // no kubeconfig / current context
  | 'unreachable' // context set, API server not answering (or credentials rejected)
  | 'not-found'
  | 'forbidden'
  | 'timeout'
  | 'invalid-output'
  | 'failed';

export class KubectlError extends Error {
  constructor(
    message: string,
    readonly failure: KubectlFailure,
    readonly args: readonly string[],
  ) {
    super(message);
    this.name = 'KubectlError';
  }
}

export interface KubectlCallOptions {
  timeoutMs: number;
  /** A kubeconfig file (else KUBECONFIG or ~/.kube/config, as kubectl decides). */
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  /** Bytes kubectl may print on either stream before the call is stopped (default 8 MiB). */
  maxOutputBytes?: number;
}

export interface KubectlRunOptions extends KubectlCallOptions {
  /** Written to kubectl's stdin (`-f -`). */
  input?: string;
  /** Exit codes that are results rather than failures (`kubectl diff` exits 1 on differences). */
  okExitCodes?: readonly number[];
}

export interface KubectlOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** The one door to the cluster: args in, parsed JSON out. Tests replace it with recorded output. */
export type KubectlJson = (args: readonly string[], options: KubectlCallOptions) => Promise<unknown>;

/**
 * What one kubectl call may print before it is stopped. etcd keeps objects under 1.5 MiB, so one
 * object as JSON (indented) stays well under it; a caller listing many objects can raise it.
 */
const MAX_OUTPUT_BYTES = 8 * 1024 * 1024;
/** kubectl's own request timeout ends this much before the hard deadline, so its message wins. */
const REQUEST_TIMEOUT_MARGIN_MS = 500;

export function classifyKubectlError(stderr: string): KubectlFailure {
  if (
    /current-context|no configuration has been provided|context was not found|cluster has no server defined/i.test(
      stderr,
    )
  ) {
    return 'no-context';
  }
  if (/\(NotFound\)|not found|doesn't have a resource type/i.test(stderr)) return 'not-found';
  if (/\(Forbidden\)|forbidden/i.test(stderr)) return 'forbidden';
  if (
    /Unable to connect|connection to the server .* was refused|connection refused|i\/o timeout|no such host|dial tcp|Unauthorized|provide credentials|couldn't get current server API group list|TLS handshake timeout/i.test(
      stderr,
    )
  ) {
    return 'unreachable';
  }
  return 'failed';
}

/** klog's prefix on kubectl's own log lines: `E1123 13:11:10.423575   24853 memcache.go:265] `. */
const KLOG_PREFIX = /^[EWIF]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+ [^\]]+\] /;

/**
 * The line of kubectl's stderr worth showing, without klog's timestamped prefix (so repeated polls
 * print the same text): the first `error…` line, else the last line, which is kubectl's summary.
 */
export function kubectlErrorLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim().replace(KLOG_PREFIX, '').trim())
    .filter(Boolean);
  return lines.find((line) => /^error/i.test(line)) ?? lines.at(-1) ?? 'kubectl failed without a message';
}

function connectionArgs(options: KubectlCallOptions): string[] {
  return [
    ...(options.kubeconfig ? ['--kubeconfig', options.kubeconfig] : []),
    ...(options.context ? ['--context', options.context] : []),
    ...(options.namespace ? ['--namespace', options.namespace] : []),
  ];
}

/** Which kubectl runs: KUBECTL (a path, for tests and pinned installs) or `kubectl` on PATH. */
function kubectlCommand(): { command: string; named: string } {
  const fromEnv = process.env.KUBECTL;
  return fromEnv
    ? { command: fromEnv, named: `KUBECTL=${fromEnv}` }
    : { command: 'kubectl', named: 'kubectl' };
}

const INSTALL_HINT = 'install it (https://kubernetes.io/docs/tasks/tools/) or set KUBECTL to its path';

/** Why kubectl could not be started, in words that say what to do. */
function startFailure(error: NodeJS.ErrnoException, named: string, command: string): string {
  switch (error.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      // execve says ENOENT for a script whose #! interpreter is missing, too.
      return command.includes('/') && existsSync(command)
        ? `${named} could not be started: its #! interpreter was not found`
        : `kubectl was not found (${named === 'kubectl' ? 'not on PATH' : `${named} does not exist`}): ${INSTALL_HINT}`;
    case 'EACCES':
    case 'EPERM':
      return `${named} is not executable (a directory, or no execute permission): chmod +x it, or ${INSTALL_HINT}`;
    default:
      return `${named} could not be started (${error.code ?? error.message}): ${INSTALL_HINT}`;
  }
}

/**
 * Runs `kubectl [--kubeconfig F] [--context C] [-n NS] ARGS`, never through a shell, never
 * retrying: the caller decides what a failure means. `timeoutMs` is a hard deadline for the whole
 * call (kubectl's own request timeout a little shorter, so its message usually wins): on expiry
 * kubectl and everything it started are killed. Output past `maxOutputBytes` stops the call too.
 * A non-zero exit outside `okExitCodes` is a KubectlError.
 */
export async function kubectl(args: readonly string[], options: KubectlRunOptions): Promise<KubectlOutput> {
  const fullArgs = [
    ...connectionArgs(options),
    ...args,
    `--request-timeout=${Math.max(1, Math.floor((options.timeoutMs - REQUEST_TIMEOUT_MARGIN_MS) / 1000))}s`,
  ];
  const cap = options.maxOutputBytes ?? MAX_OUTPUT_BYTES;
  const { command, named } = kubectlCommand();
  const result = await runProcess(command, fullArgs, {
    timeoutMs: options.timeoutMs,
    input: options.input,
    maxOutputBytes: cap,
    // JSON cut in the middle is useless: stop at the cap instead of reading on.
    overflow: 'kill',
  });
  if (result.startError)
    throw new KubectlError(startFailure(result.startError, named, command), 'missing', args);
  if (result.timedOut) {
    throw new KubectlError(
      `kubectl ${args.join(' ')} did not finish within ${formatDuration(options.timeoutMs)} and was stopped`,
      'timeout',
      args,
    );
  }
  if (result.truncated) {
    throw new KubectlError(
      `kubectl ${args.join(' ')} printed more than ${formatBytes(cap)}; stopped reading and ended it`,
      'invalid-output',
      args,
    );
  }
  const code = result.code ?? -1;
  if (code !== 0 && !(options.okExitCodes ?? []).includes(code)) {
    const message = result.stderr.trim()
      ? kubectlErrorLine(result.stderr)
      : result.signal
        ? `kubectl ${args.join(' ')} was ended by ${result.signal} without a message`
        : `kubectl ${args.join(' ')} exited with code ${code} without a message`;
    throw new KubectlError(message, classifyKubectlError(result.stderr), args);
  }
  return { code, stdout: result.stdout, stderr: result.stderr };
}

/** `8 MiB`, `512 KiB`: the cap in the unit a person reads. */
function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0
    ? `${bytes / (1024 * 1024)} MiB`
    : bytes >= 1024 && bytes % 1024 === 0
      ? `${bytes / 1024} KiB`
      : `${bytes} bytes`;
}

/** `kubectl … ARGS -o json`, parsed. */
export const kubectlJson: KubectlJson = async (args, options) => {
  const { stdout } = await kubectl([...args, '-o', 'json'], options);
  try {
    return JSON.parse(stdout) as unknown;
  } catch {
    throw new KubectlError(
      `kubectl ${args.join(' ')} printed something other than JSON`,
      'invalid-output',
      args,
    );
  }
};
