import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../scripts/lib/repo.js';

/**
 * Builds dist/ once before the tests (only the commands whose sources changed), so the CLIs the
 * tests spawn run the shipped artefact through the launcher without each paying for a build.
 */
export default function setup(): void {
  const result = spawnSync(
    process.execPath,
    [join(PACKAGE_ROOT, 'scripts', 'build', 'build.mjs'), '--if-stale'],
    {
      cwd: PACKAGE_ROOT,
      encoding: 'utf8',
      timeout: 300_000,
    },
  );
  if (result.status !== 0) {
    throw new Error(
      `building dist/ failed: ${(result.stderr || result.stdout || String(result.error)).trim()}`,
    );
  }
}
