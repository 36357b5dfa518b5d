import { describe, expect, it } from 'vitest';
import { policyCases } from './cases/index.js';
import { type ExpectedFinding, type FoundFinding, runCase, runEngine } from './harness.js';

function matches(found: FoundFinding, expected: ExpectedFinding): boolean {
  const object =
    typeof expected.object === 'string'
      ? found.object === expected.object
      : expected.object.test(found.object);
  if (!object || found.messageId !== expected.messageId || found.path !== expected.path) return false;
  return Object.entries(expected.data ?? {}).every(([key, value]) => found.data[key] === value);
}

function summary(found: readonly FoundFinding[]) {
  return found.map(({ messageId, object, path, data }) => ({ messageId, object, path, data }));
}

/** Every placeholder filled, and no secret value (or a fragment of one) in a message or in data. */
function expectWellFormed(found: readonly FoundFinding[], secrets: readonly string[] = []): void {
  for (const finding of found) {
    expect(finding.message, `unfilled placeholder in ${finding.message}`).not.toMatch(/\{\{/);
    const text = `${finding.message} ${JSON.stringify(finding.data)}`;
    for (const secret of secrets) {
      for (let i = 0; i + 8 <= secret.length; i += 4) expect(text).not.toContain(secret.slice(i, i + 8));
    }
  }
}

describe.each(policyCases.map((table) => [table.policy.id, table] as const))('%s', (_id, table) => {
  describe('valid', () => {
    it.concurrent.each(table.valid.map((each) => [each.name, each] as const))(
      '%s',
      async (_name, testCase) => {
        const found = await runCase(table.policy, testCase);
        expect(summary(found)).toEqual([]);
      },
    );
  });
  describe('invalid', () => {
    it.concurrent.each(table.invalid.map((each) => [each.name, each] as const))(
      '%s',
      async (_name, testCase) => {
        const found = await runCase(table.policy, testCase);
        expectWellFormed(found, testCase.secrets);
        const unmatched = [...found];
        const missing: ExpectedFinding[] = [];
        for (const expected of testCase.errors) {
          const index = unmatched.findIndex((each) => matches(each, expected));
          if (index >= 0) unmatched.splice(index, 1);
          else missing.push(expected);
        }
        expect({ missing, unexpected: summary(unmatched) }).toEqual({ missing: [], unexpected: [] });
      },
    );
  });
  const located = table.invalid.filter((each) => each.located !== undefined);
  describe.skipIf(located.length === 0)('located at the source by the engine', () => {
    it.concurrent.each(located.map((each) => [each.name, each] as const))('%s', async (_name, testCase) => {
      const findings = await runEngine(table.policy.id, testCase);
      const actual = findings
        .map((each) => `${each.messageId} ${each.location.file}:${each.location.line}`)
        .sort();
      expect(actual).toEqual([...(testCase.located ?? [])].sort());
    });
  });
});
