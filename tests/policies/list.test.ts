import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../scripts/config/types.js';
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
    expect(lines).toHaveLength(1 + 22);
  });
});
