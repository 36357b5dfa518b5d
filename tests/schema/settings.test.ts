import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CORE_SCHEMA_TEMPLATE,
  CRD_SCHEMA_TEMPLATE,
  DATREE_CATALOG_LOCATION,
  normalizeKubernetesVersion,
  PINS,
  REPO_ROOT,
  resolveSchemaLocations,
} from '../../scripts/schema/settings.js';
import { emptyDir } from './helpers.js';

describe('resolveSchemaLocations', () => {
  const withSchemas = (): string => {
    const cwd = emptyDir();
    mkdirSync(join(cwd, '.cache/schemas/kubernetes/v1.33.0-local-strict'), { recursive: true });
    return cwd;
  };
  const crds = (cwd: string): string => join(cwd, 'schemas/crds', CRD_SCHEMA_TEMPLATE);

  it('uses the offline copy, then the repository CRDs', () => {
    const cwd = withSchemas();
    expect(resolveSchemaLocations({ cwd, kubernetesVersion: '1.33.0', env: {} })).toEqual({
      locations: [join(cwd, '.cache/schemas/kubernetes', CORE_SCHEMA_TEMPLATE), crds(cwd)],
    });
  });

  it('says what is missing rather than going online unasked', () => {
    const cwd = emptyDir();
    expect(resolveSchemaLocations({ cwd, kubernetesVersion: '1.33.0', env: {} })).toEqual({
      missing: join(cwd, '.cache/schemas/kubernetes/v1.33.0-local-strict'),
    });
  });

  it('goes online only when asked, adding the datreeio catalogue after the repository CRDs', () => {
    const cwd = emptyDir();
    expect(
      resolveSchemaLocations({ cwd, kubernetesVersion: '1.33.0', env: { TRIAGE_SCHEMA_ONLINE: '1' } }),
    ).toEqual({
      locations: ['default', crds(cwd), DATREE_CATALOG_LOCATION],
    });
  });

  it('takes TRIAGE_SCHEMA_LOCATION, relative to the repository, over the offline copy', () => {
    const cwd = withSchemas();
    expect(
      resolveSchemaLocations({
        cwd,
        kubernetesVersion: '1.33.0',
        env: { TRIAGE_SCHEMA_LOCATION: 'vendor/k8s' },
      }),
    ).toEqual({ locations: [join(cwd, 'vendor/k8s'), crds(cwd)] });
  });

  it('takes explicit locations over the environment', () => {
    const cwd = withSchemas();
    const explicit = 'https://example.test/{{ .ResourceKind }}.json';
    expect(
      resolveSchemaLocations({
        cwd,
        kubernetesVersion: '1.33.0',
        schemaLocations: [explicit],
        env: { TRIAGE_SCHEMA_LOCATION: 'vendor/k8s' },
      }),
    ).toEqual({ locations: [explicit, crds(cwd)] });
  });
});

describe('versions', () => {
  it('normalises Kubernetes versions', () => {
    expect(normalizeKubernetesVersion('1.33')).toBe('1.33.0');
    expect(normalizeKubernetesVersion('v1.32.4')).toBe('1.32.4');
    expect(normalizeKubernetesVersion('master')).toBe('master');
  });

  it('pins kubeconform v0.7.0 and a Kubernetes version of 1.30 or later', () => {
    expect(PINS.kubeconform.version).toBe('v0.7.0');
    expect(PINS.kubeconform.sha256['linux-amd64']).toMatch(/^[0-9a-f]{64}$/);
    const [major, minor] = PINS.kubernetesVersion.split('.').map(Number);
    expect(major).toBe(1);
    expect(minor).toBeGreaterThanOrEqual(30);
  });

  it('keeps setup.sh reading its versions from pins.json, not from copies', () => {
    const setup = readFileSync(join(REPO_ROOT, 'scripts/setup.sh'), 'utf8');
    expect(setup).toContain('scripts/schema/pins.json');
    expect(setup).not.toContain(PINS.kubeconform.sha256['linux-amd64']);
    expect(setup).not.toContain(PINS.kubernetesValidate.sha256);
  });
});
