import { describe, expect, it } from 'vitest';
import {
  findSuppression,
  parseSuppressionAnnotation,
  type SuppressionQuery,
} from '../../scripts/config/suppressions.js';
import { defaultConfig, type Suppression, type ValidateConfig } from '../../scripts/config/types.js';
import type { JsonObject } from '../../scripts/core/resource.js';

const today = new Date('2026-03-15T10:00:00Z');

function withSuppressions(...suppressions: Suppression[]): ValidateConfig {
  return { ...defaultConfig(), file: 'validate.config.yaml', suppressions };
}

const query: SuppressionQuery = {
  ruleId: 'probes',
  overlay: 'overlays/prod',
  env: 'prod',
  kind: 'Deployment',
  name: 'prod-triage-backend',
  namespace: 'triage',
  sourceName: 'triage-backend',
};

const annotated = (value: string): JsonObject => ({
  metadata: { annotations: { 'triage-gitops.io/ignore.probes': value } },
});

describe('findSuppression from the config', () => {
  const base: Suppression = {
    rule: 'probes',
    kind: 'Deployment',
    name: 'triage-backend',
    reason: 'No endpoint yet.',
    line: 7,
  };

  it('matches the source name, the rendered name or a glob', () => {
    expect(findSuppression(withSuppressions(base), query, undefined, today)).toEqual({
      reason: 'No endpoint yet.',
      source: 'config',
      file: 'validate.config.yaml',
      line: 7,
      expires: undefined,
    });
    expect(
      findSuppression(
        withSuppressions({ ...base, name: 'prod-triage-backend' }),
        { ...query, sourceName: undefined },
        undefined,
        today,
      ),
    ).toMatchObject({ source: 'config' });
    expect(
      findSuppression(
        withSuppressions({ ...base, name: '*-backend' }),
        { ...query, sourceName: undefined },
        undefined,
        today,
      ),
    ).toMatchObject({ source: 'config' });
  });

  it('matches a generated object by its source name plus the hash suffix', () => {
    const generated = {
      ...query,
      ruleId: 'secret-in-config',
      kind: 'ConfigMap',
      name: 'triage-config-ddk9b25d77',
      sourceName: undefined,
    };
    const entry = { ...base, rule: 'secret-in-config', kind: 'ConfigMap', name: 'triage-config' };
    expect(findSuppression(withSuppressions(entry), generated, undefined, today)).toMatchObject({
      source: 'config',
    });
    expect(
      findSuppression(
        withSuppressions(entry),
        { ...generated, name: 'triage-config-extra' },
        undefined,
        today,
      ),
    ).toBeUndefined();
  });

  it('narrows by rule, kind, namespace and overlay (path or environment)', () => {
    expect(
      findSuppression(withSuppressions({ ...base, rule: 'resources' }), query, undefined, today),
    ).toBeUndefined();
    expect(
      findSuppression(withSuppressions({ ...base, kind: 'StatefulSet' }), query, undefined, today),
    ).toBeUndefined();
    expect(
      findSuppression(withSuppressions({ ...base, namespace: 'other' }), query, undefined, today),
    ).toBeUndefined();
    expect(
      findSuppression(withSuppressions({ ...base, overlay: 'overlays/dev' }), query, undefined, today),
    ).toBeUndefined();
    expect(
      findSuppression(withSuppressions({ ...base, overlay: 'overlays/prod' }), query, undefined, today),
    ).toBeDefined();
    expect(
      findSuppression(withSuppressions({ ...base, overlay: 'prod' }), query, undefined, today),
    ).toBeDefined();
  });

  it('applies through its expiry day, then reports itself expired', () => {
    const entry = { ...base, expires: '2026-03-15' };
    expect(findSuppression(withSuppressions(entry), query, undefined, today)).toMatchObject({
      source: 'config',
      expires: '2026-03-15',
    });
    const later = new Date('2026-03-16T00:00:01Z');
    expect(findSuppression(withSuppressions(entry), query, undefined, later)).toEqual({
      expired: true,
      reason: 'No endpoint yet.',
      source: 'config',
      expires: '2026-03-15',
      file: 'validate.config.yaml',
      line: 7,
    });
  });

  it('prefers a live suppression over an expired one', () => {
    const config = withSuppressions({ ...base, expires: '2025-01-01' }, { ...base, reason: 'Still true.' });
    expect(findSuppression(config, query, undefined, today)).toMatchObject({ reason: 'Still true.' });
  });
});

describe('findSuppression from an annotation', () => {
  it('applies an annotation with a reason, with or without expiry', () => {
    expect(
      findSuppression(defaultConfig(), query, annotated('Warm-up only; expires=2026-12-31'), today),
    ).toEqual({
      reason: 'Warm-up only',
      source: 'annotation',
      expires: '2026-12-31',
    });
    expect(findSuppression(defaultConfig(), query, annotated('Warm-up only'), today)).toEqual({
      reason: 'Warm-up only',
      source: 'annotation',
      expires: undefined,
    });
  });

  it('ignores an annotation without a reason or with a broken date (suppression-reason reports those)', () => {
    expect(findSuppression(defaultConfig(), query, annotated(''), today)).toBeUndefined();
    expect(findSuppression(defaultConfig(), query, annotated('; expires=2030-01-01'), today)).toBeUndefined();
    expect(findSuppression(defaultConfig(), query, annotated('Why; expires=soon'), today)).toBeUndefined();
  });

  it('reports an expired annotation', () => {
    expect(findSuppression(defaultConfig(), query, annotated('Old; expires=2026-03-14'), today)).toEqual({
      expired: true,
      reason: 'Old',
      source: 'annotation',
      expires: '2026-03-14',
    });
  });

  it('only for its own rule', () => {
    expect(
      findSuppression(defaultConfig(), { ...query, ruleId: 'resources' }, annotated('Reason'), today),
    ).toBeUndefined();
  });
});

describe('parseSuppressionAnnotation', () => {
  it('splits the reason from the expiry', () => {
    expect(parseSuppressionAnnotation('a; b; expires=2030-01-31')).toEqual({
      reason: 'a; b',
      expires: '2030-01-31',
    });
    expect(parseSuppressionAnnotation(' spaced ')).toEqual({ reason: 'spaced' });
    expect(parseSuppressionAnnotation('x; expires=2030-13-01')).toEqual({
      reason: 'x',
      invalidExpires: '2030-13-01',
    });
  });
});
