import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  displayKey,
  displayPath,
  hideKeysInText,
  invalidKeyNames,
  isValidSecretKey,
} from '../../scripts/core/secret-keys.js';
import { redactOne } from '../../scripts/diff/redact.js';
import { copyRepository, type RepoCopy, runValidate } from './repo-copy.js';

/**
 * Values planted inside keys the API server would refuse: `KEY value` (a forgotten `=`), `KEY=value`
 * written as a key, a key with `: `. None may be printed, plain or base64, in any format.
 */
const PLANTED = {
  stringData: 'planted-one-7QxRw2',
  data: 'planted-two-9KdLp4',
  configMap: 'planted-three-4RtVb8',
  reference: 'planted-four-2ZwNm6',
} as const;

const KEYS = {
  stringData: `TOKEN ${PLANTED.stringData}`,
  data: `DB_PASS=${PLANTED.data}`,
  configMap: `API_KEY: ${PLANTED.configMap}`,
  reference: `OTHER ${PLANTED.reference}`,
};

// Line numbers below are those of these files.
const SECRET_YAML = `apiVersion: v1
kind: Secret
metadata:
  name: extra
type: Opaque
stringData:
  ${JSON.stringify(KEYS.stringData)}: a-real-value-committed-by-mistake
  good-key: <set-by-pipeline>
data:
  ${JSON.stringify(KEYS.data)}: 123
`;

const CONFIGMAP_YAML = `apiVersion: v1
kind: ConfigMap
metadata:
  name: extra-config
data:
  LOG_FORMAT: json
  ${JSON.stringify(KEYS.configMap)}: literal-credential-value
`;

const REFERENCE_ENV = `          env:
            - name: EXTRA
              valueFrom:
                secretKeyRef:
                  name: extra
                  key: ${JSON.stringify(KEYS.reference)}
          envFrom:`;

interface JsonFinding {
  ruleId: string;
  messageId: string;
  message: string;
  field?: string;
  location: { file: string; line: number };
}

/** Every form a planted value (or the key holding it) could be printed in. */
function forbidden(): string[] {
  const values = [...Object.values(PLANTED), ...Object.values(KEYS)];
  return values.flatMap((value) => [value, Buffer.from(value).toString('base64')]);
}

function expectNothingPlanted(output: string, format: string): void {
  for (const text of forbidden()) expect(output, `${format} prints ${text}`).not.toContain(text);
}

describe('validate on a tree whose Secret and ConfigMap keys carry values', () => {
  let copy: RepoCopy;
  const outputs = new Map<string, string>();
  let findings: JsonFinding[] = [];

  beforeAll(() => {
    copy = copyRepository();
    copy.write('base/extra-secret.yaml', SECRET_YAML);
    copy.write('base/extra-config.yaml', CONFIGMAP_YAML);
    copy.edit(
      'base/kustomization.yaml',
      '  - pdb.yaml\n',
      '  - pdb.yaml\n  - extra-secret.yaml\n  - extra-config.yaml\n',
    );
    copy.edit('base/deployment.yaml', '          envFrom:', REFERENCE_ENV);
    const summaryFile = join(copy.root, 'summary.md');
    writeFileSync(summaryFile, '');
    for (const format of ['text', 'json', 'sarif', 'github']) {
      const env: Record<string, string> =
        format === 'github' ? { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summaryFile } : {};
      const run = runValidate(copy.root, ['overlays/dev', '--format', format], env);
      expect(run.status, `${format}: ${run.stderr}`).toBe(1);
      const summary = format === 'github' ? readFileSync(summaryFile, 'utf8') : '';
      outputs.set(format, `${run.stdout}\n${run.stderr}\n${summary}`);
      if (format === 'json') findings = JSON.parse(run.stdout).findings;
    }
  }, 120_000);

  afterAll(() => copy?.dispose());

  it.each(['text', 'json', 'sarif', 'github'])(
    '--format %s prints no planted value, plain or base64',
    (format) => {
      const output = outputs.get(format) ?? '';
      expect(output).toContain('invalid key');
      expectNothingPlanted(output, format);
    },
  );

  it('still reports each finding at the file and line of the key', () => {
    const at = (file: string) =>
      findings
        .filter((each) => each.location.file === file)
        .map((each) => `${each.ruleId} ${each.messageId} ${each.location.line} ${each.field ?? ''}`)
        .sort();
    expect(at('base/extra-secret.yaml')).toEqual([
      'no-plaintext-secret notBase64 10 data.<redacted: invalid key 1>',
      'no-plaintext-secret realValue 7 stringData.<redacted: invalid key 1>',
      'schema invalid 10 data.<redacted: invalid key 1>',
    ]);
    const configMap = findings.filter((each) => each.location.file === 'base/extra-config.yaml');
    expect(configMap.map((each) => `${each.ruleId} ${each.location.line}`)).toEqual(['secret-in-config 7']);
    expect(configMap[0]?.message).toMatch(/^ConfigMap key <redacted: invalid key 1> /);
    const reference = findings.filter((each) => each.ruleId === 'secret-ref');
    expect(reference.map((each) => `${each.messageId} ${each.location.file}:${each.location.line}`)).toEqual([
      'keyMissing base/deployment.yaml:45',
    ]);
    expect(reference[0]?.message).toContain('reads key <redacted: invalid key> of Secret extra');
  });
});

describe('the key rule (scripts/core/secret-keys.ts)', () => {
  it('accepts what the API server accepts, and nothing else', () => {
    expect(['API_KEY', 'tls.crt', '.dockerconfigjson', 'a-b_c.d'].every(isValidSecretKey)).toBe(true);
    expect(['API_KEY hunter2', 'A=b', 'a:b', 'a/b', '', 'ключ'].some(isValidSecretKey)).toBe(false);
  });

  it('numbers invalid keys as npm run diff does, so both print the same marker', () => {
    const stringData = { 'Z key': 'a', ok: 'b', 'A=key': 'c', 'm:key': 'd' };
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData };
    const diffKeys = Object.keys((redactOne(secret).stringData ?? {}) as object).sort();
    const ours = Object.keys(stringData)
      .map((key) => displayKey(key, Object.keys(stringData)))
      .sort();
    expect(ours).toEqual(diffKeys);
    expect(invalidKeyNames(Object.keys(stringData)).get('A=key')).toBe('<redacted: invalid key 1>');
  });

  it('stays fast on a Secret with thousands of invalid keys, each with a finding', () => {
    const stringData = Object.fromEntries(
      Array.from({ length: 5000 }, (_, i) => [`KEY_${i} value-${i}`, 'x']),
    );
    const body = { kind: 'Secret', stringData };
    const started = performance.now();
    for (const key of Object.keys(stringData)) {
      expect(displayPath(body, ['stringData', key])[1]).toMatch(/^<redacted: invalid key \d+>$/);
      expect(hideKeysInText(body, `key ${key} of stringData holds a value`)).not.toContain('value-');
    }
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('hides a key in a path and in text, in its pointer and JSON forms, but keeps valid keys', () => {
    const body = { kind: 'Secret', data: { 'a/b c~': 'x', valid: 'y' } };
    expect(displayPath(body, ['data', 'a/b c~'])).toEqual(['data', '<redacted: invalid key 1>']);
    expect(displayPath(body, ['data', 'valid'])).toEqual(['data', 'valid']);
    expect(hideKeysInText(body, 'at \'/data/a~1b c~0\': bad; "a/b c~"; a/b c~; valid')).toBe(
      'at \'/data/<redacted: invalid key 1>\': bad; "<redacted: invalid key 1>"; <redacted: invalid key 1>; valid',
    );
    // Only Secret and ConfigMap maps hold data keys.
    expect(hideKeysInText({ kind: 'Deployment', data: { 'a b c d': 1 } }, 'a b c d')).toBe('a b c d');
  });
});
