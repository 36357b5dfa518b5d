import { execFile } from 'node:child_process';

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
  context?: string;
  namespace?: string;
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

/**
 * Runs `kubectl [--context C] [-n NS] ARGS -o json` with a hard timeout and returns the parsed
 * output. Never goes through a shell, never retries: the caller decides what a failure means.
 */
export const kubectlJson: KubectlJson = (args, options) => {
  const fullArgs = [
    ...(options.context ? ['--context', options.context] : []),
    ...(options.namespace ? ['--namespace', options.namespace] : []),
    ...args,
    '-o',
    'json',
    `--request-timeout=${Math.max(1, Math.ceil(options.timeoutMs / 1000))}s`,
  ];
  return new Promise((resolve, reject) => {
    execFile(
      process.env.KUBECTL || 'kubectl',
      fullArgs,
      { timeout: options.timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) {
          const { code, killed } = error as NodeJS.ErrnoException & { killed?: boolean };
          if (code === 'ENOENT') {
            return reject(new KubectlError('kubectl is not installed (not found on PATH)', 'missing', args));
          }
          if (killed) {
            return reject(
              new KubectlError(
                `kubectl ${args.join(' ')} timed out after ${options.timeoutMs} ms`,
                'timeout',
                args,
              ),
            );
          }
          return reject(new KubectlError(kubectlErrorLine(stderr), classifyKubectlError(stderr), args));
        }
        try {
          resolve(JSON.parse(stdout) as unknown);
        } catch {
          reject(
            new KubectlError(
              `kubectl ${args.join(' ')} printed something other than JSON`,
              'invalid-output',
              args,
            ),
          );
        }
      },
    );
  });
};
