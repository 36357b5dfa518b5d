import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

/**
 * The build replaces scripts/config/precompiled.ts with generated code (scripts/build/build.mjs);
 * here it is a stand-in that accepts everything, so each test can tell which validator judged.
 */
const stand = vi.hoisted(() => ({ schemaText: '' }));
vi.mock('../../scripts/config/precompiled.js', () => ({
  precompiledValidator: {
    get schemaText() {
      return stand.schemaText;
    },
    validate: () => true,
  },
}));

const { loadConfig } = await import('../../scripts/config/load.js');
const { ExitError } = await import('../../scripts/lib/exit-error.js');
const { buildConfigSchema } = await import('../../scripts/config/schema.js');
const { ruleCatalogue } = await import('../../scripts/policies/index.js');

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'config-precompiled-'));
  writeFileSync(join(root, 'validate.config.yaml'), 'rules:\n  no-such-rule: error\n');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the precompiled config validator', () => {
  it('is used when it was generated from the catalogue’s schema', () => {
    stand.schemaText = JSON.stringify(buildConfigSchema(ruleCatalogue));
    // The stand-in accepts the unknown rule id: the precompiled code judged, nothing compiled.
    expect(() => loadConfig(undefined, root, { rules: ruleCatalogue })).not.toThrow();
  });

  it('is not used when its schema differs: the schema is compiled and the config rejected', () => {
    // Generated from a catalogue with one rule less than the running one (a schema file behind the sources).
    stand.schemaText = JSON.stringify(buildConfigSchema(ruleCatalogue.slice(1)));
    let message = 'accepted';
    try {
      loadConfig(undefined, root, { rules: [...ruleCatalogue] });
    } catch (error) {
      message = error instanceof ExitError ? error.format() : String(error);
    }
    expect(message).toBe(
      'validate.config.yaml:2:3: rules.no-such-rule: unknown rule id "no-such-rule" (see docs/rules.md)',
    );
  });
});
