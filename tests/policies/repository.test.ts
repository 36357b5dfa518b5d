import { describe, expect, it } from 'vitest';
import { envForOverlay, loadConfig } from '../../scripts/config/load.js';
import { validateOverlays } from '../../scripts/engine/run.js';
import { PACKAGE_ROOT } from '../../scripts/lib/repo.js';
import { ruleCatalogue } from '../../scripts/policies/index.js';
import { discoverOverlays } from '../../scripts/render/discover.js';

describe("this repository's own overlays", () => {
  it('pass every policy with no error and no warning, and nothing suppressed', async () => {
    const { config, warnings } = loadConfig(undefined, PACKAGE_ROOT, { rules: ruleCatalogue });
    expect(warnings).toEqual([]);
    const targets = discoverOverlays([], PACKAGE_ROOT);
    expect(targets.map((each) => each.path)).toEqual(['overlays/dev', 'overlays/prod']);
    const result = await validateOverlays(targets, {
      root: PACKAGE_ROOT,
      config,
      envs: new Map(targets.map((each) => [each.path, envForOverlay(config, each.path, each.env)])),
      schema: { enabled: false, cwd: PACKAGE_ROOT },
      toolVersion: 'test',
    });
    const report = result.overlays.map((each) => ({
      overlay: each.overlay,
      env: each.env,
      findings: each.findings.map(
        (finding) =>
          `${finding.severity} ${finding.ruleId} ${finding.location.file}:${finding.location.line} ${finding.message}`,
      ),
      suppressed: each.suppressed.length,
    }));
    expect(report).toEqual([
      { overlay: 'overlays/dev', env: 'dev', findings: [], suppressed: 0 },
      { overlay: 'overlays/prod', env: 'prod', findings: [], suppressed: 0 },
    ]);
  });
});
