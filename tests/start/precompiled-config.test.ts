import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../scripts/config/load.js';
import { ExitError } from '../../scripts/lib/exit-error.js';
import { LAUNCHER, PACKAGE_ROOT } from '../../scripts/lib/repo.js';
import { ruleCatalogue } from '../../scripts/policies/index.js';

/**
 * dist/ checks the config with ajv code generated at build time (scripts/build/build.mjs), the
 * sources under tsx with the schema compiled at run time: both must print the same message.
 */
const BAD_CONFIGS = [
  'rules:\n  probes: warning\n  hpa-bound: error\n',
  'env:\n  prod:\n    rules:\n      no-such-rule: off\n',
  'rules:\n  hpa-bounds:\n    options:\n      minReplicas: two\n',
  'rules:\n  hpa-bounds:\n    options:\n      floor: 2\n',
  'rules:\n  probes: fatal\n',
  'rules:\n  secret-in-config:\n    options:\n      ignoreKeyPatterns: ["(unclosed"]\n',
  'suppressions:\n  - rule: probes\n    kind: Deployment\n    name: triage-backend\n',
  'suppressions:\n  - rule: probes\n    kind: Deployment\n    name: x\n    reason: "   "\n',
  'suppressions:\n  - rule: probes\n    kind: Deployment\n    name: x\n    reason: r\n    expires: 2030-02-30\n',
  'rule:\n  probes: off\n',
  `environments:\n${Array.from({ length: 300 }, (_, i) => `  overlays/e${i}: dev\n`).join('')}`,
];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'precompiled-config-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The message loadConfig (the sources, schema compiled now) gives for `file`. */
function fromSources(file: string): string {
  try {
    loadConfig(file, PACKAGE_ROOT, { rules: ruleCatalogue });
  } catch (error) {
    if (error instanceof ExitError) return `error: ${error.format()}`;
    throw error;
  }
  return 'accepted';
}

describe('the config validator generated at build time', () => {
  it('gives the messages of the one compiled at run time, exit code 2', () => {
    BAD_CONFIGS.forEach((text, index) => {
      const file = join(dir, `bad-${index}.yaml`);
      writeFileSync(file, text);
      const run = spawnSync(process.execPath, [LAUNCHER, 'validate', '--list-rules', '--config', file], {
        cwd: PACKAGE_ROOT,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, GITHUB_ACTIONS: '', NO_COLOR: '1' },
      });
      const expected = fromSources(file);
      expect(expected).not.toBe('accepted');
      expect(run.stderr.trim(), text).toBe(expected);
      expect(run.status).toBe(2);
    });
  });
});
