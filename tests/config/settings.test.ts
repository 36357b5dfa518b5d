import { describe, expect, it } from 'vitest';
import { envForOverlay, knownRuleIds, ruleSettings, severityFor } from '../../scripts/config/settings.js';
import { defaultConfig, type ValidateConfig } from '../../scripts/config/types.js';
import { csiIdentityPolicy } from '../../scripts/policies/csi-identity.js';
import { hpaBoundsPolicy } from '../../scripts/policies/hpa-bounds.js';
import { imagePinnedPolicy } from '../../scripts/policies/image-pinned.js';
import { ruleCatalogue } from '../../scripts/policies/index.js';

function config(patch: Partial<ValidateConfig>): ValidateConfig {
  return { ...defaultConfig(), ...patch };
}

describe('ruleSettings', () => {
  it('starts from the policy’s defaults and its per-environment defaults', () => {
    expect(ruleSettings(defaultConfig(), hpaBoundsPolicy, 'dev')).toEqual({
      severity: 'error',
      options: { minReplicas: 1, maxReplicas: null },
    });
    expect(ruleSettings(defaultConfig(), hpaBoundsPolicy, 'prod').options).toEqual({
      minReplicas: 2,
      maxReplicas: null,
    });
  });

  it('lets rules.<id> override the defaults and env.<env>.rules.<id> override both, key by key', () => {
    const settings = config({
      rules: { 'hpa-bounds': { severity: 'warning', options: { maxReplicas: 20 } } },
      env: { prod: { rules: { 'hpa-bounds': { severity: 'error', options: { minReplicas: 4 } } } } },
    });
    expect(ruleSettings(settings, hpaBoundsPolicy, 'dev')).toEqual({
      severity: 'warning',
      options: { minReplicas: 1, maxReplicas: 20 },
    });
    expect(ruleSettings(settings, hpaBoundsPolicy, 'prod')).toEqual({
      severity: 'error',
      options: { minReplicas: 4, maxReplicas: 20 },
    });
  });

  it('turns a rule off per environment', () => {
    const settings = config({ env: { dev: { rules: { 'image-pinned': { severity: 'off' } } } } });
    expect(ruleSettings(settings, imagePinnedPolicy, 'dev').severity).toBe('off');
    expect(ruleSettings(settings, imagePinnedPolicy, 'prod').severity).toBe('error');
  });
});

describe('severityFor', () => {
  it('caps a policy’s advisory messages at warning', () => {
    expect(severityFor(csiIdentityPolicy, 'clientIdMismatch', 'error')).toBe('warning');
    expect(severityFor(csiIdentityPolicy, 'parameterUnset', 'error')).toBe('error');
    expect(severityFor(csiIdentityPolicy, 'parameterUnset', 'warning')).toBe('warning');
  });
});

describe('envForOverlay', () => {
  it('prefers the config’s mapping over the directory name', () => {
    const settings = config({ environments: { 'overlays/prod-eu': 'prod' } });
    expect(envForOverlay(settings, 'overlays/prod-eu', 'prod-eu')).toBe('prod');
    expect(envForOverlay(settings, './overlays/prod-eu/', 'prod-eu')).toBe('prod');
    expect(envForOverlay(settings, 'overlays/dev', 'dev')).toBe('dev');
  });
});

describe('knownRuleIds', () => {
  it('holds the engine’s schema rule and every policy, sorted', () => {
    const ids = knownRuleIds(ruleCatalogue);
    expect(ids).toContain('schema');
    expect(ids).toContain('hpa-bounds');
    expect(ids).toEqual([...ids].sort());
  });
});
