import { spawnSync } from 'node:child_process';
import { inject } from 'vitest';
import { commandArgv, PACKAGE_ROOT } from '../../scripts/lib/repo.js';

/** The shared local cluster the global setup started (or found running). */
export function sharedKubeconfig(): string {
  return inject('kubeconfig');
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one of the repository's commands as a user does: `node scripts/start.mjs <name> ARGS`. */
export function runCommand(
  name: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): CliResult {
  const result = spawnSync(process.execPath, commandArgv(name, args), {
    cwd: options.cwd ?? PACKAGE_ROOT,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
  });
  return { code: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** kubectl against a kubeconfig; throws with kubectl's stderr on failure. */
export function kubectl(kubeconfig: string, args: readonly string[], input?: string): string {
  const result = spawnSync('kubectl', ['--kubeconfig', kubeconfig, ...args], {
    encoding: 'utf8',
    input,
    timeout: 60_000,
  });
  if (result.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

export function kubectlJson(kubeconfig: string, args: readonly string[]): unknown {
  return JSON.parse(kubectl(kubeconfig, [...args, '-o', 'json']));
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** Polls `check` until it returns a value (not undefined) or the time is up. */
export async function eventually<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(500);
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
  }
}
