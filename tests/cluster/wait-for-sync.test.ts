import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../scripts/lib/repo.js';
import { kubectl, runCommand, sharedKubeconfig } from './helpers.js';

/**
 * wait-for-sync reading real objects from the real API server: this repository's own
 * clusters/argocd manifests, applied through the CRDs `cluster up --crds` installs. No Argo CD
 * controller runs here, so the test writes the status one would, through the status subresource,
 * and wait-for-sync reads it back as it would on AKS. (Flux runs for real: flux.test.ts.)
 */

const kubeconfig = sharedKubeconfig();
const COMMIT = '3f1c5e8a9b7d6c4e2f0a1b3c5d7e9f8a6b4c2d0e';
const OTHER = '0000000000000000000000000000000000000001';

function apply(file: string): void {
  kubectl(kubeconfig, [
    'apply',
    '--server-side',
    '--field-manager=triage-gitops',
    '-f',
    join(PACKAGE_ROOT, file),
  ]);
}

function setStatus(resource: string, name: string, namespace: string, status: unknown): void {
  kubectl(kubeconfig, [
    'patch',
    resource,
    name,
    '-n',
    namespace,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({ status }),
  ]);
}

const waitFor = (controller: string, revision: string, timeout = '4s', name = 'triage-dev') =>
  runCommand('wait-for-sync', [
    ...['--controller', controller, '--name', name, '--revision', revision],
    ...['--kubeconfig', kubeconfig, '--timeout', timeout, '--interval', '1s'],
  ]);

beforeAll(() => {
  kubectl(kubeconfig, ['apply', '-f', '-'], 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: argocd\n');
  apply('clusters/argocd/triage-dev.yaml');
  // No status survives from an earlier run. (Deleting is no way: the Application's finalizer
  // waits for an Argo CD controller that does not run here.)
  setStatus('applications.argoproj.io', 'triage-dev', 'argocd', null);
});

describe('wait-for-sync --controller argocd on a real Application', () => {
  it('exits 0 when sync.revision is the commit, Synced and Healthy; 1 while OutOfSync', () => {
    setStatus('applications.argoproj.io', 'triage-dev', 'argocd', {
      sync: { status: 'OutOfSync', revision: OTHER },
      health: { status: 'Progressing' },
    });
    const waiting = waitFor('argocd', COMMIT);
    expect(waiting.code).toBe(1);
    expect(waiting.stderr).toMatch(/Last status: revision 000000000000, sync OutOfSync, health Progressing/);

    setStatus('applications.argoproj.io', 'triage-dev', 'argocd', {
      sync: { status: 'Synced', revision: COMMIT },
      health: { status: 'Healthy' },
    });
    const done = waitFor('argocd', COMMIT);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/revision 3f1c5e8a9b7d, sync Synced, health Healthy/);
  });

  it('a missing Application is reported in kubectl terms, exit 1', () => {
    const result = waitFor('argocd', COMMIT, '2s', 'no-such-app');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/kubectl: .*not found/);
  });
});
