import { describe, expect, it } from 'vitest';
import type { Json } from '../../scripts/kube/gitops.js';
import { type Target, type WaitOptions, waitForSync } from '../../scripts/wait-for-sync.js';

/**
 * The Flux status shapes source-controller v1.9 and kustomize-controller v1.9 write (as seen on the
 * local control plane, tests/cluster/flux.test.ts), fed to waitForSync on a fake clock: when it
 * stops, what it says, and what it asks of the cluster.
 */

const WANTED = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const OLDER = '1111111111111111111111111111111111111111';
const NEWER = '2222222222222222222222222222222222222222';

const target: Target = { controller: 'flux', name: 'triage-dev', namespace: 'flux-system', revision: WANTED };

function kustomization(status: Record<string, unknown>): Json {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'triage-dev', namespace: 'flux-system' },
    spec: { sourceRef: { kind: 'GitRepository', name: 'triage-gitops' }, path: './overlays/dev' },
    status,
  };
}

const ready = (status: string, reason: string, message: string) => ({
  conditions: [{ type: 'Ready', status, reason, message }],
});

function gitRepository(artifact: string | undefined, status: string, reason: string, message: string): Json {
  return {
    kind: 'GitRepository',
    metadata: { name: 'triage-gitops', namespace: 'flux-system' },
    status: { ...(artifact ? { artifact: { revision: artifact } } : {}), ...ready(status, reason, message) },
  };
}

/** Runs waitForSync on a fake clock (1 s per poll) over a fixed sequence of answers (the last repeats). */
async function run(
  answers: Json[],
  extra: Partial<WaitOptions> = {},
  timeoutMs = 30_000,
): Promise<{ result: Awaited<ReturnType<typeof waitForSync>>; lines: string[]; polls: number }> {
  let clock = 0;
  let polls = 0;
  const lines: string[] = [];
  const result = await waitForSync(target, {
    timeoutMs,
    intervalMs: 1000,
    fetch: async () => ({ json: answers[Math.min(polls++, answers.length - 1)] }),
    log: (line) => lines.push(line),
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
    ...extra,
  });
  return { result, lines, polls };
}

describe('waitForSync on Flux status', () => {
  it('ReconciliationFailed at the wanted commit ends the wait at once, not at the timeout', async () => {
    const { result, polls } = await run([
      kustomization({
        lastAppliedRevision: `main@sha1:${OLDER}`,
        lastAttemptedRevision: `main@sha1:${WANTED}`,
        ...ready(
          'False',
          'ReconciliationFailed',
          'HorizontalPodAutoscaler/triage-flux/triage-backend-hpa dry-run failed (Invalid): spec.maxReplicas: Invalid value: 10: must be greater than or equal to `minReplicas`\nsecond',
        ),
      }),
    ]);
    expect(result.failed).toBe(true);
    expect(result.done).toBe(false);
    expect(polls).toBe(1);
    expect(result.summary).toBe(
      'applied main@sha1:111111111111, attempting main@sha1:a1b2c3d4e5f6, Ready False (ReconciliationFailed: HorizontalPodAutoscaler/triage-flux/triage-backend-hpa dry-run failed (Invalid): spec.maxReplicas: Invalid value: 10: must be greater than or equal to `minReplicas`)',
    );
  });

  it('HealthCheckFailed at a newer commit that holds the wanted one fails too; at one that does not, the wait goes on', async () => {
    const failedNewer = kustomization({
      lastAppliedRevision: `main@sha1:${OLDER}`,
      lastAttemptedRevision: `main@sha1:${NEWER}`,
      ...ready(
        'False',
        'HealthCheckFailed',
        'timeout waiting for: [Deployment/triage-flux/triage-backend status: InProgress]',
      ),
    });
    const holds = await run([failedNewer], { includes: async (reported) => reported === NEWER });
    expect(holds.result.failed).toBe(true);
    expect(holds.polls).toBe(1);

    const other = await run([failedNewer], { includes: async () => false }, 5000);
    expect(other.result.failed).toBeUndefined();
    expect(other.polls).toBeGreaterThan(1);
  });

  it('a failure Flux is already retrying (Ready back to Progressing) is read from the history, with the event message', async () => {
    const retrying = (verdict: string) =>
      kustomization({
        lastAttemptedRevision: `main@sha1:${WANTED}`,
        ...ready('Unknown', 'Progressing', 'Reconciliation in progress'),
        history: [
          {
            digest: 'sha256:aa',
            lastReconciledStatus: verdict,
            metadata: { revision: `main@sha1:${WANTED}` },
          },
          {
            digest: 'sha256:bb',
            lastReconciledStatus: 'HealthCheckFailed',
            metadata: { revision: `main@sha1:${OLDER}` },
          },
        ],
      });
    const reasons: string[] = [];
    const failed = await run([retrying('HealthCheckFailed')], {
      fetchFailureMessage: async (reason) => {
        reasons.push(reason);
        return "health check failed after 30.01s: timeout waiting for: [Deployment/triage-flux/triage-backend status: 'InProgress']\nmore";
      },
    });
    expect(failed.result.failed).toBe(true);
    expect(failed.polls).toBe(1);
    expect(reasons).toEqual(['HealthCheckFailed']);
    expect(failed.result.summary).toBe(
      "applied none, attempting main@sha1:a1b2c3d4e5f6, Ready Unknown (Progressing: Reconciliation in progress); its last attempt at main@sha1:a1b2c3d4e5f6 ended HealthCheckFailed: health check failed after 30.01s: timeout waiting for: [Deployment/triage-flux/triage-backend status: 'InProgress']",
    );

    // The same revision's last attempt succeeded: a retry in progress is no failure.
    const fine = await run([retrying('ReconciliationSucceeded')], {}, 4000);
    expect(fine.result.failed).toBeUndefined();
    expect(fine.polls).toBeGreaterThan(1);
  });

  it('a failure at an older commit is waited through, until the wanted commit is applied and Ready', async () => {
    const { result, lines } = await run([
      kustomization({
        lastAppliedRevision: `main@sha1:${OLDER}`,
        lastAttemptedRevision: `main@sha1:${OLDER}`,
        ...ready('False', 'ReconciliationFailed', 'old breakage'),
      }),
      kustomization({
        lastAppliedRevision: `main@sha1:${OLDER}`,
        lastAttemptedRevision: `main@sha1:${WANTED}`,
        ...ready('Unknown', 'Progressing', 'Reconciliation in progress'),
      }),
      kustomization({
        lastAppliedRevision: `main@sha1:${WANTED}`,
        lastAttemptedRevision: `main@sha1:${WANTED}`,
        ...ready('True', 'ReconciliationSucceeded', `Applied revision: main@sha1:${WANTED}`),
      }),
    ]);
    expect(result.done).toBe(true);
    // One line per change of state.
    expect(lines).toEqual([
      '[0s] applied main@sha1:111111111111, Ready False (ReconciliationFailed: old breakage)',
      '[1s] applied main@sha1:111111111111, attempting main@sha1:a1b2c3d4e5f6, Ready Unknown (Progressing: Reconciliation in progress)',
      `[2s] applied main@sha1:a1b2c3d4e5f6, Ready True (ReconciliationSucceeded: Applied revision: main@sha1:${WANTED})`,
    ]);
  });

  it("a revision that never arrives is reported in the GitRepository's words, without URL credentials", async () => {
    const asked: string[] = [];
    const { result } = await run(
      [
        kustomization({
          lastAppliedRevision: `main@sha1:${OLDER}`,
          ...ready('True', 'ReconciliationSucceeded', `Applied revision: main@sha1:${OLDER}`),
        }),
      ],
      {
        fetchSource: async (ref) => {
          asked.push(`${ref.kind} ${ref.namespace}/${ref.name}`);
          return {
            json: gitRepository(
              `main@sha1:${OLDER}`,
              'False',
              'GitOperationFailed',
              "failed to checkout and determine revision: unable to clone 'https://flux:ghp_s3cr3tT0ken@github.example/x.git': couldn't find remote ref \"refs/heads/nope\"",
            ),
          };
        },
      },
      5000,
    );
    expect(result.done).toBe(false);
    expect(result.failed).toBeUndefined();
    expect(asked[0]).toBe('GitRepository flux-system/triage-gitops');
    expect(result.summary).toContain(
      "; source GitRepository flux-system/triage-gitops has main@sha1:111111111111, Ready False (GitOperationFailed: failed to checkout and determine revision: unable to clone 'https://***@github.example/x.git'",
    );
    expect(result.summary).not.toContain('s3cr3t');
  });

  it('the source adds nothing once it holds the wanted commit and is Ready', async () => {
    const { result } = await run(
      [
        kustomization({
          lastAppliedRevision: `main@sha1:${OLDER}`,
          lastAttemptedRevision: `main@sha1:${WANTED}`,
          ...ready('Unknown', 'Progressing', 'Reconciliation in progress'),
        }),
      ],
      {
        fetchSource: async () => ({
          json: gitRepository(`main@sha1:${WANTED}`, 'True', 'Succeeded', 'stored artifact'),
        }),
      },
      3000,
    );
    expect(result.summary).not.toContain('source');
  });

  it('asks for a reconcile once, naming the Kustomization and its source, and logs the answer', async () => {
    const calls: string[] = [];
    const { lines } = await run(
      [kustomization({ ...ready('Unknown', 'Progressing', 'Reconciliation in progress') })],
      {
        requestReconcile: async (object, source) => {
          calls.push(`${object.namespace}/${object.name} ${source?.kind} ${source?.name}`);
          return 'asked Flux to reconcile now';
        },
      },
      5000,
    );
    expect(calls).toEqual(['flux-system/triage-dev GitRepository triage-gitops']);
    expect(lines).toContain('asked Flux to reconcile now');
  });
});
