import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMeasured } from '../../scripts/bench/measure.js';
import { PACKAGE_ROOT } from '../../scripts/lib/repo.js';
import { tempTrees } from '../helpers/temp-trees.js';

/**
 * validate run from this repository on another checkout must behave as if run inside it: that
 * tree's config, paths relative to its root, environments from its directory names.
 */

const checkout = tempTrees('triage-other-checkout').tree;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: registry.example/web:1.0.0
`;

interface Report {
  findings: { ruleId: string; location: { file: string } }[];
  summary: { environments: Record<string, string> };
}

describe('validate on another checkout', () => {
  it("uses that tree's config, its paths and its environment names", async () => {
    const other = checkout({
      'base/deployment.yaml': DEPLOYMENT,
      'base/kustomization.yaml': 'resources:\n- deployment.yaml\n',
      'overlays/production/kustomization.yaml': 'resources:\n- ../../base\n',
      // This repository's config requires digests in prod; the other tree's turns that off.
      'validate.config.yaml': 'env:\n  prod:\n    rules:\n      image-pinned: off\n',
    });
    const run = await runMeasured('validate', PACKAGE_ROOT, [
      '--no-schemas',
      '--format',
      'json',
      join(other, 'overlays/production'),
    ]);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.summary.environments).toEqual({ 'overlays/production': 'prod' });
    expect(report.findings.length).toBeGreaterThan(0);
    for (const finding of report.findings) expect(finding.location.file).toMatch(/^base\/deployment\.yaml$/);
    // prod's defaults applied (the stricter security context), the other tree's config too.
    expect(report.findings.some((finding) => finding.ruleId === 'security-context')).toBe(true);
    expect(report.findings.some((finding) => finding.ruleId === 'image-pinned')).toBe(false);

    const text = await runMeasured('validate', PACKAGE_ROOT, [
      '--no-schemas',
      join(other, 'overlays/production'),
    ]);
    expect(text.stdout).toContain('overlays/production was judged as environment prod.');
  });

  it('maps directory patterns to environments through the config', async () => {
    const other = checkout({
      'base/deployment.yaml': DEPLOYMENT,
      'base/kustomization.yaml': 'resources:\n- deployment.yaml\n',
      'overlays/eu-west/kustomization.yaml': 'resources:\n- ../../base\n',
      'validate.config.yaml': "environments:\n  'overlays/eu-*': prod\n",
    });
    const run = await runMeasured('validate', other, ['--no-schemas', '--format', 'json', '.']);
    expect((JSON.parse(run.stdout) as Report).summary.environments).toEqual({ 'overlays/eu-west': 'prod' });
    expect(run.stderr).toBe('');
  });

  it('refuses paths in two repositories at once', async () => {
    const first = checkout({ 'kustomization.yaml': 'resources: []\n' });
    const second = checkout({ 'kustomization.yaml': 'resources: []\n' });
    const run = await runMeasured('validate', PACKAGE_ROOT, ['--no-schemas', first, second]);
    expect(run.stderr).toMatch(/^error: the paths are in different repositories/);
    expect(run.status).toBe(2);
  });

  it('treats a remote patch like a remote resource, not as a missing file', async () => {
    const other = checkout({
      'deployment.yaml': DEPLOYMENT,
      'kustomization.yaml':
        'resources:\n- deployment.yaml\npatches:\n- path: https://raw.githubusercontent.invalid/example/patch.yaml\n',
    });
    const run = await runMeasured('validate', other, ['--no-schemas', '.']);
    expect(run.stderr).not.toContain('does not exist');
    expect(run.stderr).toContain('kustomize could not build it');
    expect(run.status).toBe(2);
  });
});
