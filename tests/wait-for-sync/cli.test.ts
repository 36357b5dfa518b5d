import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { processAlive } from '../../scripts/lib/process.js';
import {
  failedApplication,
  fakeKubectl,
  kubectlPrinting,
  OTHER_SHA,
  runnerLines,
  runWaitForSync,
  SHA,
  scratch,
} from './helpers.js';

/** `npm run wait-for-sync` as a user runs it, against fake kubectl scripts written per test. */

const { dir, cleanup } = scratch();
afterAll(cleanup);

const argo = (...extra: string[]) => [
  ...['--controller', 'argocd', '--name', 'triage-dev', '--revision', SHA],
  ...extra,
];

/** Every way a printed line could become a GitHub workflow command, or carry a control character. */
function expectNoWorkflowCommands(text: string): void {
  for (const line of runnerLines(text)) {
    expect(line.trimStart().startsWith('::'), line).toBe(false);
    expect(line, line).not.toContain('##[');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters this test looks for
    expect(line, JSON.stringify(line)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202e\u200b]/);
  }
}

describe('controller text is printed on one line, with no workflow command in it', () => {
  const hostile = [
    'one or more objects failed to apply',
    '::error title=x::boom',
    '::stop-commands::tok',
    '\r##[warning]legacy command mid-line \u001b[31mred\u001b[0m',
    '\u2028::add-mask::secret \u202eevil\u200b',
    'x'.repeat(50_000),
  ].join('\n');

  it('Argo CD: the operation message, in the log, the error and the job summary', async () => {
    const summary = join(dir, 'summary-argo.md');
    const kubectl = kubectlPrinting(dir, failedApplication(hostile));
    const run = await runWaitForSync(argo('--timeout', '1s', '--interval', '1s'), {
      KUBECTL: kubectl,
      GITHUB_STEP_SUMMARY: summary,
    });
    expect(run.code, run.stderr).toBe(1);
    const written = readFileSync(summary, 'utf8');
    for (const text of [run.stdout, run.stderr, written]) expectNoWorkflowCommands(text);
    // The message is still readable, on the status line, with its escapes visible.
    expect(run.stdout).toContain(
      'last operation Failed: one or more objects failed to apply :%3Aerror title=x:%3Aboom :%3Astop-commands:%3Atok ##%5Bwarning]legacy command mid-line [31mred [0m :%3Aadd-mask:%3Asecret evil',
    );
    // Bounded: the 50 000 x's do not reach the log.
    for (const line of runnerLines(run.stdout + run.stderr + written)) expect(line.length).toBeLessThan(1100);
    expect(run.stdout).toContain('…[cut]');
    expect(run.stdout.length + run.stderr.length).toBeLessThan(5000);
    // The job summary quotes the status as code, so Markdown in it stays text.
    expect(written).toMatch(/Last status: `revision 000000000000, sync OutOfSync.*…\[cut\]`\n$/);
  });

  it("Flux: the Ready condition's reason and message, and the revisions", async () => {
    const kubectl = kubectlPrinting(dir, {
      kind: 'Kustomization',
      status: {
        lastAppliedRevision: `main@sha1:${OTHER_SHA}\n::error::from-revision`,
        lastAttemptedRevision: `main@sha1:${SHA}`,
        conditions: [
          {
            type: 'Ready',
            status: 'False\r::warning::from-status',
            reason: 'ReconciliationFailed\n::notice::from-reason',
            message: '##[error]first line\r::error::still the first line for the runner\nsecond line',
          },
        ],
      },
    });
    const run = await runWaitForSync(
      [
        '--controller',
        'flux',
        '--name',
        'triage-dev',
        '--revision',
        SHA,
        '--timeout',
        '1s',
        '--interval',
        '1s',
      ],
      { KUBECTL: kubectl },
    );
    expect(run.code, run.stderr).toBe(1);
    expectNoWorkflowCommands(run.stdout);
    expectNoWorkflowCommands(run.stderr);
    expect(run.stdout).toContain(':%3Aerror:%3Afrom-revision');
    expect(run.stdout).toContain('(ReconciliationFailed :%3Anotice:%3Afrom-reason: ##%5Berror]first line');
    expect(run.stdout).not.toContain('second line');
  });

  it('a GITHUB_STEP_SUMMARY that cannot be written is one clear message at once (exit 2)', async () => {
    const kubectl = kubectlPrinting(dir, failedApplication('boom'));
    const summary = join(dir, 'no-such-dir', 'summary.md');
    const run = await runWaitForSync(argo('--timeout', '5s', '--interval', '1s'), {
      KUBECTL: kubectl,
      GITHUB_STEP_SUMMARY: summary,
    });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      `error: GITHUB_STEP_SUMMARY=${summary} does not exist and its directory does not either: cannot write the job summary`,
    );
    // Checked before polling, not after the whole wait.
    expect(run.stdout).toBe('');
  });
});

describe('a kubectl that cannot run is exit 2 at once', () => {
  it.each([
    [
      'missing',
      () => '/nonexistent/kubectl',
      /kubectl was not found \(KUBECTL=\/nonexistent\/kubectl does not exist\)/,
    ],
    [
      'not executable',
      () => {
        const file = join(dir, 'kubectl-not-executable');
        writeFileSync(file, '#!/bin/sh\necho {}\n', { mode: 0o644 });
        return file;
      },
      /KUBECTL=.*kubectl-not-executable is not executable/,
    ],
    [
      'a directory',
      () => {
        const sub = join(dir, 'kubectl-directory');
        if (!existsSync(sub)) mkdirSync(sub);
        return sub;
      },
      /is not executable/,
    ],
  ])('%s', async (_case, make, message) => {
    const run = await runWaitForSync(argo('--timeout', '8s', '--interval', '1s'), { KUBECTL: make() });
    expect(run.code, run.stdout + run.stderr).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(lines[0]).toContain('https://kubernetes.io/docs/tasks/tools/');
    // Not after the 8 s timeout: at the first call (node's start-up is most of this).
    expect(run.elapsedMs).toBeLessThan(5000);
  });

  it('no kubectl on PATH and no KUBECTL', async () => {
    const emptyPath = join(dir, 'empty-path');
    if (!existsSync(emptyPath)) mkdirSync(emptyPath);
    const run = await runWaitForSync(argo('--timeout', '8s', '--interval', '1s'), {
      KUBECTL: '',
      PATH: emptyPath,
    });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(/^error: kubectl was not found \(not on PATH\): install it/);
  });
});

describe('a hanging kubectl', () => {
  let childPid: number | undefined;
  afterEach(() => {
    // Only if the test failed: the sleep this test's fake started, by its PID.
    if (childPid && processAlive(childPid)) process.kill(childPid, 'SIGKILL');
  });

  it('cannot stretch --timeout 4s: the run ends within the timeout + 2.5 s, and its child is killed', async () => {
    const pidFile = join(dir, 'hanging-child.pid');
    // It starts a child that holds kubectl's output open, then waits for it forever.
    const kubectl = fakeKubectl(dir, 'kubectl-hangs', `sleep 300 &\necho $! > '${pidFile}'\nwait`);
    const run = await runWaitForSync(argo('--timeout', '4s', '--interval', '1s'), { KUBECTL: kubectl });
    childPid = Number(readFileSync(pidFile, 'utf8'));
    expect(run.code, run.stderr).toBe(1);
    expect(run.elapsedMs).toBeLessThan(4000 + 2500);
    // kubectl is given what is left of the 4 s (3.9–4 s once the first call has started, on a busy machine).
    expect(run.stdout).toMatch(
      /kubectl: kubectl get applications\.argoproj\.io triage-dev -o json did not finish within (4|4\.0|3\.9)s and was stopped/,
    );
    expect(processAlive(childPid)).toBe(false);
  });
});

describe('kubectl printing 70 MB', () => {
  it('is stopped at the cap and said so, not "failed without a message"', async () => {
    const kubectl = fakeKubectl(dir, 'kubectl-floods', "head -c 73400320 /dev/zero | tr '\\0' x");
    const run = await runWaitForSync(argo('--timeout', '3s', '--interval', '1s'), { KUBECTL: kubectl });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'kubectl: kubectl get applications.argoproj.io triage-dev -o json printed more than 8 MiB; stopped reading and ended it',
    );
    expect(run.stderr).toContain('Last status: kubectl: kubectl get applications.argoproj.io');
    expect(run.stdout + run.stderr).not.toContain('without a message');
  });
});
