import { describe, expect, it } from 'vitest';
import { compileConfigPatterns } from '../../scripts/lib/patterns.js';
import { secretInConfigPolicy } from '../../scripts/policies/secret-in-config.js';

const defaults = secretInConfigPolicy.options?.credentialKeyPatterns?.default as string[];

describe('compileConfigPatterns with built-in patterns', () => {
  it("runs the rule's own defaults on JavaScript's engine, a config's other patterns on the linear one", () => {
    const [builtIn, configured] = compileConfigPatterns([defaults[0] as string, '(^|_)pin$'], 'i', defaults);
    expect(Object.getPrototypeOf(builtIn)).toBe(RegExp.prototype);
    expect(Object.getPrototypeOf(configured)).not.toBe(RegExp.prototype);
    expect(builtIn?.test('API_KEY')).toBe(true);
    expect(configured?.test('DB_PIN')).toBe(true);
  });

  it('trusts only an exact default: a crafted pattern stays linear-time', () => {
    const [bomb] = compileConfigPatterns(['^(a+)+$'], 'i', defaults);
    const started = performance.now();
    expect(bomb?.test(`${'a'.repeat(5000)}!`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('matches as the linear engine does for every default name pattern', () => {
    const names = [
      'API_KEY',
      'db_password',
      'github_Token',
      'TOKEN_URL',
      'SECRET_NAME',
      'LOG_LEVEL',
      'sas',
      'PWD',
    ];
    const native = compileConfigPatterns(defaults, 'i', defaults);
    const linear = compileConfigPatterns(defaults, 'i');
    for (const name of names) {
      expect(native.map((pattern) => pattern.test(name))).toEqual(
        linear.map((pattern) => pattern.test(name)),
      );
    }
  });
});
