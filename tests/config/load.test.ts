import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../scripts/config/load.js';
import { ExitError } from '../../scripts/lib/exit-error.js';
import { PACKAGE_ROOT } from '../../scripts/lib/repo.js';
import { ruleCatalogue } from '../../scripts/policies/index.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A repository root with validate.config.yaml holding `text`, and overlays/dev and overlays/prod. */
function repoWith(text: string | undefined): string {
  const root = mkdtempSync(join(tmpdir(), 'config-'));
  roots.push(root);
  for (const env of ['dev', 'prod']) mkdirSync(join(root, 'overlays', env), { recursive: true });
  if (text !== undefined) writeFileSync(join(root, 'validate.config.yaml'), text);
  return root;
}

/** The ExitError loadConfig throws, formatted as the CLI prints it (`file:line:col: message`). */
function failure(text: string): string {
  const root = repoWith(text);
  try {
    loadConfig(undefined, root, { rules: ruleCatalogue });
  } catch (error) {
    expect(error).toBeInstanceOf(ExitError);
    expect((error as ExitError).code).toBe(2);
    return (error as ExitError).format();
  }
  throw new Error('loadConfig accepted the config');
}

describe('loadConfig', () => {
  it('loads the repository’s own validate.config.yaml without warnings', () => {
    const { config, warnings } = loadConfig(undefined, PACKAGE_ROOT, { rules: ruleCatalogue });
    expect(warnings).toEqual([]);
    expect(config.file).toBe('validate.config.yaml');
    expect(config.environments).toEqual({ 'overlays/dev': 'dev', 'overlays/prod': 'prod' });
    expect(config.env.prod?.rules['image-pinned']).toEqual({ options: { requireDigest: true } });
  });

  it('uses the built-in defaults when there is no config file', () => {
    const { config, warnings } = loadConfig(undefined, repoWith(undefined), { rules: ruleCatalogue });
    expect(config).toEqual({
      environments: {},
      rules: {},
      env: {},
      suppressions: [],
      schema: { locations: [] },
    });
    expect(warnings).toEqual([]);
  });

  it('fails when an explicitly named config file does not exist', () => {
    const root = repoWith(undefined);
    expect(() => loadConfig('other.yaml', root, { rules: ruleCatalogue })).toThrow(/no such config file/);
  });

  it('names a config path that is a directory as such, relative to the repository', () => {
    const root = repoWith(undefined);
    mkdirSync(join(root, 'conf'));
    expect(() => loadConfig(join(root, 'conf'), root, { rules: ruleCatalogue })).toThrow(
      expect.objectContaining({ message: 'is a directory, not a config file', location: { file: 'conf' } }),
    );
  });

  it('normalises shorthand severities, overlay paths and suppressions', () => {
    const root = repoWith(`environments:
  ./overlays/prod/: production
rules:
  probes: warning
  hpa-bounds:
    options:
      minReplicas: 3
env:
  dev:
    rules:
      security-context: off
suppressions:
  - rule: probes
    kind: Deployment
    name: triage-backend
    overlay: ./overlays/dev
    reason: "  No health endpoint until 1.5.  "
    expires: 2030-01-31
schema:
  kubernetesVersion: "1.31.0"
  locations: [default]
`);
    const { config } = loadConfig(undefined, root, { rules: ruleCatalogue });
    expect(config.environments).toEqual({ 'overlays/prod': 'production' });
    expect(config.rules).toEqual({
      probes: { severity: 'warning' },
      'hpa-bounds': { options: { minReplicas: 3 } },
    });
    expect(config.env).toEqual({ dev: { rules: { 'security-context': { severity: 'off' } } } });
    expect(config.suppressions).toEqual([
      {
        rule: 'probes',
        kind: 'Deployment',
        name: 'triage-backend',
        overlay: 'overlays/dev',
        reason: 'No health endpoint until 1.5.',
        expires: '2030-01-31',
        line: 13,
      },
    ]);
    expect(config.schema).toEqual({ kubernetesVersion: '1.31.0', locations: ['default'] });
  });

  it('rejects an unknown rule id, naming its path and line', () => {
    expect(failure('rules:\n  probes: warning\n  hpa-bound: error\n')).toBe(
      'validate.config.yaml:3:3: rules.hpa-bound: unknown rule id "hpa-bound" (see docs/rules.md)',
    );
  });

  it('rejects an unknown rule id under env.<name>.rules', () => {
    expect(failure('env:\n  prod:\n    rules:\n      no-such-rule: off\n')).toBe(
      'validate.config.yaml:4:7: env.prod.rules.no-such-rule: unknown rule id "no-such-rule" (see docs/rules.md)',
    );
  });

  it('rejects an option of the wrong type, naming the dotted path and line', () => {
    expect(failure('rules:\n  hpa-bounds:\n    options:\n      minReplicas: two\n')).toBe(
      'validate.config.yaml:4:20: rules.hpa-bounds.options.minReplicas: must be integer',
    );
  });

  it('rejects an unknown option', () => {
    expect(failure('rules:\n  hpa-bounds:\n    options:\n      floor: 2\n')).toBe(
      'validate.config.yaml:4:7: rules.hpa-bounds.options.floor: unknown option "floor" of rule hpa-bounds',
    );
  });

  it('rejects a severity that does not exist', () => {
    expect(failure('rules:\n  probes: fatal\n')).toBe(
      'validate.config.yaml:2:11: rules.probes: must be one of error, warning, off',
    );
  });

  it('rejects an invalid regular expression option', () => {
    expect(
      failure('rules:\n  secret-in-config:\n    options:\n      ignoreKeyPatterns: ["(unclosed"]\n'),
    ).toMatch(
      /^validate\.config\.yaml:4:\d+: rules\.secret-in-config\.options\.ignoreKeyPatterns\[0\]: is not a usable regular expression: missing closing \)/,
    );
  });

  it('rejects a suppression without a reason', () => {
    expect(failure('suppressions:\n  - rule: probes\n    kind: Deployment\n    name: triage-backend\n')).toBe(
      'validate.config.yaml:2:5: suppressions[0].reason: is required',
    );
    expect(
      failure('suppressions:\n  - rule: probes\n    kind: Deployment\n    name: x\n    reason: "   "\n'),
    ).toBe('validate.config.yaml:5:13: suppressions[0].reason: must give a reason');
  });

  it('rejects a suppression of an unknown rule and a date that does not exist', () => {
    expect(
      failure('suppressions:\n  - rule: probe\n    kind: Deployment\n    name: x\n    reason: r\n'),
    ).toBe('validate.config.yaml:2:11: suppressions[0].rule: unknown rule id "probe" (see docs/rules.md)');
    expect(
      failure(
        'suppressions:\n  - rule: probes\n    kind: Deployment\n    name: x\n    reason: r\n    expires: 2030-02-30\n',
      ),
    ).toBe('validate.config.yaml:6:14: suppressions[0].expires: must be a date written YYYY-MM-DD');
  });

  it('rejects unknown top-level keys and YAML errors with their line', () => {
    expect(failure('rule:\n  probes: off\n')).toBe('validate.config.yaml:1:1: rule: unknown key "rule"');
    expect(failure('rules:\n  probes: [\n')).toMatch(/^validate\.config\.yaml:\d+:\d+: invalid YAML/);
    expect(failure('rules: {}\n---\nrules: {}\n')).toBe(
      'validate.config.yaml:2:1: holds more than one YAML document',
    );
  });

  it('warns about expired suppressions and environments without a directory', () => {
    const root = repoWith(`environments:
  overlays/stage: stage
suppressions:
  - rule: probes
    kind: Deployment
    name: triage-backend
    reason: Waiting for the health endpoint.
    expires: 2024-01-31
`);
    const { warnings } = loadConfig(undefined, root, {
      rules: ruleCatalogue,
      today: new Date('2025-06-01T12:00:00Z'),
    });
    expect(warnings).toEqual([
      'validate.config.yaml: environments.overlays/stage: no such directory',
      'validate.config.yaml:4: suppressions[0] (probes on Deployment triage-backend) expired on 2024-01-31 and no longer applies; renew it with a reason or remove it',
    ]);
  });
});
