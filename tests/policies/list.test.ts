import { describe, expect, it } from 'vitest';
import { ENGINE_RULES } from '../../scripts/config/catalogue.js';
import { defaultConfig } from '../../scripts/config/types.js';
import { policies } from '../../scripts/policies/index.js';
import { listRules } from '../../scripts/policies/list.js';

describe('listRules', () => {
  it('prints every rule with its severity in dev, prod and default, after the config', () => {
    const config = {
      ...defaultConfig(),
      environments: { 'overlays/stage': 'stage' },
      rules: { probes: { severity: 'warning' as const } },
      env: {
        prod: { rules: { probes: { severity: 'error' as const } } },
        dev: { rules: { 'image-pinned': { severity: 'off' as const } } },
      },
    };
    const lines = listRules(config).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^RULE\s+DEV\s+PROD\s+DEFAULT\s+STAGE\s+DESCRIPTION$/);
    expect(lines.find((line) => line.startsWith('probes '))).toMatch(
      /^probes\s+warning\s+error\s+warning\s+warning\s+Long-running containers have readiness and liveness probes/,
    );
    expect(lines.find((line) => line.startsWith('image-pinned '))).toMatch(
      /^image-pinned\s+off\s+error\s+error\s+error\s+/,
    );
    expect(lines.find((line) => line.startsWith('schema '))).toMatch(
      /^schema\s+error\s+error\s+error\s+error\s+/,
    );
    // Every rule once, sorted: the engine's own (schema, …) and every policy.
    const ids = [...ENGINE_RULES, ...policies].map((rule) => rule.id).sort();
    expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).toEqual(ids);
    expect(ids.length).toBeGreaterThan(20);
  });
});
