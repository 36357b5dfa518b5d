import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT, TSX_LOADER } from '../../scripts/lib/repo.js';

const dir = mkdtempSync(join(tmpdir(), 'policy-patterns-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const moduleUrl = (path: string) => JSON.stringify(pathToFileURL(join(PACKAGE_ROOT, path)).href);

/**
 * Loads a validate.config.yaml whose no-plaintext-secret placeholder is the nested-quantifier bomb
 * `^(a+)+$`, then checks a Secret holding 40 `a` and a `!` (exponential for a backtracking engine)
 * and one holding 40 `a`. Runs in its own process: should the pattern ever reach a backtracking
 * engine again, the process is killed after 60 s instead of hanging the test run (the start-up
 * alone can take 10 s on a loaded machine; the check's own time is asserted below).
 */
const SCRIPT = `
import { loadConfig } from ${moduleUrl('scripts/config/load.ts')};
import { ruleSettings } from ${moduleUrl('scripts/config/settings.ts')};
import { toResource } from ${moduleUrl('scripts/core/resource.ts')};
import { createPolicyContext } from ${moduleUrl('scripts/policies/context.ts')};
import { ruleCatalogue } from ${moduleUrl('scripts/policies/index.ts')};
import { noPlaintextSecretPolicy } from ${moduleUrl('scripts/policies/no-plaintext-secret.ts')};

const { config } = loadConfig(undefined, process.argv[2], { rules: ruleCatalogue });
const { options } = ruleSettings(config, noPlaintextSecretPolicy, 'dev');
const run = async (value) => {
  const secret = toResource(
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app' }, stringData: { API_KEY: value } },
    0,
  );
  const ctx = createPolicyContext([secret], { env: 'dev', overlay: 'overlays/dev', options });
  return (await noPlaintextSecretPolicy.check(secret, ctx)).map((finding) => finding.messageId);
};
await run('warm-up');
const started = performance.now();
const notPlaceholder = await run('a'.repeat(40) + '!');
const placeholder = await run('a'.repeat(40));
console.log(JSON.stringify({ notPlaceholder, placeholder, ms: performance.now() - started }));
`;

describe('no-plaintext-secret with a config-supplied placeholder bomb', () => {
  it('checks the values in well under a second, with the right verdict', () => {
    writeFileSync(
      join(dir, 'validate.config.yaml'),
      'rules:\n  no-plaintext-secret:\n    options:\n      extraPlaceholders:\n        - "^(a+)+$"\n',
    );
    const script = join(dir, 'check.mts');
    writeFileSync(script, SCRIPT);
    const child = spawnSync(process.execPath, ['--import', TSX_LOADER, script, dir], {
      encoding: 'utf8',
      timeout: 60_000,
      killSignal: 'SIGKILL',
    });
    expect(child.signal, 'the check hung and was killed').toBeNull();
    expect(child.stderr).toBe('');
    const result = JSON.parse(child.stdout) as {
      notPlaceholder: string[];
      placeholder: string[];
      ms: number;
    };
    expect(result.notPlaceholder).toEqual(['realValue']);
    expect(result.placeholder).toEqual([]);
    expect(result.ms).toBeLessThan(1000);
  });
});
