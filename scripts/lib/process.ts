import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { stopWithThisProcess } from './exit-cleanup.js';
import { sleep } from './poll.js';

/**
 * The one way the cluster side starts a process: no shell, a hard timeout that kills the whole
 * process group, output captured up to a cap, and an optional line callback for progress.
 */

export interface RunOptions {
  /** Hard deadline for the whole call; on expiry the process group is killed (SIGKILL). */
  timeoutMs: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * Written to stdin, then stdin is closed. An async iterable is written piece by piece as it
   * yields, waiting for the pipe to drain (a process started before its input is ready).
   */
  input?: string | AsyncIterable<string>;
  /** Aborting it kills the process group, as a timeout does (an answer no longer wanted). */
  signal?: AbortSignal;
  /** Called with each complete line of stderr and stdout as it arrives (progress output). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Bytes kept of each stream. */
  maxOutputBytes?: number;
  /**
   * What happens when a stream passes maxOutputBytes: 'drop' keeps the process running and drops
   * the rest (a build's progress output), 'kill' stops reading and kills the process group (a
   * reader whose output is useless once cut, such as JSON).
   */
  overflow?: 'drop' | 'kill';
  /**
   * stdout goes to this file (created or truncated) instead of a pipe, and the result's stdout is
   * empty: a writer whose output outgrows the pipe never waits for a reader busy with other work.
   */
  stdoutFile?: string;
}

export interface RunResult {
  /** The exit code; undefined when the process was killed or never started. */
  code: number | undefined;
  /** The signal that ended the process, when one did. */
  signal?: NodeJS.Signals;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Set when the binary could not be started (ENOENT, EACCES). */
  startError?: NodeJS.ErrnoException;
  /** True when a stream grew past maxOutputBytes and was cut (and with overflow 'kill', ended). */
  truncated: boolean;
}

const DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024;
/** setTimeout fires at once for delays above 2^31-1 ms; longer deadlines are capped there. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/**
 * After a kill, how long to wait for the process to be reaped before resolving anyway: a child
 * that left the process group (setsid) could otherwise hold the call open.
 */
const REAP_GRACE_MS = 2000;

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/** How a supervised child ended (see supervise). */
interface ChildEnd {
  code: number | undefined;
  signal?: NodeJS.Signals;
  timedOut: boolean;
  startError?: NodeJS.ErrnoException;
}

/**
 * Starts `command` in a process group of its own, which runProcess and startSession share: the
 * group is killed at the deadline, by `kill()`, or when this process exits or is interrupted (its
 * own group never gets the terminal's Ctrl-C); `onEnd` is called once, when it has ended.
 */
function supervise(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; stdout?: number; timeoutMs: number },
  onEnd: (end: ChildEnd) => void,
) {
  const child = spawn(command, [...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    // Its own process group, so a timeout kills what it started too (go build's compilers).
    detached: true,
    stdio: ['pipe', options.stdout ?? 'pipe', 'pipe'],
  });
  const forget = child.pid ? stopWithThisProcess(child.pid) : () => undefined;
  let killed = false;
  let settled = false;
  let timedOut = false;
  let startError: NodeJS.ErrnoException | undefined;
  let reapTimer: NodeJS.Timeout | undefined;
  const finish = (code: number | null, signal: NodeJS.Signals | null) => {
    if (settled) return;
    settled = true;
    forget();
    clearTimeout(timer);
    clearTimeout(reapTimer);
    onEnd({ code: code ?? undefined, signal: signal ?? undefined, timedOut, startError });
  };
  /** Kills the whole group and stops reading: nothing it prints from now on is wanted. */
  const kill = () => {
    if (killed) return;
    killed = true;
    killGroup(child.pid, 'SIGKILL');
    child.stdout?.destroy();
    child.stderr?.destroy();
    child.stdin?.destroy();
    // Once it has ended there is nothing to wait for: a reap timer would only hold this process open.
    if (!settled) reapTimer = setTimeout(() => finish(child.exitCode, child.signalCode), REAP_GRACE_MS);
  };
  const timer = setTimeout(
    () => {
      // Already being stopped for its output: that is the reason to report, not the clock.
      if (killed) return;
      timedOut = true;
      kill();
    },
    Math.min(Math.max(0, options.timeoutMs), MAX_TIMER_MS),
  );
  child.stdin?.on('error', () => {
    // The process may exit before reading its input; its exit code says what happened.
  });
  child.on('error', (error: NodeJS.ErrnoException) => {
    startError = error;
  });
  child.on('close', finish);
  return {
    stdin: child.stdin as NonNullable<typeof child.stdin>,
    stdout: child.stdout,
    stderr: child.stderr as NonNullable<typeof child.stderr>,
    kill,
    isKilled: () => killed,
  };
}

export function runProcess(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<RunResult> {
  const cap = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  return new Promise((resolve) => {
    const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    const sizes = { stdout: 0, stderr: 0 };
    const partial = { stdout: '', stderr: '' };
    let truncated = false;
    const stdoutFd = options.stdoutFile === undefined ? undefined : openSync(options.stdoutFile, 'w', 0o600);
    const child = supervise(command, args, { ...options, stdout: stdoutFd }, (end) => {
      if (options.onLine) {
        for (const stream of ['stdout', 'stderr'] as const) {
          if (partial[stream]) options.onLine(partial[stream], stream);
        }
      }
      resolve({
        ...end,
        stdout: Buffer.concat(chunks.stdout).toString('utf8'),
        stderr: Buffer.concat(chunks.stderr).toString('utf8'),
        truncated,
      });
    });
    // The child has its own copy of the descriptor.
    if (stdoutFd !== undefined) closeSync(stdoutFd);
    const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      if (child.isKilled()) return;
      if (sizes[stream] < cap) {
        const room = cap - sizes[stream];
        chunks[stream].push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        if (chunk.length > room) truncated = true;
      } else {
        truncated = true;
      }
      sizes[stream] += chunk.length;
      if (options.onLine) {
        const lines = (partial[stream] + chunk.toString('utf8')).split('\n');
        partial[stream] = (lines.pop() ?? '').slice(-64 * 1024);
        for (const line of lines) options.onLine(line, stream);
      }
      if (truncated && options.overflow === 'kill') child.kill();
    };
    child.stdout?.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));
    if (options.signal?.aborted) child.kill();
    options.signal?.addEventListener('abort', () => child.kill(), { once: true });
    if (typeof options.input === 'string' || options.input === undefined)
      child.stdin.end(options.input ?? '');
    else writeInput(child.stdin, options.input).catch(() => child.kill());
  });
}

/** Writes each piece as the iterable yields it, waiting for the pipe to drain; ends stdin after the last. */
async function writeInput(
  stdin: NodeJS.WritableStream & { destroyed: boolean },
  input: AsyncIterable<string>,
) {
  for await (const piece of input) {
    if (stdin.destroyed) return;
    if (!stdin.write(piece)) {
      await new Promise<void>((resolve) => {
        // The process may end (or be killed) instead of reading: 'close' ends the wait too.
        const done = () => {
          stdin.off('drain', done);
          stdin.off('close', done);
          resolve();
        };
        stdin.on('drain', done);
        stdin.on('close', done);
      });
    }
  }
  if (!stdin.destroyed) stdin.end();
}

/** True for a regular file this process may execute. */
export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** `name` in the first PATH directory that holds it as an executable file: found without starting it. */
export function findOnPath(name: string, path = process.env.PATH): string | undefined {
  return (path ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, name))
    .find(isExecutable);
}

export interface DaemonOptions {
  /** stdout and stderr are appended to this file. */
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts a long-running server detached from this process (its own session, output to its log
 * file) and returns its PID, so a later command can stop exactly it.
 */
export function startDaemon(
  command: string,
  args: readonly string[],
  options: DaemonOptions,
): Promise<number> {
  const log = openSync(options.logFile, 'a');
  try {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => {
        child.unref();
        resolve(child.pid as number);
      });
    });
  } finally {
    closeSync(log);
  }
}

/** True while a process with this PID exists (and is not a zombie). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  try {
    // /proc/PID/stat: "pid (comm) S …"; the state letter follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2) === 'Z';
  } catch {
    return false;
  }
}

/** The executable path a PID runs (Linux /proc), so a recycled PID is never taken for ours. */
export function processExecutable(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] || undefined;
  } catch {
    return undefined;
  }
}

/** SIGTERM to the process group, then SIGKILL after `graceMs`; resolves once it is gone. */
export async function stopProcess(pid: number, graceMs = 10_000): Promise<'stopped' | 'killed' | 'gone'> {
  if (!processAlive(pid)) return 'gone';
  killGroup(pid, 'SIGTERM');
  for (let waited = 0; waited < graceMs; waited += 100) {
    if (!processAlive(pid)) return 'stopped';
    await sleep(100);
  }
  killGroup(pid, 'SIGKILL');
  for (let waited = 0; waited < 5000 && processAlive(pid); waited += 100) await sleep(100);
  return 'killed';
}

export interface SessionOptions {
  /** Hard deadline for the whole session; on expiry the process group is killed (SIGKILL). */
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  /** Called with each complete stdout line as it arrives. */
  onLine: (line: string) => void;
  /** The longest stdout line accepted; a longer one kills the process (the session ends truncated). */
  maxLineBytes: number;
  /** Bytes of stderr kept. */
  maxStderrBytes?: number;
}

/** A process fed line by line: see startSession. */
export interface Session {
  /** Writes one line to its stdin (dropped once it has ended). */
  send(line: string): void;
  /** Closes its stdin: the process ends when it has answered everything. */
  end(): void;
  /** Kills its process group at once. */
  kill(): void;
  /** How it ended; stdout is empty (every line went to onLine). */
  done: Promise<RunResult>;
}

/**
 * Starts a long-lived worker that reads requests on stdin and answers one line each on stdout, with
 * the same guarantees as runProcess: no shell, its own process group, a hard deadline, bounded output.
 */
export function startSession(command: string, args: readonly string[], options: SessionOptions): Session {
  const stderr: Buffer[] = [];
  let stderrSize = 0;
  const maxStderr = options.maxStderrBytes ?? 1024 * 1024;
  let pending: Buffer[] = [];
  let pendingSize = 0;
  let truncated = false;
  let resolveDone: (result: RunResult) => void = () => undefined;
  const done = new Promise<RunResult>((resolve) => {
    resolveDone = resolve;
  });
  const child = supervise(command, args, options, (end) =>
    resolveDone({ ...end, stdout: '', stderr: Buffer.concat(stderr).toString('utf8'), truncated }),
  );
  const stdout = child.stdout as NonNullable<typeof child.stdout>;
  stdout.on('data', (chunk: Buffer) => {
    if (child.isKilled()) return;
    let start = 0;
    for (let at = chunk.indexOf(0x0a); at >= 0; at = chunk.indexOf(0x0a, start)) {
      pending.push(chunk.subarray(start, at));
      const line = Buffer.concat(pending).toString('utf8');
      pending = [];
      pendingSize = 0;
      start = at + 1;
      options.onLine(line);
      if (child.isKilled()) return;
    }
    const rest = chunk.subarray(start);
    pendingSize += rest.length;
    if (pendingSize > options.maxLineBytes) {
      truncated = true;
      child.kill();
      return;
    }
    if (rest.length > 0) pending.push(rest);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderrSize < maxStderr) stderr.push(chunk.subarray(0, maxStderr - stderrSize));
    stderrSize += chunk.length;
  });
  return {
    send: (line) => {
      if (!child.isKilled() && child.stdin.writable) child.stdin.write(`${line}\n`);
    },
    end: () => {
      if (!child.isKilled()) child.stdin.end();
    },
    kill: child.kill,
    done,
  };
}
