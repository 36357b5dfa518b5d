import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CONFIG_SCHEMA_PATH, configSchemaText } from '../../scripts/config/schema.js';
import { type JsonObject, type Resource, toResource } from '../../scripts/core/resource.js';
import { RULES_DOC_PATH, rulesMarkdown } from '../../scripts/docs/generate-rules.js';
import { PACKAGE_ROOT } from '../../scripts/lib/repo.js';
import { policies, ruleCatalogue } from '../../scripts/policies/index.js';
import type { Policy } from '../../scripts/policies/types.js';
import { policyCases } from './cases/index.js';
import { runPolicy } from './harness.js';

const POLICY_DIR = join(PACKAGE_ROOT, 'scripts', 'policies');
const byId = (id: string) => policyCases.find((table) => table.policy.id === id);

function placeholders(template: string): string[] {
  return [...template.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((match) => match[1] as string);
}

/** A docs example as rendered objects. */
function exampleResources(text: string): Resource[] {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as JsonObject | null)
    .filter((body): body is JsonObject => body !== null)
    .map((body, index) => toResource(body, index));
}

describe('the policy index', () => {
  it('lists every policy file once, sorted by id', () => {
    const files = readdirSync(POLICY_DIR)
      .filter(
        (name) => name.endsWith('.ts') && !['index.ts', 'types.ts', 'context.ts', 'list.ts'].includes(name),
      )
      .map((name) => name.replace(/\.ts$/, ''))
      .sort();
    const ids = policies.map((policy) => policy.id);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(files);
  });

  it('has one case table per policy, in the same order', () => {
    expect(policyCases.map((table) => table.policy.id)).toEqual(policies.map((policy) => policy.id));
  });
});

describe.each(policies.map((policy) => [policy.id, policy] as const))('%s', (id, policy: Policy) => {
  it('is documented: one-sentence description, remediation, rationale, examples', () => {
    expect(policy.description).toMatch(/^[A-Z].*\.$/);
    expect(policy.description).not.toMatch(/\.\s+[A-Z]/);
    expect(policy.remediation.length).toBeGreaterThan(20);
    expect(policy.docs.rationale.length).toBeGreaterThan(40);
    expect(policy.docs.failing.trim()).not.toBe('');
    expect(policy.docs.passing.trim()).not.toBe('');
    expect(policy.kinds.length).toBeGreaterThan(0);
  });

  it('has messages that do not repeat the rule id, and valid warning-only ids', () => {
    expect(Object.keys(policy.messages).length).toBeGreaterThan(0);
    for (const text of Object.values(policy.messages)) expect(text.toLowerCase()).not.toContain(id);
    for (const messageId of policy.warningOnly ?? [])
      expect(Object.keys(policy.messages)).toContain(messageId);
  });

  it('has option defaults (and per-env defaults) that satisfy their schemas', () => {
    const ajv = new Ajv({ strict: false });
    ajv.addFormat('regex', true);
    for (const [name, spec] of Object.entries(policy.options)) {
      expect(spec.description, name).not.toBe('');
      const validate = ajv.compile(spec.schema);
      for (const value of [spec.default, ...Object.values(spec.envDefaults ?? {})]) {
        expect(validate(value), `${name}: ${JSON.stringify(value)}`).toBe(true);
      }
    }
  });

  it('has a case that fires and one that does not, and every message is exercised', () => {
    const table = byId(id);
    expect(table).toBeDefined();
    expect(table?.valid.length).toBeGreaterThan(0);
    expect(table?.invalid.length).toBeGreaterThan(0);
    const used = new Set(table?.invalid.flatMap((each) => each.errors.map((error) => error.messageId)));
    expect([...used].sort()).toEqual(Object.keys(policy.messages).sort());
    expect(table?.invalid.some((each) => each.located !== undefined)).toBe(true);
  });

  it('fills every placeholder it declares in the expected data', () => {
    for (const each of byId(id)?.invalid ?? []) {
      for (const error of each.errors) {
        const declared = placeholders(policy.messages[error.messageId] ?? '');
        for (const key of Object.keys(error.data ?? {}))
          expect(declared, `${error.messageId}.${key}`).toContain(key);
      }
    }
  });

  it('documents examples that are true: the failing one fires in prod, the passing one does not', async () => {
    const failing = exampleResources(policy.docs.failing);
    const passing = exampleResources(policy.docs.passing);
    const init = { env: 'prod', overlay: 'overlays/prod' };
    const fired = await runPolicy(policy, failing, init);
    expect(fired.length, 'failing example').toBeGreaterThan(0);
    expect(
      (await runPolicy(policy, passing, init)).map((each) => each.message),
      'passing example',
    ).toEqual([]);
  });
});

describe('generated files', () => {
  it(`${RULES_DOC_PATH} is what scripts/docs/generate-rules.ts generates`, () => {
    expect(readFileSync(join(PACKAGE_ROOT, RULES_DOC_PATH), 'utf8')).toBe(rulesMarkdown());
  });

  it(`${CONFIG_SCHEMA_PATH} is what scripts/docs/generate-rules.ts generates (and what the loader validates with)`, () => {
    // Compared as data: the file is the same JSON, laid out by biome.
    expect(JSON.parse(readFileSync(join(PACKAGE_ROOT, CONFIG_SCHEMA_PATH), 'utf8'))).toEqual(
      JSON.parse(configSchemaText(ruleCatalogue)),
    );
  });

  it('documents every rule and every message id', () => {
    const doc = rulesMarkdown();
    for (const policy of policies) {
      expect(doc).toContain(`## ${policy.id}\n`);
      for (const messageId of Object.keys(policy.messages)) expect(doc).toContain(`\`${messageId}\``);
    }
  });
});
