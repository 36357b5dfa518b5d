import { afterEach, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../scripts/lib/repo.js';
import { copyRepository, type RepoCopy, runValidate } from '../validate/repo-copy.js';

/**
 * `validate --format github` with a GITHUB_STEP_SUMMARY that points nowhere: a warning naming the
 * variable, the manifests' verdict as the exit code, and never "internal error".
 */

const MISSING = '/nonexistent-summary-dir/step-summary.md';

let copy: RepoCopy | undefined;
afterEach(() => {
  copy?.dispose();
  copy = undefined;
});

const warning = `::warning title=triage-validate::GITHUB_STEP_SUMMARY=${MISSING} does not exist and its directory does not either: no job summary was written.`;

describe('validate --format github with a missing job summary file', () => {
  it('exits 0 on a clean tree, with a warning that names the variable', () => {
    const run = runValidate(PACKAGE_ROOT, ['--format', 'github'], {
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: MISSING,
    });
    expect(run.stderr).not.toContain('internal error');
    expect(run.stdout).toContain(warning);
    expect(run.status).toBe(0);
  });

  it('still exits 1 and annotates the findings on a tree with findings', () => {
    copy = copyRepository();
    copy.edit('overlays/dev/hpa-patch.yaml', 'maxReplicas: 10', 'maxReplicas: 50');
    const run = runValidate(copy.root, ['--format', 'github'], {
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: MISSING,
    });
    expect(run.stderr).not.toContain('internal error');
    expect(run.stdout).toContain(warning);
    expect(run.stdout).toMatch(
      /^::error title=hpa-bounds \(overlays\/dev\),file=overlays\/dev\/hpa-patch\.yaml/m,
    );
    expect(run.status).toBe(1);
  });
});
