import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlJson as realKubectl } from '../../scripts/kube/kubectl.js';
import { PACKAGE_ROOT } from '../../scripts/lib/repo.js';
import { runPreflight } from '../../scripts/loadtest/preflight.js';
import { sampleCluster } from '../../scripts/loadtest/sample.js';
import { eventually, kubectl, kubectlJson, runCommand, sharedKubeconfig } from './helpers.js';

/**
 * `npm run deploy` against the real local control plane (kwok simulates the nodes and makes pods
 * Ready; the API server, Deployment/ReplicaSet/HPA controllers and scheduler are the real ones).
 */

const kubeconfig = sharedKubeconfig();
const SECRETS = {
  AZURE_OPENAI_API_KEY: 'deploy-test-key-7f3a9c2e5b1d4f60',
  DATABASE_CONNECTION_STRING: 'Server=db.local;Database=triage;Password=Zx9-deploy-test-pw',
};
const secretForms = Object.values(SECRETS).flatMap((value) => [value, Buffer.from(value).toString('base64')]);
const deploy = (args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
  runCommand('deploy', [...args, '--kubeconfig', kubeconfig], { timeoutMs: 200_000, ...options });

interface Deployment {
  metadata: { annotations?: Record<string, string> };
  spec: { template: { metadata: { labels: Record<string, string> } } };
  status: {
    readyReplicas?: number;
    availableReplicas?: number;
    conditions?: { type: string; status: string }[];
  };
}
const getDeployment = () =>
  kubectlJson(kubeconfig, ['get', 'deployment', 'triage-backend', '-n', 'triage']) as Deployment;
const available = (deployment: Deployment) =>
  deployment.status.conditions?.find((condition) => condition.type === 'Available')?.status === 'True';

function deleteNamespace(): void {
  kubectl(kubeconfig, ['delete', 'namespace', 'triage', '--ignore-not-found', '--timeout=90s']);
}

/** A copy of the deployable tree whose overlay is changed by `edit`. */
function treeWith(edit: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'triage-deploy-tree-'));
  for (const part of ['base', 'components', 'overlays'])
    cpSync(join(PACKAGE_ROOT, part), join(dir, part), { recursive: true });
  edit(dir);
  return dir;
}

describe('npm run deploy on the shared cluster', () => {
  const trees: string[] = [];
  beforeAll(() => deleteNamespace());
  afterAll(() => {
    for (const dir of trees) rmSync(dir, { recursive: true, force: true });
  });

  describe('deploy --env prod without the SecretProviderClass CRD', () => {
    it('exits 2 with a message saying the CRD is missing, and creates nothing', () => {
      kubectl(kubeconfig, [
        'delete',
        'crd',
        'secretproviderclasses.secrets-store.csi.x-k8s.io',
        '--ignore-not-found',
      ]);
      const result = deploy(['--env', 'prod']);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/SecretProviderClass CRD is missing/);
      expect(result.stderr).toMatch(/npm run cluster -- up --crds/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(kubectl(kubeconfig, ['get', 'namespaces', '-o', 'name'])).not.toMatch(/namespace\/triage\n/);
    });
  });

  describe('deploy --env dev', () => {
    it('on an empty cluster creates every object; the Deployment becomes Available at the HPA minimum', async () => {
      const result = deploy(['--env', 'dev'], { env: SECRETS });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/first deploy: namespace triage does not exist yet/);
      expect(result.stdout).toMatch(/successfully rolled out/);

      const rendered = kubectl(kubeconfig, ['kustomize', join(PACKAGE_ROOT, 'overlays', 'dev')]);
      const objects = [
        ...rendered.matchAll(/^kind: (\w+)\n(?:.*\n)*?metadata:\n(?: {2}.*\n)*? {2}name: (\S+)/gm),
      ].map((match) => `${match[1]}/${match[2]}`);
      expect(objects.length).toBeGreaterThanOrEqual(9);
      const kinds = [...new Set(objects.map((each) => each.split('/')[0]))];
      expect(kinds).toEqual(
        expect.arrayContaining(['Namespace', 'Deployment', 'HorizontalPodAutoscaler', 'ConfigMap']),
      );
      for (const object of objects) {
        const [kind, name] = object.split('/') as [string, string];
        if (kind === 'Secret') continue; // its name hashes the values given here, checked below
        const args = kind === 'Namespace' ? ['get', kind, name] : ['get', kind, name, '-n', 'triage'];
        expect(() => kubectl(kubeconfig, [...args, '-o', 'name']), object).not.toThrow();
      }

      // The real HPA controller raises the Deployment (no spec.replicas) from 1 to its minimum of 2.
      const hpa = await eventually(
        () => {
          const object = kubectlJson(kubeconfig, ['get', 'hpa', 'triage-backend-hpa', '-n', 'triage']) as {
            spec: { minReplicas: number };
            status: { currentReplicas?: number };
          };
          const deployment = getDeployment();
          return object.status.currentReplicas === object.spec.minReplicas &&
            deployment.status.readyReplicas === object.spec.minReplicas &&
            available(deployment)
            ? object
            : undefined;
        },
        60_000,
        'the HPA minimum of Ready pods',
      );
      expect(hpa.spec.minReplicas).toBe(2);
    });

    it('puts the values from the environment into the Secret and prints none of them', () => {
      const secrets = kubectlJson(kubeconfig, ['get', 'secrets', '-n', 'triage']) as {
        items: { metadata: { name: string }; data?: Record<string, string> }[];
      };
      const secret = secrets.items.find((each) => each.metadata.name.startsWith('triage-secrets-'));
      expect(Buffer.from(secret?.data?.AZURE_OPENAI_API_KEY ?? '', 'base64').toString()).toBe(
        SECRETS.AZURE_OPENAI_API_KEY,
      );
      const again = deploy(['--env', 'dev'], { env: SECRETS });
      for (const form of secretForms) {
        expect(again.stdout).not.toContain(form);
        expect(again.stderr).not.toContain(form);
      }
    });

    it('a second deploy reports no changes, and the job summary says so without a secret value', () => {
      const summaryDir = mkdtempSync(join(tmpdir(), 'triage-summary-'));
      trees.push(summaryDir);
      const summaryFile = join(summaryDir, 'summary.md');
      writeFileSync(summaryFile, '');
      const result = deploy(['--env', 'dev'], { env: { ...SECRETS, GITHUB_STEP_SUMMARY: summaryFile } });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/kubectl diff: no changes, the cluster already matches/);
      const summary = readFileSync(summaryFile, 'utf8');
      expect(summary).toMatch(/No changes: the cluster already matches/);
      for (const form of secretForms) expect(summary).not.toContain(form);
    });

    it('a changed secret value shows in the diff masked, never in plain or base64', () => {
      const summaryDir = mkdtempSync(join(tmpdir(), 'triage-summary-'));
      trees.push(summaryDir);
      const summaryFile = join(summaryDir, 'summary.md');
      const changed = { ...SECRETS, AZURE_OPENAI_API_KEY: 'deploy-test-key-rotated-000111222' };
      const result = deploy(['--env', 'dev'], { env: { ...changed, GITHUB_STEP_SUMMARY: summaryFile } });
      expect(result.code, result.stderr).toBe(0);
      const summary = readFileSync(summaryFile, 'utf8');
      expect(summary).toMatch(/```diff/);
      expect(summary).toMatch(/AZURE_OPENAI_API_KEY: '\*\*\*'/);
      for (const value of [...Object.values(changed), ...Object.values(SECRETS)]) {
        for (const form of [value, Buffer.from(value).toString('base64')]) {
          expect(summary).not.toContain(form);
          expect(result.stdout + result.stderr).not.toContain(form);
        }
      }
    });

    it('a rollout that never becomes Ready times out, is undone to the previous ReplicaSet (serving again), exit 1', async () => {
      const before = getDeployment();
      const revisionBefore = before.metadata.annotations?.['deployment.kubernetes.io/revision'];
      const hashBefore = before.spec.template.metadata.labels['pod-template-hash'];
      // kwok's never-ready stage (controlplane/kwok.yaml) keeps pods with this label Running but not Ready.
      const broken = treeWith((dir) => {
        const file = join(dir, 'overlays', 'dev', 'kustomization.yaml');
        writeFileSync(
          file,
          `${readFileSync(file, 'utf8')}  - target:\n      kind: Deployment\n      name: triage-backend\n    patch: |\n      - op: add\n        path: /spec/template/metadata/labels/triage-gitops.dev~1simulate\n        value: never-ready\n`,
        );
      });
      trees.push(broken);
      const result = deploy(['--env', 'dev', '--timeout', '15s'], { cwd: broken, env: SECRETS });
      expect(result.code, result.stdout + result.stderr).toBe(1);
      expect(result.stderr).toMatch(
        /deploy of overlays\/dev failed: deployment\/triage-backend in triage did not roll out: ReplicaSet triage-backend-\w+ \(revision \d+\) had 0\/\d+ pods ready after 15 s/,
      );
      expect(result.stderr).toMatch(
        /rolled back to ReplicaSet triage-backend-\w+ \(revision \d+, 2\/2 ready\)/,
      );
      expect(result.stderr).not.toMatch(/\n\s+at /);

      const after = getDeployment();
      expect(after.spec.template.metadata.labels['triage-gitops.dev/simulate']).toBeUndefined();
      expect(after.spec.template.metadata.labels['pod-template-hash']).toBe(hashBefore);
      expect(Number(after.metadata.annotations?.['deployment.kubernetes.io/revision'])).toBeGreaterThan(
        Number(revisionBefore),
      );
      await eventually(
        () => (available(getDeployment()) && getDeployment().status.readyReplicas === 2 ? true : undefined),
        30_000,
        'the previous ReplicaSet Ready',
      );
    });

    it('deploys the good tree again after a rollback (no field-manager conflict with rollout undo)', () => {
      const result = deploy(['--env', 'dev'], { env: SECRETS });
      expect(result.code, result.stderr).toBe(0);
    });

    it('refuses a remote target without dev secret values: exit 2 naming the variable and env file', () => {
      // A kubeconfig other than the local cluster's own file counts as a remote cluster.
      const elsewhere = mkdtempSync(join(tmpdir(), 'triage-remote-'));
      trees.push(elsewhere);
      const remote = join(elsewhere, 'kubeconfig');
      cpSync(kubeconfig, remote);
      const result = runCommand('deploy', ['--env', 'dev', '--kubeconfig', remote], {
        env: { AZURE_OPENAI_API_KEY: '', DATABASE_CONNECTION_STRING: '' },
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^error: base\/secrets\.env:1: environment variable AZURE_OPENAI_API_KEY is not set/m,
      );
    });
  });

  describe('the loadtest readers on real objects', () => {
    const cluster = { kubectl: realKubectl, namespace: 'triage', kubeconfig, timeoutMs: 20_000 };

    it('preflight reads the HPA, Deployment, ConfigMap and Secret keys the API server returns', async () => {
      const preflight = await runPreflight(cluster, {
        hpa: 'triage-backend-hpa',
        deployment: 'triage-backend',
        configMapPrefix: 'triage-config',
      });
      expect(preflight.hpa.error).toBeUndefined();
      expect(preflight.hpa.state).toMatchObject({
        minReplicas: 2,
        maxReplicas: 10,
        targetCpuUtilization: 10,
      });
      expect(preflight.deployment.state?.containersWithoutCpuRequest).toEqual([]);
      expect(preflight.configMap.state?.modelDeploymentName).toBe('gpt-4.1-mini');
      expect(preflight.configMap.via).toBe('deployment');
      expect(preflight.secrets[0]?.state?.keys.sort()).toEqual([
        'AZURE_OPENAI_API_KEY',
        'DATABASE_CONNECTION_STRING',
      ]);
      expect(JSON.stringify(preflight)).not.toContain(SECRETS.AZURE_OPENAI_API_KEY);
    });

    it('a sample reads replicas from the Deployment and the CPU figure metrics-server gives the HPA', async () => {
      let last: Awaited<ReturnType<typeof sampleCluster>> | undefined;
      const deadline = Date.now() + 90_000;
      // metrics-server needs two scrapes (10 s apart) of the new pods before the HPA has a figure.
      while (Date.now() < deadline) {
        last = await sampleCluster(
          cluster,
          { hpa: 'triage-backend-hpa', deployment: 'triage-backend' },
          0,
          'before',
        );
        if (last.metricsAvailable) break;
        await new Promise((done) => setTimeout(done, 2000));
      }
      expect(last).toMatchObject({ currentReplicas: 2, readyReplicas: 2, metricsAvailable: true });
      // Idle simulated pods use 1m of their 250m request.
      expect(last?.cpuUtilization).toBe(0);
    });
  });

  describe('deploy --env prod after the CRDs are installed', () => {
    it('installs the CRDs with cluster up --crds and deploys prod: SecretProviderClass and 3 Ready pods', async () => {
      const up = runCommand('cluster', ['up', '--crds']);
      expect(up.code, up.stderr).toBe(0);
      expect(up.stderr).toMatch(/CRDs installed: SecretProviderClass/);
      const result = deploy(['--env', 'prod']);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(kubectl(kubeconfig, ['get', 'secretproviderclass', '-n', 'triage', '-o', 'name'])).toMatch(
        /secretproviderclass\.secrets-store\.csi\.x-k8s\.io\//,
      );
      await eventually(
        () => (getDeployment().status.readyReplicas === 3 && available(getDeployment()) ? true : undefined),
        60_000,
        "prod's HPA minimum of 3 Ready pods",
      );
    });
  });
});
