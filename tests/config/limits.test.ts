import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  MAX_CONFIG_BYTES,
  MAX_LIST_ITEMS,
  MAX_NAME_LENGTH,
  MAX_SUPPRESSIONS,
} from '../../scripts/config/limits.js';
import { loadConfig } from '../../scripts/config/load.js';
import { ExitError } from '../../scripts/lib/exit-error.js';
import { ruleCatalogue } from '../../scripts/policies/index.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function failure(text: string): string {
  const root = mkdtempSync(join(tmpdir(), 'limits-'));
  roots.push(root);
  writeFileSync(join(root, 'validate.config.yaml'), text);
  try {
    loadConfig(undefined, root, { rules: ruleCatalogue });
  } catch (error) {
    expect(error).toBeInstanceOf(ExitError);
    expect((error as ExitError).code).toBe(2);
    return (error as ExitError).format();
  }
  throw new Error('loadConfig accepted the config');
}

const suppression = (name: string) =>
  `  - rule: probes\n    kind: Deployment\n    name: ${JSON.stringify(name)}\n    reason: Load test.\n`;

describe('config size limits', () => {
  it(`rejects more than ${MAX_SUPPRESSIONS} suppressions`, () => {
    const text = `suppressions:\n${Array.from({ length: MAX_SUPPRESSIONS + 1 }, (_, i) => suppression(`app-${i}`)).join('')}`;
    expect(failure(text)).toBe(
      `validate.config.yaml:1:1: suppressions: has ${MAX_SUPPRESSIONS + 1} entries; at most ${MAX_SUPPRESSIONS} are allowed`,
    );
  });

  it(`rejects more than ${MAX_LIST_ITEMS} placeholders`, () => {
    const items = Array.from({ length: MAX_LIST_ITEMS + 1 }, (_, i) => `        - "^fill-${i}$"\n`).join('');
    expect(failure(`rules:\n  secret-in-config:\n    options:\n      extraPlaceholders:\n${items}`)).toBe(
      `validate.config.yaml:4:7: rules.secret-in-config.options.extraPlaceholders: has ${MAX_LIST_ITEMS + 1} entries; at most ${MAX_LIST_ITEMS} are allowed`,
    );
  });

  it(`rejects a suppression name longer than ${MAX_NAME_LENGTH} characters, at its line`, () => {
    expect(failure(`suppressions:\n${suppression('a'.repeat(MAX_NAME_LENGTH + 1))}`)).toBe(
      `validate.config.yaml:4:11: suppressions[0].name: is ${MAX_NAME_LENGTH + 1} characters long; at most ${MAX_NAME_LENGTH} are allowed`,
    );
  });

  it('rejects a config file over the size limit before parsing it', () => {
    const padding = `# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`;
    expect(failure(`rules: {}\n${padding}`)).toMatch(
      new RegExp(
        `^validate\\.config\\.yaml: is \\d+ bytes; a config file may be at most ${MAX_CONFIG_BYTES} bytes`,
      ),
    );
  });
});
