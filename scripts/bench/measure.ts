import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { userCommand } from '../lib/repo.js';

export interface MeasuredRun {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Peak resident memory of the command, in MB (GNU time's %M). */
  peakMb: number;
}

/**
 * A command from this package (`validate`, `diff`…) run as a user runs it, asynchronously so a test
 * can run several at once, under GNU time for its peak memory. Killed after `timeoutMs`.
 */
export function runMeasured(
  script: string,
  cwd: string,
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<MeasuredRun> {
  const memoryFile = join(mkdtempSync(join(tmpdir(), 'triage-time-')), 'peak');
  const command = userCommand(script, args);
  const started = performance.now();
  return new Promise((resolvePromise) => {
    const child = spawn(
      '/usr/bin/time',
      [
        '-f',
        '%M',
        '-o',
        memoryFile,
        // As `npm run <script>` runs it: scripts/start.sh (sh execs node, one process to measure).
        command.file,
        ...command.args,
      ],
      {
        cwd,
        env: { ...process.env, GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '', NO_COLOR: '1', ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: options.timeoutMs ?? 120_000,
        killSignal: 'SIGKILL',
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('close', (status) => {
      let peakKb = Number.NaN;
      try {
        peakKb = Number(readFileSync(memoryFile, 'utf8').trim().split('\n').pop());
      } catch {}
      rmSync(dirname(memoryFile), { recursive: true, force: true });
      resolvePromise({ status, stdout, stderr, ms: performance.now() - started, peakMb: peakKb / 1024 });
    });
  });
}
