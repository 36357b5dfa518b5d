import { spawnSync } from 'node:child_process';

/**
 * The soft limit on open files (`ulimit -n`) this process runs under, or undefined when unlimited
 * or unknown (no POSIX shell). A shell started from here inherits the limit, and asking it is the
 * one way that works on Linux and macOS alike (Node has no getrlimit).
 */
export function softOpenFileLimit(): number | undefined {
  const probe = spawnSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8', timeout: 5000 });
  const limit = Number(probe.stdout?.trim());
  return probe.status === 0 && Number.isInteger(limit) && limit > 0 ? limit : undefined;
}
