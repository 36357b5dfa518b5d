import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { tempTrees } from '../helpers/temp-trees.js';
import {
  appendToDevKustomization,
  fluxCopy,
  pushCommit,
  replaceInFile,
  runCommandAsync,
  workflowCommandLines,
} from './flux-helpers.js';
import { kubectl, kubectlJson, sharedKubeconfig } from './helpers.js';

/**
 * Pull mode against the real Flux controllers (`cluster up --flux`, started by the global setup):
 * each case pushes a commit to the local git server and runs wait-for-sync as the deploy workflow
 * does. The good case uses the objects `up --flux` applied from clusters/flux/local (main, namespace
 * triage-flux); the failing cases use copies of them under other names, on their own branches and
 * namespaces, so all four run at once.
 */

const kubeconfig = sharedKubeconfig();
const gitUrl = inject('fluxGitUrl');
const trees = tempTrees('flux-test');

interface Case {
  suffix: string;
  branch: string;
  namespace: string;
}
const COPIES: Record<'hpa' | 'unready' | 'nobranch', Case> = {
  hpa: { suffix: 'hpa', branch: 'flux-test-hpa', namespace: 'triage-flux-hpa' },
  unready: { suffix: 'unready', branch: 'flux-test-unready', namespace: 'triage-flux-unready' },
  nobranch: { suffix: 'nobranch', branch: 'flux-test-no-such-branch', namespace: 'triage-flux-nobranch' },
};

const waitForSync = (name: string, revision: string, timeout: string, cwd: string) =>
  runCommandAsync(
    'wait-for-sync',
    [
      ...['--controller', 'flux', '--name', name, '--revision', revision],
      ...['--kubeconfig', kubeconfig, '--timeout', timeout, '--interval', '1s'],
    ],
    // In the clone: "a newer commit holding this one" is checked with its git history.
    { cwd },
  );

/** The copies' objects; deleting a Kustomization makes Flux prune what it applied (its namespace too). */
function deleteCopies(wait: boolean): void {
  for (const each of Object.values(COPIES)) {
    const copy = fluxCopy({ gitUrl, ...each, targetNamespace: each.namespace });
    spawnSync(
      'kubectl',
      [
        ...['--kubeconfig', kubeconfig, '-n', 'flux-system', 'delete', '--ignore-not-found'],
        `--wait=${wait}`,
        '--timeout=60s',
        `kustomizations.kustomize.toolkit.fluxcd.io/${copy.kustomization}`,
        `gitrepositories.source.toolkit.fluxcd.io/${copy.gitRepository}`,
      ],
      { encoding: 'utf8', timeout: 90_000 },
    );
  }
}

function applyCopy(each: Case): string {
  const copy = fluxCopy({ gitUrl, ...each, targetNamespace: each.namespace });
  kubectl(kubeconfig, ['apply', '--server-side', '--field-manager=triage-gitops', '-f', '-'], copy.manifests);
  return copy.kustomization;
}

/** Every line wait-for-sync printed is one line a runner reads as text, and bounded. */
function expectCleanLines(output: string): void {
  expect(workflowCommandLines(output)).toEqual([]);
  for (const line of output.split('\n')) expect(line.length).toBeLessThan(1100);
}

beforeAll(() => {
  // A run before this one may have left its copies: gone before their branches are pushed again.
  deleteCopies(true);
});

afterAll(() => {
  deleteCopies(false);
});

describe('wait-for-sync --controller flux against the real controllers', () => {
  it.concurrent('a ConfigMap literal pushed to main: exit 0 once applied, and the new ConfigMap exists', async () => {
    const nonce = `check-${Date.now()}`;
    const clone = trees.dir();
    const commit = pushCommit(gitUrl, clone, 'main', (dir) => {
      replaceInFile(
        join(dir, 'overlays', 'dev', 'kustomization.yaml'),
        '      - LOG_LEVEL=debug\n',
        `      - LOG_LEVEL=debug\n      - FLUX_CHECK=${nonce}\n`,
      );
    });
    const result = await waitForSync('triage-dev', commit, '90s', clone);
    console.log(`good commit: wait-for-sync exit ${result.code} after ${result.elapsedMs} ms`);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /asked Flux to reconcile GitRepository flux-system\/triage-gitops and Kustomization flux-system\/triage-dev now/,
    );
    expect(result.stdout).toContain(
      `✅ Flux Kustomization flux-system/triage-dev reports ${commit.slice(0, 12)} synced and healthy`,
    );
    expectCleanLines(result.stdout + result.stderr);

    const kustomization = kubectlJson(kubeconfig, [
      ...['-n', 'flux-system', 'get', 'kustomizations.kustomize.toolkit.fluxcd.io', 'triage-dev'],
    ]) as { status: { lastAppliedRevision: string } };
    expect(kustomization.status.lastAppliedRevision).toBe(`main@sha1:${commit}`);
    const configMaps = kubectlJson(kubeconfig, ['-n', 'triage-flux', 'get', 'configmaps']) as {
      items: { metadata: { name: string }; data?: Record<string, string> }[];
    };
    const synced = configMaps.items.find((each) => each.data?.FLUX_CHECK === nonce);
    expect(synced?.metadata.name).toMatch(/^triage-config-/);
    expect(synced?.data?.LOG_LEVEL).toBe('debug');
  });

  it.concurrent('an HPA with minReplicas above maxReplicas: exit 1 at once with ReconciliationFailed', async () => {
    const clone = trees.dir();
    const commit = pushCommit(gitUrl, clone, COPIES.hpa.branch, (dir) => {
      replaceInFile(join(dir, 'overlays', 'dev', 'hpa-patch.yaml'), 'minReplicas: 2', 'minReplicas: 12');
    });
    const name = applyCopy(COPIES.hpa);
    const result = await waitForSync(name, commit, '90s', clone);
    console.log(`HPA min > max: wait-for-sync exit ${result.code} after ${result.elapsedMs} ms`);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `error: Flux Kustomization flux-system/${name} reports ${commit.slice(0, 12)} failed after [\\dms]+: ` +
          `applied none, attempting ${COPIES.hpa.branch}@sha1:${commit.slice(0, 12)}, Ready False \\(ReconciliationFailed: ` +
          'HorizontalPodAutoscaler/triage-flux-hpa/triage-backend-hpa dry-run failed \\(Invalid\\): .*spec\\.maxReplicas: Invalid value',
      ),
    );
    // Flux's verdict ends the wait: no need to sit out the 90 s.
    expect(result.elapsedMs).toBeLessThan(60_000);
    expectCleanLines(result.stdout + result.stderr);
  });

  it.concurrent('pods that never become Ready: exit 1 with HealthCheckFailed after the Kustomization timeout', async () => {
    const clone = trees.dir();
    const commit = pushCommit(gitUrl, clone, COPIES.unready.branch, (dir) => {
      // kwok's never-ready stage (controlplane/kwok.yaml) keeps pods with this label Running but not Ready.
      appendToDevKustomization(
        dir,
        '  - target:\n      kind: Deployment\n      name: triage-backend\n    patch: |\n      - op: add\n        path: /spec/template/metadata/labels/triage-gitops.dev~1simulate\n        value: never-ready\n',
      );
    });
    const name = applyCopy(COPIES.unready);
    const result = await waitForSync(name, commit, '120s', clone);
    console.log(`never Ready: wait-for-sync exit ${result.code} after ${result.elapsedMs} ms`);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        // Ready False (HealthCheckFailed: …), or, when Flux is already retrying, its history and event.
        `reports ${commit.slice(0, 12)} failed after [\\dms]+: .*HealthCheckFailed: health check failed after .*` +
          'timeout waiting for: \\[Deployment/triage-flux-unready/triage-backend',
      ),
    );
    // While Flux waited on the rollout, the wait said so on its own line.
    expect(result.stdout).toMatch(/attempting flux-test-unready@sha1:\w+, Ready Unknown \(Progressing/);
    expectCleanLines(result.stdout + result.stderr);
  });

  it.concurrent('a branch that does not exist: times out, exit 1, with the GitRepository reason', async () => {
    const clone = trees.dir();
    const spawnResult = spawnSync('git', ['ls-remote', gitUrl, 'refs/heads/main'], { encoding: 'utf8' });
    const main = spawnResult.stdout.split('\t')[0] ?? '';
    expect(main).toMatch(/^[0-9a-f]{40}$/);
    const name = applyCopy(COPIES.nobranch);
    const result = await waitForSync(name, main, '15s', clone);
    console.log(`missing branch: wait-for-sync exit ${result.code} after ${result.elapsedMs} ms`);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `did not report ${main.slice(0, 12)} synced and healthy within 15s\\. Last status: applied none, .*` +
          `source GitRepository flux-system/triage-gitops-nobranch has none, Ready False \\(GitOperationFailed: .*flux-test-no-such-branch`,
      ),
    );
    expectCleanLines(result.stdout + result.stderr);
  });
});
