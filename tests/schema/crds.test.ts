import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkSchemas, findKubeconform } from '../../scripts/schema/kubeconform.js';
import { REPO_ROOT } from '../../scripts/schema/settings.js';
import { TIMEOUT, useDefaultSchemaSettings } from './helpers.js';

beforeAll(async () => {
  useDefaultSchemaSettings();
  await findKubeconform();
}, TIMEOUT);

const secretProviderClass = (
  parameters: string,
  specExtra = '',
): string => `apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata:
  name: triage-keyvault
  namespace: triage
spec:
  provider: azure
  parameters:
${parameters}${specExtra}  secretObjects:
    - secretName: triage-secrets
      type: Opaque
      data:
        - objectName: azure-openai-api-key
          key: AZURE_OPENAI_API_KEY
`;

const validParameters = `    usePodIdentity: "false"
    clientID: 00000000-0000-0000-0000-000000000000
    keyvaultName: kv-triage
    tenantId: 00000000-0000-0000-0000-000000000000
    objects: |
      array:
        - |
          objectName: azure-openai-api-key
          objectType: secret
`;

describe('SecretProviderClass against schemas/crds', { timeout: TIMEOUT }, () => {
  it('passes a valid one', async () => {
    const [result] = await checkSchemas(secretProviderClass(validParameters));
    expect(result).toMatchObject({ kind: 'SecretProviderClass', status: 'valid' });
  });

  it('rejects a parameter that is not a string', async () => {
    const [result] = await checkSchemas(secretProviderClass(validParameters.replace('"false"', 'false')));
    expect(result?.status).toBe('invalid');
    expect(result?.errors).toEqual([
      { path: ['spec', 'parameters', 'usePodIdentity'], message: 'got boolean, want string' },
    ]);
  });

  it('rejects an unknown spec field', async () => {
    const [result] = await checkSchemas(secretProviderClass(validParameters, '  syncSecret: true\n'));
    expect(result?.status).toBe('invalid');
    expect(result?.errors).toEqual([
      {
        path: ['spec', 'syncSecret'],
        message: "unknown field 'syncSecret' (additional property not allowed)",
      },
    ]);
  });
});

describe('GitOps controllers in clusters/', { timeout: TIMEOUT }, () => {
  const files = ['clusters/argocd/triage-dev.yaml', 'clusters/argocd/triage-prod.yaml', ...fluxFiles()];

  it.each(files)('%s passes', async (file) => {
    // A kustomization is not an object: what it renders (with the real kustomize) is checked.
    const text = file.endsWith('/kustomization.yaml')
      ? execFileSync('kubectl', ['kustomize', join(REPO_ROOT, dirname(file))], { encoding: 'utf8' })
      : readFileSync(join(REPO_ROOT, file), 'utf8');
    const results = await checkSchemas(text);
    expect(results.length).toBeGreaterThan(0);
    expect(results.filter((result) => result.status !== 'valid')).toEqual([]);
  });

  it('rejects an unknown Argo CD syncPolicy field', async () => {
    const app = readFileSync(join(REPO_ROOT, 'clusters/argocd/triage-dev.yaml'), 'utf8').replace(
      '      selfHeal: true',
      '      selfHeal: true\n      selfHael: true',
    );
    const [result] = await checkSchemas(app);
    expect(result?.errors).toEqual([
      {
        path: ['spec', 'syncPolicy', 'automated', 'selfHael'],
        message: "unknown field 'selfHael' (additional property not allowed)",
      },
    ]);
  });

  it('rejects a Flux Kustomization without prune', async () => {
    const text = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: triage, namespace: flux-system}
spec:
  interval: 5m
  path: ./overlays/dev
  sourceRef: {kind: GitRepository, name: triage-gitops}
`;
    const [result] = await checkSchemas(text);
    expect(result?.status).toBe('invalid');
    expect(result?.errors).toEqual([{ path: ['spec'], message: "missing property 'prune'" }]);
  });

  it('rejects a Flux GitRepository interval that is not a duration', async () => {
    const text = `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: triage-gitops, namespace: flux-system}
spec:
  interval: every minute
  url: https://github.com/contoso/triage-gitops.git
`;
    const [result] = await checkSchemas(text);
    expect(result?.status).toBe('invalid');
    expect(result?.errors.map((error) => error.path)).toEqual([['spec', 'interval']]);
  });
});

describe('schemas/crds catalogue', () => {
  const root = join(REPO_ROOT, 'schemas', 'crds');
  const schemaFiles = readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.json'))
    .map((file) => relative(root, join(root, file)));

  it('holds the CRDs this repository uses', () => {
    expect(schemaFiles.sort()).toEqual([
      'argoproj.io/application_v1alpha1.json',
      'kustomize.toolkit.fluxcd.io/kustomization_v1.json',
      'secrets-store.csi.x-k8s.io/secretproviderclass_v1.json',
      'source.toolkit.fluxcd.io/gitrepository_v1.json',
    ]);
  });

  it.each(schemaFiles)(
    '%s is named for the template, says where it comes from and is strict at the root',
    (file) => {
      expect(file).toMatch(/^[a-z0-9.-]+\/[a-z0-9]+_v[0-9a-z]+\.json$/);
      const schema = JSON.parse(readFileSync(join(root, file), 'utf8'));
      expect(schema.description).toMatch(/openAPIV3Schema/);
      expect(schema.additionalProperties).toBe(false);
      expect(schema.properties.spec.additionalProperties).toBe(false);
    },
  );
});

function fluxFiles(): string[] {
  const root = join(REPO_ROOT, 'clusters', 'flux');
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => `clusters/flux/${file}`)
    .sort();
}
