import { describe, expect, it } from 'vitest';
import { summariseKustomizeError } from '../../scripts/render/kustomize-error.js';

const ROOT = '/home/me/repo';

describe("kustomize's errors become one readable line", () => {
  it('unwraps kubectl’s klog line with a quoted error, and makes paths relative', () => {
    const stderr =
      'E1123 13:44:51.232935   13028 run.go:72] "command failed" err="accumulating resources: ' +
      "accumulation err='accumulating resources from 's.yaml': missing metadata.name': must build at " +
      "directory: '/home/me/repo/overlays/dev/s.yaml': file is not directory\"\n";
    expect(summariseKustomizeError(stderr, ROOT)).toBe(
      "accumulating resources: accumulation err='accumulating resources from 's.yaml': missing metadata.name': " +
        "must build at directory: 'overlays/dev/s.yaml': file is not directory",
    );
  });

  it('unwraps kubectl’s klog block (err=< … >) and keeps every line of it', () => {
    const stderr = [
      'E1123 13:44:29.988144   12793 run.go:72] "command failed" err=<',
      '\ttrouble configuring builtin HelmChartInflationGenerator with config: `',
      '\tname: minecraft',
      '\t`: must specify --enable-helm',
      ' >',
      '',
    ].join('\n');
    const line = summariseKustomizeError(stderr, ROOT);
    expect(line).toMatch(
      /^trouble configuring builtin HelmChartInflationGenerator .* must specify --enable-helm/,
    );
    expect(line).toContain('validate does not inflate helmCharts');
    expect(line).not.toMatch(/run\.go|err=|E1123/);
  });

  it('reads the standalone kustomize’s `Error:` line, after its deprecation warnings', () => {
    expect(summariseKustomizeError('Error: kustomization.yaml is empty\n', ROOT)).toBe(
      'kustomization.yaml is empty',
    );
    const stderr = [
      "# Warning: 'bases' is deprecated. Please use 'resources' instead.",
      "Error: accumulating resources: 'overlays/dev/missing.yaml' must resolve to a file",
      '',
    ].join('\n');
    expect(summariseKustomizeError(stderr, ROOT)).toBe(
      "accumulating resources: 'overlays/dev/missing.yaml' must resolve to a file",
    );
  });

  it('never quotes a generator value, whichever message kustomize wraps it in', () => {
    const literal =
      'E1123 13:44:30.294101   12804 run.go:72] "command failed" err="loading KV pairs: literal sources ' +
      '[LOG_LEVEL=debug Hunter2Sup3rS3cretValue]: invalid literal source Hunter2Sup3rS3cretValue, expected key=value"';
    const envLine =
      'Error: "API_KEY Hunter2Sup3rS3cretValue" is not a valid key name: a valid environment variable name';
    for (const stderr of [literal, envLine]) {
      const line = summariseKustomizeError(stderr, ROOT, ['API_KEY Hunter2Sup3rS3cretValue', 'debug']);
      expect(line).not.toContain('Hunter2Sup3rS3cretValue');
      expect(line).toContain('<redacted>');
    }
  });
});
