import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readArgoApplication, readFluxKustomization } from '../../scripts/kube/gitops.js';
import { ExitError } from '../../scripts/lib/exit-error.js';
import { main } from '../../scripts/wait-for-sync.js';
import { failedApplication, kubectlPrinting, SHA, scratch, syncedApplication } from './helpers.js';

describe('the readers keep controller text to one bounded line', () => {
  it('Argo CD: the whole multi-line operation message, joined, at most 400 characters', () => {
    const status = readArgoApplication(
      failedApplication(`first\nsecond\n::error::x\n${'y'.repeat(10_000)}`),
      SHA,
    );
    expect(status.summary).toMatch(
      /^revision 000000000000, sync OutOfSync, health Degraded; last operation Failed: first second :%3Aerror:%3Ax y+…\[cut\]$/,
    );
    expect(status.summary.length).toBeLessThan(500);
  });

  it('Argo CD: sync and health strings are controller text too', () => {
    const application = failedApplication('boom') as { status: { sync: { status: string } } };
    application.status.sync.status = 'OutOfSync\n::error::x';
    expect(readArgoApplication(application, SHA).summary).toContain('sync OutOfSync :%3Aerror:%3Ax, health');
  });

  it('Flux: the first non-empty line of the message (CR counts as a line end)', () => {
    const status = readFluxKustomization(
      {
        status: {
          lastAppliedRevision: `main@sha1:${SHA}`,
          conditions: [
            {
              type: 'Ready',
              status: 'False',
              reason: 'Failed',
              message: '\n\nfirst\r::error::second\nthird',
            },
          ],
        },
      },
      SHA,
    );
    expect(status.summary).toBe('applied main@sha1:c3f1e0b9a2d8, Ready False (Failed: first)');
  });
});

describe('arguments: bounded, and each error is one line (exit 2)', () => {
  const { dir, cleanup } = scratch();
  afterAll(cleanup);
  const saved = { KUBECTL: process.env.KUBECTL, GITHUB_STEP_SUMMARY: process.env.GITHUB_STEP_SUMMARY };
  // No job summary of the run these tests run in.
  beforeEach(() => {
    delete process.env.GITHUB_STEP_SUMMARY;
  });
  afterEach(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  const base = ['--controller', 'argocd', '--name', 'triage-dev', '--revision', SHA];

  it.each([
    [['--timeout', '3h'], "--timeout '3h' is out of range: use 1s to 2h"],
    [['--timeout', '2h1s'], "--timeout '2h1s' is out of range: use 1s to 2h"],
    [['--timeout', '0'], "--timeout '0' is out of range: use 1s to 2h"],
    [['--interval', '500ms'], "--interval '500ms' is out of range: use 1s to 2h"],
    [['--interval', '0'], "--interval '0' is out of range: use 1s to 2h"],
    [['--interval', 'soon'], "--interval: 'soon' is not a duration"],
    [['--bogus'], "Unknown option '--bogus'"],
    [['--controller', 'jenkins'], '--controller must be argocd or flux'],
    [['--name=--raw=/api'], "--name '--raw=/api' is not a Kubernetes object name"],
    [['--namespace', 'Bad_NS'], "--namespace 'Bad_NS' is not a Kubernetes namespace name"],
    [['--revision', 'main'], '--revision must be a commit SHA'],
    [['--kubeconfig', '/nonexistent/kubeconfig'], "--kubeconfig '/nonexistent/kubeconfig' does not exist"],
  ])('%j', async (extra, message) => {
    // A kubectl that reports the commit synced at once: without the checks these would exit 0.
    process.env.KUBECTL = kubectlPrinting(dir, syncedApplication());
    const error = await main([...base, ...extra]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ExitError);
    expect((error as ExitError).code).toBe(2);
    expect((error as ExitError).message).toContain(message);
    expect((error as ExitError).message).not.toContain('\n');
    expect((error as ExitError).message).toMatch(/\(see npm run wait-for-sync -- --help\)$/);
  });

  it('the bounds themselves are accepted', async () => {
    process.env.KUBECTL = kubectlPrinting(dir, syncedApplication());
    await expect(main([...base, '--timeout', '2h', '--interval', '1s'])).resolves.toBe(0);
  });
});
