import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { getPath, type JsonObject, type Resource } from '../../scripts/core/resource.js';
import { PACKAGE_ROOT } from '../../scripts/lib/repo.js';
import { parseRenderedStream } from '../../scripts/render/parse.js';
import { findKustomizeCli } from '../../scripts/render/tools.js';

const ENVIRONMENTS = ['dev', 'prod'] as const;

/** Renders an overlay of this repository with the real kustomize, keeping stderr to catch warnings. */
async function render(env: string): Promise<{ resources: Resource[]; stderr: string }> {
  const engine = await findKustomizeCli();
  const [command, ...args] = engine.command;
  const result = spawnSync(command as string, [...args, join(PACKAGE_ROOT, 'overlays', env)], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(result.status, result.stderr).toBe(0);
  return {
    resources: parseRenderedStream(result.stdout, `overlays/${env}`).resources,
    stderr: result.stderr,
  };
}

function one(resources: Resource[], kind: string): Resource {
  const found = resources.filter((each) => each.kind === kind);
  expect(
    found.map((each) => each.name),
    `exactly one ${kind}`,
  ).toHaveLength(1);
  return found[0] as Resource;
}

describe.each(ENVIRONMENTS)('overlays/%s renders what the cluster needs', (env) => {
  let resources: Resource[];
  let stderr: string;
  beforeAll(async () => {
    ({ resources, stderr } = await render(env));
  });

  it('renders with kustomize v5 without warnings', () => {
    expect(stderr).toBe('');
    expect(resources.length).toBeGreaterThan(5);
  });

  it('the HPA targets the Deployment that is rendered, on CPU utilization, with explicit behavior', () => {
    const hpa = one(resources, 'HorizontalPodAutoscaler');
    const deployment = one(resources, 'Deployment');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(getPath(hpa.body, ['spec', 'scaleTargetRef'])).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment.name,
    });
    expect(hpa.namespace).toBe(deployment.namespace);
    expect(getPath(hpa.body, ['spec', 'metrics', 0, 'resource', 'name'])).toBe('cpu');
    expect(getPath(hpa.body, ['spec', 'behavior', 'scaleDown', 'stabilizationWindowSeconds'])).toBeTypeOf(
      'number',
    );
  });

  it('the Deployment has CPU and memory requests, a memory limit, probes, and no spec.replicas', () => {
    const deployment = one(resources, 'Deployment');
    expect(getPath(deployment.body, ['spec', 'replicas'])).toBeUndefined();
    const container = getPath(deployment.body, ['spec', 'template', 'spec', 'containers', 0]) as JsonObject;
    expect(getPath(container, ['resources', 'requests', 'cpu'])).toBeTruthy();
    expect(getPath(container, ['resources', 'requests', 'memory'])).toBeTruthy();
    expect(getPath(container, ['resources', 'limits', 'memory'])).toBeTruthy();
    expect(getPath(container, ['readinessProbe', 'httpGet', 'port'])).toBe('http');
    expect(getPath(container, ['livenessProbe', 'httpGet', 'port'])).toBe('http');
    expect(getPath(container, ['securityContext'])).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(getPath(deployment.body, ['spec', 'template', 'spec', 'securityContext'])).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(String(container.image)).toMatch(/^triageacr\.azurecr\.io\/triage-backend:\d+\.\d+\.\d+/);
  });

  it('the ConfigMap carries the model deployment name, and the pod reads it', () => {
    const configMap = one(resources, 'ConfigMap');
    expect(configMap.name).toMatch(/^triage-config-[a-z0-9]{10}$/);
    expect(getPath(configMap.body, ['data', 'MODEL_DEPLOYMENT_NAME'])).toBe('gpt-4.1-mini');
    const deployment = one(resources, 'Deployment');
    const envFrom = getPath(deployment.body, ['spec', 'template', 'spec', 'containers', 0, 'envFrom']);
    expect(envFrom).toContainEqual({ configMapRef: { name: configMap.name } });
  });

  it('the PodDisruptionBudget leaves pods to serve at the HPA minimum', () => {
    const pdb = one(resources, 'PodDisruptionBudget');
    const hpa = one(resources, 'HorizontalPodAutoscaler');
    expect(getPath(pdb.body, ['spec', 'maxUnavailable'])).toBe(1);
    expect(Number(getPath(hpa.body, ['spec', 'minReplicas']))).toBeGreaterThanOrEqual(2);
  });
});

describe('dev and prod differ where they must', () => {
  let dev: Resource[];
  let prod: Resource[];
  beforeAll(async () => {
    dev = (await render('dev')).resources;
    prod = (await render('prod')).resources;
  });

  it('dev has the placeholder Secret only, and the workshop HPA (2–10 at 10% CPU)', () => {
    const secret = one(dev, 'Secret');
    for (const value of Object.values((secret.body.data ?? {}) as Record<string, string>)) {
      expect(Buffer.from(value, 'base64').toString()).toBe('<set-by-pipeline>');
    }
    const hpa = one(dev, 'HorizontalPodAutoscaler');
    expect(getPath(hpa.body, ['spec', 'minReplicas'])).toBe(2);
    expect(getPath(hpa.body, ['spec', 'maxReplicas'])).toBe(10);
    expect(getPath(hpa.body, ['spec', 'metrics', 0, 'resource', 'target', 'averageUtilization'])).toBe(10);
  });

  it('prod renders no Secret: a SecretProviderClass syncs it from Key Vault through the mounted CSI volume', () => {
    expect(prod.filter((each) => each.kind === 'Secret')).toEqual([]);
    const spc = one(prod, 'SecretProviderClass');
    expect(spc.apiVersion).toBe('secrets-store.csi.x-k8s.io/v1');
    expect(spc.namespace).toBe('triage');
    const spec = spc.body.spec as JsonObject;
    expect(spec.provider).toBe('azure');
    const parameters = spec.parameters as Record<string, unknown>;
    for (const key of ['clientID', 'keyvaultName', 'tenantId', 'objects'])
      expect(typeof parameters[key]).toBe('string');
    expect(parameters.usePodIdentity).toBe('false');
    expect(getPath(spc.body, ['spec', 'secretObjects', 0, 'secretName'])).toBe('triage-secrets');

    const deployment = one(prod, 'Deployment');
    const template = deployment.body.spec as JsonObject;
    expect(getPath(template, ['template', 'metadata', 'labels', 'azure.workload.identity/use'])).toBe('true');
    const volumes = getPath(template, ['template', 'spec', 'volumes']) as JsonObject[];
    expect(volumes).toContainEqual({
      name: 'keyvault-secrets',
      csi: {
        driver: 'secrets-store.csi.k8s.io',
        readOnly: true,
        volumeAttributes: { secretProviderClass: spc.name },
      },
    });
    const mounts = getPath(template, ['template', 'spec', 'containers', 0, 'volumeMounts']) as JsonObject[];
    expect(mounts).toContainEqual({
      name: 'keyvault-secrets',
      mountPath: '/mnt/secrets-store',
      readOnly: true,
    });
    const envFrom = getPath(template, ['template', 'spec', 'containers', 0, 'envFrom']);
    expect(envFrom).toContainEqual({ secretRef: { name: 'triage-secrets' } });
    const serviceAccount = one(prod, 'ServiceAccount');
    expect(
      getPath(serviceAccount.body, ['metadata', 'annotations', 'azure.workload.identity/client-id']),
    ).toBe(parameters.clientID);
  });

  it('prod pins the image by digest and sizes the HPA for production', () => {
    const image = String(
      getPath(one(prod, 'Deployment').body, ['spec', 'template', 'spec', 'containers', 0, 'image']),
    );
    expect(image).toMatch(/@sha256:[0-9a-f]{64}$/);
    const hpa = one(prod, 'HorizontalPodAutoscaler');
    expect(getPath(hpa.body, ['spec', 'minReplicas'])).toBe(3);
    const target = Number(
      getPath(hpa.body, ['spec', 'metrics', 0, 'resource', 'target', 'averageUtilization']),
    );
    expect(target).toBeGreaterThanOrEqual(50);
    expect(target).toBeLessThanOrEqual(85);
  });
});

describe('the GitOps controllers point at overlays that exist', () => {
  function documentsUnder(dir: string): JsonObject[] {
    const found = spawnSync('find', [join(PACKAGE_ROOT, dir), '-name', '*.yaml'], { encoding: 'utf8' })
      .stdout.trim()
      .split('\n');
    return found.flatMap((file) =>
      parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => doc.toJS() as JsonObject),
    );
  }

  it.each(ENVIRONMENTS)(
    'an Argo CD Application syncs overlays/%s with prune, selfHeal and the HPA-owned replicas ignored',
    (env) => {
      const app = documentsUnder('clusters/argocd').find(
        (doc) => getPath(doc, ['metadata', 'name']) === `triage-${env}`,
      );
      expect(app?.kind).toBe('Application');
      const path = String(getPath(app, ['spec', 'source', 'path']));
      expect(path).toBe(`overlays/${env}`);
      expect(existsSync(join(PACKAGE_ROOT, path, 'kustomization.yaml'))).toBe(true);
      expect(getPath(app, ['spec', 'syncPolicy', 'automated'])).toMatchObject({
        prune: true,
        selfHeal: true,
      });
      expect(getPath(app, ['spec', 'syncPolicy', 'syncOptions'])).toContain('RespectIgnoreDifferences=true');
      expect(getPath(app, ['spec', 'ignoreDifferences'])).toContainEqual({
        group: 'apps',
        kind: 'Deployment',
        jsonPointers: ['/spec/replicas'],
      });
    },
  );

  it.each(ENVIRONMENTS)('a Flux GitRepository and Kustomization sync overlays/%s', (env) => {
    const docs = documentsUnder(`clusters/flux/${env}`);
    const kustomization = docs.find((doc) => doc.kind === 'Kustomization');
    const repository = docs.find((doc) => doc.kind === 'GitRepository');
    expect(kustomization?.apiVersion).toBe('kustomize.toolkit.fluxcd.io/v1');
    expect(repository?.apiVersion).toBe('source.toolkit.fluxcd.io/v1');
    const path = String(getPath(kustomization, ['spec', 'path']));
    expect(existsSync(join(PACKAGE_ROOT, path, 'kustomization.yaml'))).toBe(true);
    expect(path.replace(/^\.\//, '')).toBe(`overlays/${env}`);
    expect(getPath(kustomization, ['spec', 'sourceRef', 'name'])).toBe(
      getPath(repository, ['metadata', 'name']),
    );
    expect(getPath(kustomization, ['spec', 'prune'])).toBe(true);
  });
});
