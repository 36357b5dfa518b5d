import { describe, expect, it } from 'vitest';
import { globMatches, globMatchesGenerated } from '../../scripts/config/glob.js';
import { findSuppression } from '../../scripts/config/suppressions.js';
import { defaultConfig, type ValidateConfig } from '../../scripts/config/types.js';

/** The semantics the matcher must keep: `*` is any run, everything else literal, whole string. */
function reference(glob: string, text: string): boolean {
  const parts = glob.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`, 's').test(text);
}

/** Every string over `alphabet` up to `length` characters. */
function strings(alphabet: string, length: number): string[] {
  const out = [''];
  let layer = [''];
  for (let n = 0; n < length; n++) {
    layer = layer.flatMap((prefix) => [...alphabet].map((char) => prefix + char));
    out.push(...layer);
  }
  return out;
}

describe('globMatches', () => {
  it('matches whole names, with * for any run of characters', () => {
    expect(globMatches('triage-backend', 'triage-backend')).toBe(true);
    expect(globMatches('triage-backend', 'prod-triage-backend')).toBe(false);
    expect(globMatches('*-backend', 'prod-triage-backend')).toBe(true);
    expect(globMatches('triage-*', 'triage-')).toBe(true);
    expect(globMatches('triage-*', 'triage')).toBe(false);
    expect(globMatches('*', '')).toBe(true);
    expect(globMatches('', '')).toBe(true);
    expect(globMatches('', 'a')).toBe(false);
    expect(globMatches('a*b*c', 'abbbc')).toBe(true);
    expect(globMatches('a*b*c', 'acb')).toBe(false);
  });

  it('treats regular-expression characters and ? as literal', () => {
    expect(globMatches('a.b', 'a.b')).toBe(true);
    expect(globMatches('a.b', 'axb')).toBe(false);
    expect(globMatches('a?c', 'abc')).toBe(false);
    expect(globMatches('a?c', 'a?c')).toBe(true);
    expect(globMatches('[x]+', '[x]+')).toBe(true);
    expect(globMatches('[x]+', 'xx')).toBe(false);
  });

  it('agrees with the regular-expression definition on every short glob and name', () => {
    const globs = strings('ab*', 5);
    const names = strings('ab', 6);
    let compared = 0;
    for (const glob of globs) {
      for (const name of names) {
        if (globMatches(glob, name) !== reference(glob, name)) {
          throw new Error(`globMatches(${JSON.stringify(glob)}, ${JSON.stringify(name)}) disagrees`);
        }
        compared++;
      }
    }
    expect(compared).toBe(globs.length * names.length);
  });

  it('answers a 16-star glob against a 60-character name in well under a second', () => {
    const glob = `${'*a'.repeat(15)}*b`;
    expect(glob.split('*').length - 1).toBe(16);
    const started = performance.now();
    const miss = globMatches(glob, 'a'.repeat(60));
    const hit = globMatches(glob, `${'a'.repeat(59)}b`);
    const elapsed = performance.now() - started;
    expect([miss, hit]).toEqual([false, true]);
    expect(elapsed).toBeLessThan(1000);
  });
});

describe('globMatchesGenerated', () => {
  it('matches a generated name: the glob, then kustomize’s 10-character hash', () => {
    expect(globMatchesGenerated('triage-config', 'triage-config-7t2h8m9k4b')).toBe(true);
    expect(globMatchesGenerated('triage-*', 'triage-config-7t2h8m9k4b')).toBe(true);
    expect(globMatchesGenerated('triage-config', 'triage-config-7t2h8m9k4')).toBe(false);
    expect(globMatchesGenerated('triage-config', 'triage-config-7T2H8M9K4B')).toBe(false);
    expect(globMatchesGenerated('triage-config', 'triage-configx7t2h8m9k4b')).toBe(false);
  });
});

describe('a suppression glob bomb', () => {
  it('is answered in well under a second by findSuppression, with the right result', () => {
    const config: ValidateConfig = {
      ...defaultConfig(),
      file: 'validate.config.yaml',
      suppressions: [
        { rule: 'probes', kind: 'Deployment', name: `${'*a'.repeat(15)}*b`, reason: 'Crafted.', line: 3 },
      ],
    };
    const query = { ruleId: 'probes', overlay: 'overlays/dev', kind: 'Deployment' };
    const today = new Date('2026-01-01T00:00:00Z');
    const started = performance.now();
    // Rendered name, source name and the generated-name form are all tried for a miss.
    const miss = findSuppression(
      config,
      { ...query, name: 'a'.repeat(60), sourceName: 'a'.repeat(60) },
      undefined,
      today,
    );
    const hit = findSuppression(config, { ...query, name: `${'a'.repeat(59)}b` }, undefined, today);
    const elapsed = performance.now() - started;
    expect(miss).toBeUndefined();
    expect(hit).toMatchObject({ reason: 'Crafted.', line: 3 });
    expect(elapsed).toBeLessThan(1000);
  });
});
