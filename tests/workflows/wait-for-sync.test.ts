import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kubectlErrorLine } from '../../scripts/kube/kubectl.js';
import { parseDuration } from '../../scripts/lib/duration.js';
import {
  gitIncludes,
  readArgoApplication,
  readFluxKustomization,
  type Target,
  waitForSync,
} from '../../scripts/wait-for-sync.js';

const SHA = 'c3f1e0b9a2d84f6e7a1b5c9d0e2f4a6b8c0d1e2f';
const OLD_SHA = '8a1d2c3b4e5f60718293a4b5c6d7e8f901234567';

// biome-ignore lint/suspicious/noExplicitAny: recorded kubectl output, edited per case
type Recorded = any;

/** `kubectl get … -o json` output recorded from the controllers. */
function recorded(name: string): Recorded {
  return JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8'));
}

describe('readArgoApplication', () => {
  it('is done when the sync revision is the commit, Synced and Healthy', () => {
    expect(readArgoApplication(recorded('argocd-application-synced.json'), SHA)).toEqual({
      done: true,
      summary: 'revision c3f1e0b9a2d8, sync Synced, health Healthy',
    });
    expect(readArgoApplication(recorded('argocd-application-synced.json'), SHA.slice(0, 7)).done).toBe(true);
  });

  it('waits while the controller still reports the previous commit', () => {
    const application = recorded('argocd-application-synced.json');
    application.status.sync.revision = OLD_SHA;
    expect(readArgoApplication(application, SHA)).toEqual({
      done: false,
      summary: 'revision 8a1d2c3b4e5f, sync Synced, health Healthy',
    });
  });

  it('waits while the new commit is synced but not yet healthy, or out of sync', () => {
    const progressing = recorded('argocd-application-synced.json');
    progressing.status.health.status = 'Progressing';
    expect(readArgoApplication(progressing, SHA).done).toBe(false);
    const outOfSync = recorded('argocd-application-synced.json');
    outOfSync.status.sync.status = 'OutOfSync';
    outOfSync.status.operationState.phase = 'Failed';
    outOfSync.status.operationState.message = 'one or more objects failed to apply';
    expect(readArgoApplication(outOfSync, SHA)).toEqual({
      done: false,
      summary:
        'revision c3f1e0b9a2d8, sync OutOfSync, health Healthy; last operation Failed: one or more objects failed to apply',
    });
  });

  it('reads multi-source applications (.status.sync.revisions)', () => {
    const application = recorded('argocd-application-synced.json');
    delete application.status.sync.revision;
    application.status.sync.revisions = [OLD_SHA, SHA];
    expect(readArgoApplication(application, SHA).done).toBe(true);
  });

  it('is not done for an application without status', () => {
    expect(readArgoApplication({ kind: 'Application' }, SHA)).toEqual({
      done: false,
      summary: 'revision none, sync Unknown, health Unknown',
    });
  });
});

describe('readFluxKustomization', () => {
  it('is done when lastAppliedRevision names the commit and Ready is True', () => {
    expect(readFluxKustomization(recorded('flux-kustomization-ready.json'), SHA)).toEqual({
      done: true,
      summary:
        'applied main@sha1:c3f1e0b9a2d8, Ready True (ReconciliationSucceeded: Applied revision: main@sha1:c3f1e0b9a2d84f6e7a1b5c9d0e2f4a6b8c0d1e2f)',
    });
  });

  it('reports a failed health check on the new commit', () => {
    expect(readFluxKustomization(recorded('flux-kustomization-health-failed.json'), SHA)).toEqual({
      done: false,
      // Flux gave up on this very commit: the wait ends there instead of at its timeout.
      failedAt: SHA,
      summary:
        "applied main@sha1:8a1d2c3b4e5f, attempting main@sha1:c3f1e0b9a2d8, Ready False (HealthCheckFailed: health check failed after 5m0.012s: timeout waiting for: [Deployment/triage/triage-backend status: 'InProgress'])",
    });
  });

  it('is not done when the commit is applied but Ready is not True', () => {
    const kustomization = recorded('flux-kustomization-ready.json');
    kustomization.status.conditions[0].status = 'Unknown';
    kustomization.status.conditions[0].reason = 'Progressing';
    expect(readFluxKustomization(kustomization, SHA).done).toBe(false);
  });

  it('accepts the older `main/<sha>` revision format', () => {
    const kustomization = recorded('flux-kustomization-ready.json');
    kustomization.status.lastAppliedRevision = `main/${SHA}`;
    expect(readFluxKustomization(kustomization, SHA).done).toBe(true);
  });
});

describe('waitForSync', () => {
  const target: Target = { controller: 'argocd', name: 'triage-dev', namespace: 'argocd', revision: SHA };

  function clock() {
    let time = 0;
    return {
      now: () => time,
      sleep: async (ms: number) => {
        time += ms;
      },
    };
  }

  it('polls until the controller reports the commit, logging each change once', async () => {
    const old = recorded('argocd-application-synced.json');
    old.status.sync.revision = OLD_SHA;
    const progressing = recorded('argocd-application-synced.json');
    progressing.status.health.status = 'Progressing';
    const answers = [
      { error: 'Error from server (Forbidden): applications.argoproj.io "triage-dev" is forbidden' },
      { json: old },
      { json: old },
      { json: progressing },
      { json: recorded('argocd-application-synced.json') },
    ];
    const log: string[] = [];
    const result = await waitForSync(target, {
      timeoutMs: 600_000,
      intervalMs: 15_000,
      fetch: async () => answers.shift() ?? { error: 'no more answers' },
      log: (line) => log.push(line),
      ...clock(),
    });
    expect(result).toEqual({
      done: true,
      summary: 'revision c3f1e0b9a2d8, sync Synced, health Healthy',
      elapsedMs: 60_000,
    });
    expect(log).toEqual([
      '[0s] kubectl: Error from server (Forbidden): applications.argoproj.io "triage-dev" is forbidden',
      '[15s] revision 8a1d2c3b4e5f, sync Synced, health Healthy',
      '[45s] revision c3f1e0b9a2d8, sync Synced, health Progressing',
      '[1m00s] revision c3f1e0b9a2d8, sync Synced, health Healthy',
    ]);
  });

  it('ends at once when Flux reports the commit failed', async () => {
    const budgets: number[] = [];
    const result = await waitForSync(
      { ...target, controller: 'flux', namespace: 'flux-system' },
      {
        timeoutMs: 60_000,
        intervalMs: 15_000,
        fetch: async (_target, call) => {
          budgets.push(call.timeoutMs);
          return { json: recorded('flux-kustomization-health-failed.json') };
        },
        log: () => {},
        ...clock(),
      },
    );
    expect(result).toMatchObject({ done: false, failed: true });
    expect(result.summary).toContain('Ready False (HealthCheckFailed');
    expect(budgets).toEqual([30_000]);
  });

  it('gives up at the timeout with the last status; each call gets at most the time left', async () => {
    const budgets: number[] = [];
    // Ready at an older commit: the wanted one has not arrived, so it waits to the end.
    const older = recorded('flux-kustomization-ready.json');
    older.status.lastAppliedRevision = 'main@sha1:8a1d2c3b4e5f60718293a4b5c6d7e8f901234567';
    older.status.lastAttemptedRevision = older.status.lastAppliedRevision;
    const result = await waitForSync(
      { ...target, controller: 'flux', namespace: 'flux-system' },
      {
        timeoutMs: 60_000,
        intervalMs: 15_000,
        fetch: async (_target, call) => {
          budgets.push(call.timeoutMs);
          return { json: older };
        },
        log: () => {},
        ...clock(),
      },
    );
    expect(result.done).toBe(false);
    expect(result.failed).toBeUndefined();
    expect(result.summary).toContain('applied main@sha1:8a1d2c3b4e5f');
    // 30 s per call at most, then what is left; no poll starts at the deadline itself, where
    // kubectl would have no time at all.
    expect(budgets).toEqual([30_000, 30_000, 30_000, 15_000]);
    expect(result.elapsedMs).toBe(45_000);
  });
});

describe('a newer commit that contains ours', () => {
  const NEWER_SHA = 'f00dfeedcafe0123456789abcdef0123456789ab';
  const target: Target = { controller: 'argocd', name: 'triage-dev', namespace: 'argocd', revision: SHA };
  const advancingClock = () => {
    let time = 0;
    return {
      now: () => time,
      sleep: async (ms: number) => {
        time += ms;
      },
    };
  };
  const newerSynced = () => {
    const application = recorded('argocd-application-synced.json');
    application.status.sync.revision = NEWER_SHA;
    return application;
  };

  it('counts as done when the controller is healthy at a descendant of the commit', async () => {
    const asked: string[] = [];
    const log: string[] = [];
    const result = await waitForSync(target, {
      timeoutMs: 60_000,
      intervalMs: 15_000,
      fetch: async () => ({ json: newerSynced() }),
      includes: async (reported, wanted) => {
        asked.push(`${reported} ⊇ ${wanted}`);
        return true;
      },
      log: (line) => log.push(line),
      ...advancingClock(),
    });
    expect(result.done).toBe(true);
    expect(result.summary).toBe('revision f00dfeedcafe, sync Synced, health Healthy; includes c3f1e0b9a2d8');
    expect(asked).toEqual([`${NEWER_SHA} ⊇ ${SHA}`]);
  });

  it('keeps waiting when the newer commit does not contain ours, or is not healthy yet', async () => {
    let asked = 0;
    const notContaining = await waitForSync(target, {
      timeoutMs: 30_000,
      intervalMs: 15_000,
      fetch: async () => ({ json: newerSynced() }),
      includes: async () => {
        asked += 1;
        return false;
      },
      log: () => {},
      ...advancingClock(),
    });
    expect(notContaining.done).toBe(false);
    // Asked once per reported commit, not on every poll.
    expect(asked).toBe(1);
    const progressing = newerSynced();
    progressing.status.health.status = 'Progressing';
    const unhealthy = await waitForSync(target, {
      timeoutMs: 15_000,
      intervalMs: 15_000,
      fetch: async () => ({ json: progressing }),
      includes: async () => true,
      log: () => {},
      ...advancingClock(),
    });
    expect(unhealthy.done).toBe(false);
  });

  it('reads Flux revisions (main@sha1:<sha>) the same way', async () => {
    const kustomization = recorded('flux-kustomization-ready.json');
    kustomization.status.lastAppliedRevision = `main@sha1:${NEWER_SHA}`;
    const result = await waitForSync(
      { ...target, controller: 'flux', namespace: 'flux-system' },
      {
        timeoutMs: 15_000,
        intervalMs: 15_000,
        fetch: async () => ({ json: kustomization }),
        includes: async (reported) => reported === NEWER_SHA,
        log: () => {},
        ...advancingClock(),
      },
    );
    expect(result.done).toBe(true);
  });
});

describe('gitIncludes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wait-for-sync-git-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@example.invalid',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@example.invalid',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_CONFIG_NOSYSTEM: '1',
      },
    }).trim();

  it('answers from the local history, and does not know commits it has not got', async () => {
    git('init', '--quiet');
    git('commit', '--quiet', '--allow-empty', '--message', 'ours');
    const ours = git('rev-parse', 'HEAD');
    git('commit', '--quiet', '--allow-empty', '--message', 'newer');
    const newer = git('rev-parse', 'HEAD');
    expect(await gitIncludes(newer, ours, dir)).toBe(true);
    expect(await gitIncludes(ours, newer, dir)).toBe(false);
    expect(await gitIncludes('0123456789abcdef0123456789abcdef01234567', ours, dir)).toBeUndefined();
  });
});

describe('kubectlErrorLine', () => {
  it('keeps the last line without the klog prefix', () => {
    const stderr = [
      'E1123 13:11:10.423575   24853 memcache.go:265] "Unhandled Error" err="couldn\'t get current server API group list"',
      'The connection to the server localhost:8080 was refused - did you specify the right host or port?',
      '',
    ].join('\n');
    expect(kubectlErrorLine(stderr)).toBe(
      'The connection to the server localhost:8080 was refused - did you specify the right host or port?',
    );
    expect(kubectlErrorLine('E1123 13:11:10.423575   24853 memcache.go:265] only a klog line')).toBe(
      'only a klog line',
    );
  });
});

describe('parseDuration', () => {
  it.each([
    ['10m', 600_000],
    ['90s', 90_000],
    ['1h', 3_600_000],
    ['30', 30_000],
  ])('%s → %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it('rejects nonsense', () => expect(() => parseDuration('soon')).toThrow(/not a duration/));
});
