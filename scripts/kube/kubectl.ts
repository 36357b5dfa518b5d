import { runProcess } from '../lib/process.js';

/** Why a kubectl call failed, in the terms the caller decides on. */
export type KubectlFailure =
  | 'missing' // no kubectl binary
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

const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

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

/**
 * Runs `kubectl [--kubeconfig F] [--context C] [-n NS] ARGS` with a hard timeout (kubectl's own
 * request timeout a little shorter), never through a shell, never retrying: the caller decides
 * what a failure means. A non-zero exit outside `okExitCodes` is a KubectlError.
 */
export async function kubectl(args: readonly string[], options: KubectlRunOptions): Promise<KubectlOutput> {
  const fullArgs = [
    ...connectionArgs(options),
    ...args,
    `--request-timeout=${Math.max(1, Math.ceil(options.timeoutMs / 1000))}s`,
  ];
  const result = await runProcess(process.env.KUBECTL || 'kubectl', fullArgs, {
    timeoutMs: options.timeoutMs + 2000,
    input: options.input,
    maxOutputBytes: MAX_OUTPUT_BYTES,
  });
  if (result.startError?.code === 'ENOENT') {
    throw new KubectlError(
      'kubectl is not installed (not found on PATH): https://kubernetes.io/docs/tasks/tools/',
      'missing',
      args,
    );
  }
  if (result.timedOut) {
    throw new KubectlError(
      `kubectl ${args.join(' ')} timed out after ${options.timeoutMs} ms`,
      'timeout',
      args,
    );
  }
  if (result.truncated) {
    throw new KubectlError(`kubectl ${args.join(' ')} printed more than 64 MiB`, 'invalid-output', args);
  }
  const code = result.code ?? -1;
  if (code !== 0 && !(options.okExitCodes ?? []).includes(code)) {
    throw new KubectlError(kubectlErrorLine(result.stderr), classifyKubectlError(result.stderr), args);
  }
  return { code, stdout: result.stdout, stderr: result.stderr };
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
