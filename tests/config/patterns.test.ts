import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../scripts/config/load.js';
import { ruleSettings } from '../../scripts/config/settings.js';
import { toResource } from '../../scripts/core/resource.js';
import { ExitError } from '../../scripts/lib/exit-error.js';
import { compileConfigPattern, MAX_PATTERN_LENGTH, patternProblem } from '../../scripts/lib/patterns.js';
import { createPolicyContext } from '../../scripts/policies/context.js';
import { ruleCatalogue } from '../../scripts/policies/index.js';
import { secretInConfigPolicy } from '../../scripts/policies/secret-in-config.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function repoWith(text: string): string {
  const root = mkdtempSync(join(tmpdir(), 'patterns-'));
  roots.push(root);
  writeFileSync(join(root, 'validate.config.yaml'), text);
  return root;
}

/** The message the CLI prints for a rejected config (`file:line:col: message`). */
function failure(text: string): string {
  try {
    loadConfig(undefined, repoWith(text), { rules: ruleCatalogue });
  } catch (error) {
    expect(error).toBeInstanceOf(ExitError);
    expect((error as ExitError).code).toBe(2);
    return (error as ExitError).format();
  }
  throw new Error('loadConfig accepted the config');
}

const placeholders = (...patterns: string[]) =>
  `rules:\n  secret-in-config:\n    options:\n      extraPlaceholders:\n${patterns
    .map((pattern) => `        - ${JSON.stringify(pattern)}\n`)
    .join('')}`;

describe('compileConfigPattern', () => {
  it('matches like a RegExp: unanchored, case-insensitive with i, with anchors and groups', () => {
    const key = compileConfigPattern('api[_.-]?key', 'i');
    expect(key).toBeInstanceOf(RegExp);
    expect(key.test('AZURE_API_KEY')).toBe(true);
    expect(key.test('apikey')).toBe(true);
    expect(key.test('api key')).toBe(false);
    expect(compileConfigPattern('api[_.-]?key').test('API_KEY')).toBe(false);
    const anchored = compileConfigPattern('(^|[_./-])key$', 'i');
    expect(anchored.test('storage.key')).toBe(true);
    expect(anchored.test('keys')).toBe(false);
    const match = compileConfigPattern('s(e+)cret').exec('my-seeecret');
    expect([match?.[0], match?.[1], match?.index]).toEqual(['seeecret', 'eee', 3]);
    expect('a-secret'.replace(compileConfigPattern('secret'), 'x')).toBe('a-x');
  });

  it('compiles every built-in pattern option of every rule', () => {
    let checked = 0;
    for (const rule of ruleCatalogue) {
      for (const spec of Object.values(rule.options)) {
        if ((spec.schema.items as { format?: string } | undefined)?.format !== 'regex') continue;
        for (const pattern of spec.default as string[]) {
          expect(patternProblem(pattern, 'i'), `${rule.id}: ${pattern}`).toBeUndefined();
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('says why a pattern cannot be used', () => {
    expect(patternProblem('(a)\\1')).toMatch(/^backreferences .* are not supported/);
    expect(patternProblem('(?<n>a)\\k<n>')).toMatch(/^backreferences/);
    expect(patternProblem('foo(?=bar)')).toMatch(/^lookahead and lookbehind/);
    expect(patternProblem('(?<!x)y')).toMatch(/^lookahead and lookbehind/);
    expect(patternProblem('(unclosed')).toMatch(/missing closing \)/);
    expect(patternProblem('a'.repeat(MAX_PATTERN_LENGTH + 1))).toBe(
      `it is ${MAX_PATTERN_LENGTH + 1} characters long; at most ${MAX_PATTERN_LENGTH} are allowed`,
    );
    expect(patternProblem('(x{1000}){1000}')).toBeDefined();
    // An escaped backslash before a digit is a literal, not a backreference.
    expect(patternProblem('a\\\\1')).toBeUndefined();
    expect(() => compileConfigPattern('(a)\\1')).toThrow(
      /is not a usable regular expression: backreferences/,
    );
  });

  it('matches the nested-quantifier bomb in well under a second', () => {
    const bomb = compileConfigPattern('^(a+)+$', 'i');
    const started = performance.now();
    const miss = bomb.test(`${'a'.repeat(40)}!`);
    const hit = bomb.test('a'.repeat(40));
    const elapsed = performance.now() - started;
    expect([miss, hit]).toEqual([false, true]);
    expect(elapsed).toBeLessThan(1000);
  });

  it('refuses split, which would copy the pattern into a backtracking RegExp', () => {
    expect(() => 'a,b'.split(compileConfigPattern(','))).toThrow(/split is not supported/);
  });
});

describe('secret-in-config with a config-supplied placeholder bomb', () => {
  it('checks the value in well under a second, with the right verdict', async () => {
    const root = repoWith(placeholders('^(a+)+$'));
    const { config } = loadConfig(undefined, root, { rules: ruleCatalogue });
    const { options } = ruleSettings(config, secretInConfigPolicy, 'dev');
    const configMap = (value: string) =>
      toResource(
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'app', namespace: 'triage' },
          data: { API_KEY: value },
        },
        0,
      );
    const run = async (value: string) => {
      const resource = configMap(value);
      const ctx = createPolicyContext([resource], { env: 'dev', overlay: 'overlays/dev', options });
      return (await secretInConfigPolicy.check(resource, ctx)).map((finding) => finding.messageId);
    };
    await run('warm-up value'); // secretlint loads its rules on first use: not what is timed here
    const started = performance.now();
    const notPlaceholder = await run(`${'a'.repeat(40)}!`);
    const placeholder = await run('a'.repeat(40));
    const elapsed = performance.now() - started;
    expect(notPlaceholder).toEqual(['credentialName']);
    expect(placeholder).toEqual([]);
    expect(elapsed).toBeLessThan(1000);
  });
});

describe('config patterns rejected at load', () => {
  it('names the file, the line and the pattern’s path for a backreference', () => {
    expect(failure(placeholders('^ok$', '(a)\\1'))).toBe(
      'validate.config.yaml:6:11: rules.secret-in-config.options.extraPlaceholders[1]: is not a usable regular expression: ' +
        'backreferences (\\1, \\k<name>) are not supported: patterns run on a linear-time engine (RE2 syntax)',
    );
  });

  it('names the file and line for a lookaround, also under env.<name>.rules', () => {
    expect(
      failure(
        'env:\n  prod:\n    rules:\n      no-plaintext-secret:\n        options:\n          extraPlaceholders:\n            - "^(?!real).*$"\n',
      ),
    ).toMatch(
      /^validate\.config\.yaml:7:15: env\.prod\.rules\.no-plaintext-secret\.options\.extraPlaceholders\[0\]: is not a usable regular expression: lookahead and lookbehind/,
    );
  });

  it('rejects a pattern longer than the limit', () => {
    expect(failure(placeholders('a'.repeat(MAX_PATTERN_LENGTH + 1)))).toMatch(
      new RegExp(
        `^validate\\.config\\.yaml:5:11: rules\\.secret-in-config\\.options\\.extraPlaceholders\\[0\\]: .*at most ${MAX_PATTERN_LENGTH}`,
      ),
    );
  });

  it('accepts a nested quantifier, since it runs in linear time', () => {
    const { config } = loadConfig(undefined, repoWith(placeholders('^(a+)+$')), { rules: ruleCatalogue });
    expect(config.rules['secret-in-config']?.options).toEqual({ extraPlaceholders: ['^(a+)+$'] });
  });
});
