import { rmSync } from 'node:fs';

/**
 * Detached children (an API server, etcd, a kubectl proxy) that must not outlive this process:
 * each is killed, and its directory removed, on exit or on SIGINT/SIGTERM/SIGHUP unless its owner
 * stopped it first.
 */

const exitCleanups = new Set<() => void>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function listen(): void {
  process.on('exit', runExitCleanups);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function unlisten(): void {
  process.removeListener('exit', runExitCleanups);
  for (const signal of SIGNALS) process.removeListener(signal, onSignal);
}

function runExitCleanups(): void {
  for (const cleanup of exitCleanups) {
    try {
      cleanup();
    } catch {
      // Best effort on the way out.
    }
  }
  exitCleanups.clear();
  unlisten();
}

function onSignal(signal: NodeJS.Signals): void {
  const alone = process.listenerCount(signal) === 1;
  runExitCleanups();
  // Alone on this signal, keep Node's default (end by the signal); else the other handlers decide.
  if (alone) process.kill(process.pid, signal);
}

/**
 * Kills a detached child's process group (SIGKILL) and removes its directory when this process
 * exits or is interrupted before the owner stops it: a daemon started in its own session would
 * otherwise keep running (an API server holds ~300 MiB). Returns the function that unregisters it.
 */
export function stopWithThisProcess(pid: number, dir?: string): () => void {
  const cleanup = () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
  if (exitCleanups.size === 0) listen();
  exitCleanups.add(cleanup);
  return () => {
    if (exitCleanups.delete(cleanup) && exitCleanups.size === 0) unlisten();
  };
}
