import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { probeCluster } from '../../scripts/kube/client.js';
import { classifyKubectlError, KubectlError, kubectlJson } from '../../scripts/kube/kubectl.js';
import { runPreflight } from '../../scripts/loadtest/preflight.js';
import { NAMES } from '../../scripts/loadtest/run.js';
import { sampleCluster } from '../../scripts/loadtest/sample.js';
import { fixture, installFakeKubectl, kubectlFrom } from './helpers.js';

const DEV = {
  'get horizontalpodautoscaler triage-backend-hpa': 'hpa-dev-at-minimum.json',
  'get deployment triage-backend': 'deployment-dev-at-minimum.json',
  'get configmap triage-config-69cf58mtf2': 'configmap-dev.json',
  'get secret triage-secrets-c2bgt5f67k': 'secret-dev.json',
};
const PROD = {
  'get horizontalpodautoscaler triage-backend-hpa': 'hpa-dev-at-minimum.json',
  'get deployment triage-backend': 'deployment-prod.json',
  'get configmap triage-config-ddk9b25d77': 'configmap-prod.json',
  'get secret triage-secrets': 'secret-prod-csi.json',
  'get secretproviderclass triage-keyvault': 'secretproviderclass-prod.json',
};

const client = (table: Record<string, unknown>) => ({
  namespace: 'triage',
  timeoutMs: 1000,
  kubectl: kubectlFrom(table),
});

describe('preflight (through one kubectl function, on recorded output)', () => {
  it('finds the ConfigMap through the Deployment and reads the Secret key names', async () => {
    const preflight = await runPreflight(client(DEV), NAMES);
    expect(preflight.configMap).toMatchObject({ name: 'triage-config-69cf58mtf2', via: 'deployment' });
    expect(preflight.configMap.state?.modelDeploymentName).toBe('gpt-4.1-mini');
    expect(preflight.secrets).toEqual([
      {
        name: 'triage-secrets-c2bgt5f67k',
        state: {
          name: 'triage-secrets-c2bgt5f67k',
          type: 'Opaque',
          keys: ['AZURE_OPENAI_API_KEY', 'DATABASE_CONNECTION_STRING'],
          managedByCsi: false,
        },
      },
    ]);
    expect(preflight.secretProviderClasses).toEqual([]);
  });

  it('reads the SecretProviderClass in prod, and never a secret value', async () => {
    const preflight = await runPreflight(client(PROD), NAMES);
    expect(preflight.secrets[0]?.state?.managedByCsi).toBe(true);
    expect(preflight.secretProviderClasses[0]?.state?.syncedSecrets[0]?.name).toBe('triage-secrets');
    const values = Object.values((fixture('secret-prod-csi.json') as { data: Record<string, string> }).data);
    const everything = JSON.stringify(preflight);
    for (const value of values) expect(everything).not.toContain(value);
  });

  it('falls back to the name prefix when the referenced ConfigMap is gone', async () => {
    const { 'get configmap triage-config-69cf58mtf2': _gone, ...rest } = DEV;
    const preflight = await runPreflight(
      client({ ...rest, 'get configmap': 'configmap-list-dev.json' }),
      NAMES,
    );
    expect(preflight.configMap).toMatchObject({ name: 'triage-config-69cf58mtf2', via: 'name-prefix' });
  });

  it('records what could not be read instead of throwing', async () => {
    const preflight = await runPreflight(client({}), NAMES);
    expect(preflight.hpa.error).toMatch(/not found/);
    expect(preflight.deployment.error).toMatch(/not found/);
    expect(preflight.configMap.error).toMatch(/listing ConfigMaps/);
    expect(preflight.secrets).toEqual([]);
  });

  it('samples HPA and Deployment in one call', async () => {
    const kubectl = kubectlFrom({
      'get horizontalpodautoscaler/triage-backend-hpa deployment/triage-backend':
        'hpa-and-deployment-dev-scaling-out.json',
    });
    const sample = await sampleCluster(
      { namespace: 'triage', timeoutMs: 1000, kubectl },
      { hpa: 'triage-backend-hpa', deployment: 'triage-backend' },
      3,
      'load',
    );
    expect(sample).toMatchObject({
      currentReplicas: 4,
      desiredReplicas: 8,
      readyReplicas: 4,
      cpuUtilization: 187,
    });
    expect(kubectl.calls).toHaveLength(1);
  });

  it('turns a failed poll into a sample with an error', async () => {
    const sample = await sampleCluster(client({}), { hpa: 'h', deployment: 'd' }, 3, 'load');
    expect(sample).toMatchObject({ t: 3, phase: 'load', error: expect.stringMatching(/not found/) });
  });
});

describe('probe', () => {
  it('takes a Forbidden on the Namespace as a reachable cluster (namespace-scoped identities)', async () => {
    const kubectl = kubectlFrom({
      'config view --minify': 'config-view-minify.json',
      'get namespace triage': new KubectlError(
        'Error from server (Forbidden): namespaces "triage" is forbidden: User "ci" cannot get resource "namespaces" in API group "" at the cluster scope',
        'forbidden',
        [],
      ),
    });
    await expect(probeCluster({ namespace: 'triage', timeoutMs: 1000, kubectl })).resolves.toMatchObject({
      name: 'aks-triage-dev',
    });
  });

  it('rejects a missing namespace', async () => {
    const kubectl = kubectlFrom({ 'config view --minify': 'config-view-minify.json' });
    await expect(probeCluster({ namespace: 'triage', timeoutMs: 1000, kubectl })).rejects.toMatchObject({
      failure: 'not-found',
    });
  });
});

describe('kubectlJson (the real process call, against a fake kubectl)', () => {
  let fake: string;
  beforeAll(() => {
    fake = installFakeKubectl();
  });
  afterEach(() => {
    delete process.env.KUBECTL;
    delete process.env.FAKE_KUBECTL_SCENARIO;
  });

  it('parses the JSON kubectl prints', async () => {
    process.env.KUBECTL = fake;
    const json = await kubectlJson(['get', 'ingress', 'triage-ingress'], {
      timeoutMs: 10_000,
      namespace: 'triage',
    });
    expect(json).toEqual(fixture('ingress-dev-with-ip.json'));
  });

  it('classifies NotFound', async () => {
    process.env.KUBECTL = fake;
    const error = await kubectlJson(['get', 'hpa', 'nope'], { timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubectlError);
    expect(error).toMatchObject({
      failure: 'not-found',
      message: 'Error from server (NotFound): hpa "nope" not found',
    });
  });

  it('kills a call that outlives its timeout', async () => {
    process.env.KUBECTL = fake;
    process.env.FAKE_KUBECTL_SCENARIO = 'hang';
    const started = Date.now();
    const error = await kubectlJson(['get', 'namespace', 'triage'], { timeoutMs: 700 }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ failure: 'timeout' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('says when kubectl is not installed', async () => {
    process.env.KUBECTL = '/nonexistent/kubectl';
    await expect(kubectlJson(['version'], { timeoutMs: 1000 })).rejects.toMatchObject({ failure: 'missing' });
  });

  it('probes: no current context is a no-context failure', async () => {
    process.env.KUBECTL = fake;
    process.env.FAKE_KUBECTL_SCENARIO = 'no-context';
    await expect(
      probeCluster({ namespace: 'triage', timeoutMs: 10_000, kubectl: kubectlJson }),
    ).rejects.toMatchObject({
      failure: 'no-context',
    });
  });

  it.each([
    ['error: current-context must exist in order to minify', 'no-context'],
    ['error: context was not found for specified context: aks-x', 'no-context'],
    ['Error from server (NotFound): namespaces "triage" not found', 'not-found'],
    ['error: the server doesn\'t have a resource type "secretproviderclass"', 'not-found'],
    [
      'Error from server (Forbidden): secrets "triage-secrets" is forbidden: User "ci" cannot get resource "secrets"',
      'forbidden',
    ],
    ['Unable to connect to the server: dial tcp: lookup aks.example: no such host', 'unreachable'],
    [
      'The connection to the server localhost:8080 was refused - did you specify the right host or port?',
      'unreachable',
    ],
    ['error: You must be logged in to the server (Unauthorized)', 'unreachable'],
    ['something else', 'failed'],
  ])('classifies %j as %s', (stderr, failure) => {
    expect(classifyKubectlError(stderr)).toBe(failure);
  });
});
