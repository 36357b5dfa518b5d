import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processAlive, runProcess, startSession } from '../../scripts/lib/process.js';
import { TSX_LOADER } from '../../scripts/lib/repo.js';
import { tempTrees } from '../helpers/temp-trees.js';

const trees = tempTrees('process');

/** Keeps this thread busy, as the policies do while kubeconform runs. */
function busy(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // spin
  }
}

describe('runProcess with stdoutFile', () => {
  it('lets a writer finish while this process is busy, where a pipe would hold it back', async () => {
    const report = join(trees.dir(), 'report.txt');
    // 300 KB, far more than a pipe buffers, then the time it finished writing (ms since the epoch).
    const script = `head -c 300000 /dev/zero | tr '\\0' x; date +%s%3N >&2`;
    const pending = runProcess('sh', ['-c', script], { timeoutMs: 10_000, stdoutFile: report });
    busy(800);
    const busyUntil = Date.now();
    const result = await pending;
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(statSync(report).size).toBe(300_000);
    expect(readFileSync(report, 'utf8').slice(0, 5)).toBe('xxxxx');
    // It wrote everything before this thread was free again.
    expect(Number(result.stderr.trim())).toBeLessThan(busyUntil);
  });
});

describe('runProcess with streamed input and a signal', () => {
  it('writes each piece as it comes, then ends stdin', async () => {
    let release: () => void = () => undefined;
    const later = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* input() {
      yield 'first\n';
      await later;
      yield 'second\n';
    }
    const pending = runProcess('cat', [], { timeoutMs: 10_000, input: input() });
    setTimeout(release, 200);
    const result = await pending;
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('first\nsecond\n');
  });

  it('kills the process group when the signal is aborted', async () => {
    const abort = new AbortController();
    const started = performance.now();
    const pending = runProcess('sleep', ['30'], { timeoutMs: 60_000, signal: abort.signal });
    setTimeout(() => abort.abort(), 100);
    const result = await pending;
    expect(result.signal).toBe('SIGKILL');
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('Ctrl-C', () => {
  it('stops what runProcess started, though it runs in a process group of its own', async () => {
    const dir = trees.dir();
    const pidFile = join(dir, 'pid');
    const script = join(dir, 'parent.mts');
    // A command that starts a long child the way diff starts `git archive`, then waits for it.
    writeFileSync(
      script,
      `import { runProcess } from ${JSON.stringify(join(process.cwd(), 'scripts/lib/process.ts'))};\n` +
        `await runProcess('sh', ['-c', 'echo $$ > ${pidFile}; exec sleep 60'], { timeoutMs: 120000 });\n`,
    );
    const parent = spawn(process.execPath, ['--import', TSX_LOADER, script], { stdio: 'ignore' });
    const until = Date.now() + 20_000;
    while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8').trim() === '') {
      if (Date.now() > until) throw new Error('the child never started');
      await new Promise((resume) => setTimeout(resume, 50));
    }
    const child = Number(readFileSync(pidFile, 'utf8'));
    expect(processAlive(child)).toBe(true);
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      parent.on('exit', (_code, signal) => resolve(signal)),
    );
    parent.kill('SIGINT');
    // Ended by the signal, as Node does by default, and the child with it.
    expect(await exited).toBe('SIGINT');
    for (let waited = 0; waited < 10_000 && processAlive(child); waited += 50) {
      await new Promise((resume) => setTimeout(resume, 50));
    }
    const state = existsSync(`/proc/${child}/stat`) ? readFileSync(`/proc/${child}/stat`, 'utf8') : 'gone';
    expect(processAlive(child), state).toBe(false);
  }, 30_000);
});

describe('startSession', () => {
  it('answers each request line as it comes, and ends at the end of its input', async () => {
    const lines: string[] = [];
    const session = startSession('sh', ['-c', 'while read line; do echo "got $line"; done'], {
      timeoutMs: 10_000,
      maxLineBytes: 1024,
      onLine: (line) => lines.push(line),
    });
    session.send('a');
    session.send('b');
    session.end();
    const result = await session.done;
    expect(result.code).toBe(0);
    expect(lines).toEqual(['got a', 'got b']);
  });

  it('kills a worker whose line outgrows the bound, without waiting for it', async () => {
    const lines: string[] = [];
    const started = performance.now();
    const session = startSession('sh', ['-c', `head -c 100000 /dev/zero | tr '\\0' x; sleep 30`], {
      timeoutMs: 60_000,
      maxLineBytes: 10_000,
      onLine: (line) => lines.push(line),
    });
    const result = await session.done;
    expect(result.truncated).toBe(true);
    expect(lines).toEqual([]);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('reports a binary that cannot start', async () => {
    const session = startSession(join(trees.dir(), 'missing'), [], {
      timeoutMs: 10_000,
      maxLineBytes: 1024,
      onLine: () => undefined,
    });
    session.send('x');
    const result = await session.done;
    expect(result.startError?.code).toBe('ENOENT');
  });
});
