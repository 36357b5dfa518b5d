import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { KubectlError, kubectl, kubectlJson } from '../../scripts/kube/kubectl.js';
import { processAlive, runProcess } from '../../scripts/lib/process.js';
import { fakeKubectl, scratch } from './helpers.js';

/**
 * The deadline, process-group kill and output cap live in runProcess and kubectl(), so every
 * caller (deploy, loadtest, cluster, wait-for-sync) gets them. Real processes, made per test.
 */

const { dir, cleanup } = scratch();
afterAll(cleanup);

/** PIDs the tests' processes started, killed afterwards if a test left one behind. */
const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
});
const readPid = (file: string) => {
  const pid = Number(readFileSync(file, 'utf8'));
  started.push(pid);
  return pid;
};

describe('runProcess', () => {
  it('kills the whole process group at the deadline', async () => {
    const pidFile = join(dir, 'group-child.pid');
    const began = Date.now();
    // 1.5 s: on two busy cores the shell may take half a second to start its child and write the pid.
    const result = await runProcess('/bin/sh', ['-c', `sleep 300 & echo $! > '${pidFile}'; wait`], {
      timeoutMs: 1500,
    });
    expect(result.timedOut).toBe(true);
    expect(Date.now() - began).toBeLessThan(4000);
    expect(processAlive(readPid(pidFile))).toBe(false);
  });

  it('returns at the deadline even when a child left the group and holds the output open', async () => {
    const pidFile = join(dir, 'escaped-child.pid');
    const began = Date.now();
    // setsid puts the sleep in a session of its own, out of reach of the group kill; it keeps
    // stdout open, so waiting for the streams to close would wait the full 60 s.
    const result = await runProcess(
      '/bin/sh',
      ['-c', `setsid sh -c 'echo $$ > "${pidFile}"; exec sleep 60' & wait`],
      { timeoutMs: 500 },
    );
    expect(result.timedOut).toBe(true);
    expect(Date.now() - began).toBeLessThan(5000);
    readPid(pidFile);
  });

  it("with overflow 'kill', stops a process that prints without end at the cap", async () => {
    const began = Date.now();
    const result = await runProcess('yes', [], {
      timeoutMs: 20_000,
      maxOutputBytes: 1024 * 1024,
      overflow: 'kill',
    });
    expect(result.truncated).toBe(true);
    expect(result.timedOut).toBe(false);
    expect(result.signal).toBe('SIGKILL');
    expect(result.stdout.length).toBe(1024 * 1024);
    expect(Date.now() - began).toBeLessThan(5000);
  });

  it('by default (drop) keeps the process running past the cap and keeps only the cap', async () => {
    const result = await runProcess(
      '/bin/sh',
      ['-c', "head -c 3000000 /dev/zero | tr '\\0' x; echo done >&2"],
      {
        timeoutMs: 20_000,
        maxOutputBytes: 1000,
      },
    );
    expect(result).toMatchObject({ code: 0, truncated: true, stderr: 'done\n' });
    expect(result.stdout).toBe('x'.repeat(1000));
  });
});

describe('kubectl()', () => {
  const saved = process.env.KUBECTL;
  afterEach(() => {
    if (saved === undefined) delete process.env.KUBECTL;
    else process.env.KUBECTL = saved;
  });
  const failureOf = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a KubectlError');
      },
      (error: unknown) => {
        expect(error).toBeInstanceOf(KubectlError);
        return error as KubectlError;
      },
    );

  it('timeoutMs is the hard deadline of the whole call, not a little more', async () => {
    process.env.KUBECTL = fakeKubectl(dir, 'kubectl-hangs', 'sleep 300 & wait');
    const began = Date.now();
    const error = await failureOf(kubectlJson(['get', 'namespace', 'triage'], { timeoutMs: 1000 }));
    expect(error.failure).toBe('timeout');
    expect(error.message).toBe(
      'kubectl get namespace triage -o json did not finish within 1s and was stopped',
    );
    expect(Date.now() - began).toBeLessThan(1800);
  });

  it('passes a request timeout shorter than the deadline', async () => {
    const argsFile = join(dir, 'args.txt');
    process.env.KUBECTL = fakeKubectl(dir, 'kubectl-records', `echo "$@" > '${argsFile}'; echo '{}'`);
    await kubectlJson(['get', 'namespace', 'triage'], { timeoutMs: 30_000, namespace: 'triage' });
    expect(readFileSync(argsFile, 'utf8').trim()).toBe(
      '--namespace triage get namespace triage -o json --request-timeout=29s',
    );
  });

  it('stops kubectl at 8 MiB of output and says so', async () => {
    process.env.KUBECTL = fakeKubectl(dir, 'kubectl-endless', 'exec yes');
    const began = Date.now();
    const error = await failureOf(
      kubectlJson(['get', 'applications.argoproj.io', 'x'], { timeoutMs: 20_000 }),
    );
    expect(error.failure).toBe('invalid-output');
    expect(error.message).toBe(
      'kubectl get applications.argoproj.io x -o json printed more than 8 MiB; stopped reading and ended it',
    );
    expect(Date.now() - began).toBeLessThan(5000);
  });

  it('a caller can raise the cap for a big list', async () => {
    process.env.KUBECTL = fakeKubectl(
      dir,
      'kubectl-big-json',
      `printf '"'; head -c 9000000 /dev/zero | tr '\\0' x; printf '"'`,
    );
    const value = await kubectlJson(['get', 'configmap'], {
      timeoutMs: 20_000,
      maxOutputBytes: 16 * 1024 * 1024,
    });
    expect((value as string).length).toBe(9_000_000);
  });

  it('names an exit without a message by its code or signal', async () => {
    process.env.KUBECTL = fakeKubectl(dir, 'kubectl-exit-3', 'exit 3');
    expect((await failureOf(kubectl(['version'], { timeoutMs: 5000 }))).message).toBe(
      'kubectl version exited with code 3 without a message',
    );
    process.env.KUBECTL = fakeKubectl(dir, 'kubectl-segv', 'kill -SEGV $$');
    expect((await failureOf(kubectl(['version'], { timeoutMs: 5000 }))).message).toBe(
      'kubectl version was ended by SIGSEGV without a message',
    );
  });

  it.each([
    [
      'not found',
      () => join(dir, 'nope', 'kubectl'),
      /^kubectl was not found \(KUBECTL=.* does not exist\): install it \(https:\/\/kubernetes\.io\/docs\/tasks\/tools\/\) or set KUBECTL to its path$/,
    ],
    [
      'not executable',
      () => {
        const file = join(dir, 'kubectl-plain-file');
        writeFileSync(file, '#!/bin/sh\n', { mode: 0o644 });
        return file;
      },
      /^KUBECTL=.*kubectl-plain-file is not executable/,
    ],
    [
      'a missing #! interpreter',
      () => {
        const file = join(dir, 'kubectl-bad-shebang');
        writeFileSync(file, '#!/nonexistent/interpreter\n', { mode: 0o755 });
        return file;
      },
      /^KUBECTL=.*kubectl-bad-shebang could not be started: its #! interpreter was not found$/,
    ],
  ])('cannot start kubectl (%s): failure "missing" with what to do', async (_case, make, message) => {
    process.env.KUBECTL = make();
    const error = await failureOf(kubectl(['version'], { timeoutMs: 5000 }));
    expect(error.failure).toBe('missing');
    expect(error.message).toMatch(message);
  });
});
