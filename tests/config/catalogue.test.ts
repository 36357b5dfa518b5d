import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RuleCatalogue } from '../../scripts/config/catalogue.js';
import { loadConfig } from '../../scripts/config/load.js';
import { buildConfigSchema } from '../../scripts/config/schema.js';
import { knownRuleIds, ruleSettings } from '../../scripts/config/settings.js';
import { PACKAGE_ROOT } from '../../scripts/lib/repo.js';
import { policies, ruleCatalogue } from '../../scripts/policies/index.js';

const CONFIG_DIR = join(PACKAGE_ROOT, 'scripts', 'config');

/** A catalogue that is not the policies': proves config/ reads the one it is given. */
const ONE_RULE: RuleCatalogue = [
  {
    id: 'only-rule',
    description: 'A rule for this test.',
    defaultSeverity: 'warning',
    options: { limit: { description: 'A limit.', schema: { type: 'integer' }, default: 3 } },
  },
];

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function repoWith(text: string): string {
  const root = mkdtempSync(join(tmpdir(), 'catalogue-'));
  roots.push(root);
  writeFileSync(join(root, 'validate.config.yaml'), text);
  return root;
}

describe('config/ takes the rule catalogue from its caller', () => {
  it('imports nothing from policies/', () => {
    const files = readdirSync(CONFIG_DIR).filter((name) => name.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(3);
    for (const name of files) {
      const text = readFileSync(join(CONFIG_DIR, name), 'utf8');
      expect(text, name).not.toMatch(/from '\.\.\/policies\//);
    }
  });

  it('validates the config against the catalogue passed in', () => {
    const root = repoWith('rules:\n  only-rule:\n    severity: error\n    options:\n      limit: 5\n');
    const { config } = loadConfig(undefined, root, { rules: ONE_RULE });
    expect(ruleSettings(config, ONE_RULE[0] as RuleCatalogue[number], 'dev')).toEqual({
      severity: 'error',
      options: { limit: 5 },
    });
    // The same file is wrong for the real catalogue, and a real rule is wrong for this one.
    expect(() => loadConfig(undefined, root, { rules: ruleCatalogue })).toThrow(
      /unknown rule id "only-rule"/,
    );
    expect(() => loadConfig(undefined, repoWith('rules:\n  probes: off\n'), { rules: ONE_RULE })).toThrow(
      /unknown rule id "probes"/,
    );
  });

  it('builds the schema and the rule ids from the catalogue passed in', () => {
    const schema = buildConfigSchema(ONE_RULE) as { definitions: { rules: { properties: object } } };
    expect(Object.keys(schema.definitions.rules.properties)).toEqual(['only-rule']);
    expect(knownRuleIds(ONE_RULE)).toEqual(['only-rule']);
    expect(knownRuleIds(ruleCatalogue)).toEqual(
      ['schema', 'server', ...policies.map((policy) => policy.id)].sort(),
    );
  });
});
