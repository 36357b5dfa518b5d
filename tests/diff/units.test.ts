import { describe, expect, it } from 'vitest';
import { type JsonObject, type JsonValue, type Resource, toResource } from '../../scripts/core/resource.js';
import { parseDiffArgs } from '../../scripts/diff/args.js';
import { compareOverlay, generatorStem } from '../../scripts/diff/compare.js';
import { LAST_APPLIED_ANNOTATION, REDACTED, redactPair } from '../../scripts/diff/redact.js';
import { formatMarkdown } from '../../scripts/diff/report/markdown.js';
import type { DiffResult, ResourceChange } from '../../scripts/diff/types.js';

function resource(body: JsonObject): Resource {
  return toResource(body, 0);
}

const secret = (name: string, data: Record<string, string>, field = 'data'): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: 'triage' },
  [field]: data,
});

describe('redactPair', () => {
  it('says per key whether it was added, removed, changed or kept, and hides every value', () => {
    const base = secret('s', { kept: 'a2VwdA==', changed: 'b2xk', removed: 'Z29uZQ==' });
    const head = secret('s', { kept: 'a2VwdA==', changed: 'bmV3', added: 'YWRkZWQ=' });
    const { base: redactedBase, head: redactedHead, keys } = redactPair(base, head);
    expect(redactedBase?.data).toEqual({
      kept: REDACTED.unchanged,
      changed: REDACTED.changedBefore,
      removed: REDACTED.removed,
    });
    expect(redactedHead?.data).toEqual({
      kept: REDACTED.unchanged,
      changed: REDACTED.changedAfter,
      added: REDACTED.added,
    });
    expect(keys.map((key) => `${key.key}:${key.status}`)).toEqual([
      'added:added',
      'changed:changed',
      'kept:unchanged',
      'removed:removed',
    ]);
    // The inputs are not modified.
    expect((base.data as JsonObject).changed).toBe('b2xk');
  });

  it('redacts stringData and the last-applied-configuration annotation of any kind', () => {
    const { head } = redactPair(undefined, secret('s', { password: 'hunter2' }, 'stringData'));
    expect(head?.stringData).toEqual({ password: REDACTED.unchanged });
    const configMap = (value: string): JsonObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', annotations: { [LAST_APPLIED_ANNOTATION]: value, team: 'triage' } },
      data: { visible: 'yes' },
    });
    const pair = redactPair(configMap('{"old":1}'), configMap('{"new":1}'));
    expect(pair.base?.metadata).toEqual({
      name: 'c',
      annotations: { [LAST_APPLIED_ANNOTATION]: REDACTED.changedBefore, team: 'triage' },
    });
    expect(pair.head?.data).toEqual({ visible: 'yes' });
  });
});

describe('redactPair on malformed Secrets', () => {
  const malformed = (data: JsonValue, stringData: JsonValue): JsonObject => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's', namespace: 'triage' },
    data,
    stringData,
  });

  it('hides a data or stringData field that is not a map (kustomize renders it as it is)', () => {
    const pair = redactPair(
      malformed('c2VjcmV0LW9sZA==', ['plain-old']),
      malformed('c2VjcmV0LW5ldw==', ['plain-old']),
    );
    const text = JSON.stringify(pair);
    for (const value of ['c2VjcmV0LW9sZA==', 'c2VjcmV0LW5ldw==', 'plain-old'])
      expect(text).not.toContain(value);
    expect(pair.base?.data).toBe(REDACTED.changedBefore);
    expect(pair.head?.data).toBe(REDACTED.changedAfter);
    expect(pair.head?.stringData).toBe(REDACTED.unchanged);
    expect(pair.keys.filter((key) => key.field !== 'metadata.annotations')).toEqual([
      { field: 'data', key: '(whole field)', status: 'changed' },
      { field: 'stringData', key: '(whole field)', status: 'unchanged' },
    ]);
    expect(redactPair(undefined, malformed('c2VjcmV0', 'x')).head).toMatchObject({
      data: REDACTED.unchanged,
      stringData: REDACTED.unchanged,
    });
  });

  it('hides a key that is not a valid Secret key, since it holds a value (an env file line without =)', () => {
    const base = secret('s', { AZURE_OPENAI_API_KEY: 'b2xk' });
    const head = secret('s', { 'AZURE_OPENAI_API_KEY sk-typo-Value123': '' });
    const pair = redactPair(base, head);
    expect(JSON.stringify(pair)).not.toContain('sk-typo-Value123');
    expect(pair.head?.data).toEqual({ '<redacted: invalid key 1>': REDACTED.added });
    expect(pair.keys.map((key) => `${key.key}:${key.status}`)).toEqual([
      '<redacted: invalid key 1>:added',
      'AZURE_OPENAI_API_KEY:removed',
    ]);
    // Valid keys (letters, digits, '-', '_', '.') stay as they are.
    expect(redactPair(undefined, secret('s', { 'tls.crt': 'eA==', 'a-b_C': 'eA==' })).head?.data).toEqual({
      'tls.crt': REDACTED.unchanged,
      'a-b_C': REDACTED.unchanged,
    });
  });
});

describe('generator renames', () => {
  it('recognises kustomize hash suffixes only', () => {
    expect(generatorStem('triage-config-ddk9b25d77')).toBe('triage-config');
    expect(generatorStem('triage-config-5g7hk2m8bt')).toBe('triage-config');
    expect(generatorStem('triage-backend')).toBeUndefined();
    // Ten lowercase letters, but not in kustomize's hash alphabet.
    expect(generatorStem('my-app-controller')).toBeUndefined();
  });

  it('pairs a removed and an added object with the same stem, kind and namespace', () => {
    const configMap = (name: string, level: string) =>
      resource({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace: 'triage' },
        data: { level },
      });
    const diff = compareOverlay({
      path: 'overlays/dev',
      base: [configMap('triage-config-ddk9b25d77', 'info')],
      head: [configMap('triage-config-5g7hk2m8bt', 'debug')],
    });
    expect(diff.changes).toHaveLength(1);
    expect(diff.changes[0]).toMatchObject({
      change: 'changed',
      renamedFrom: 'triage-config-ddk9b25d77',
      object: { name: 'triage-config-5g7hk2m8bt' },
    });
    expect(diff.highlights.map((each) => each.message)).toEqual(['key level: "info" → "debug"']);
  });

  it('does not pair objects of another namespace', () => {
    const configMap = (name: string, namespace: string) =>
      resource({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: {} });
    const diff = compareOverlay({
      path: 'overlays/dev',
      base: [configMap('triage-config-ddk9b25d77', 'a')],
      head: [configMap('triage-config-5g7hk2m8bt', 'b')],
    });
    expect(diff.changes.map((change) => change.change).sort()).toEqual(['added', 'removed']);
  });
});

describe('parseDiffArgs', () => {
  it('reads refs, overlays, format and output', () => {
    expect(
      parseDiffArgs(['--base', 'origin/main', 'overlays/dev', '--format', 'markdown', '--output', 'diff.md']),
    ).toEqual({
      base: 'origin/main',
      head: undefined,
      overlays: ['overlays/dev'],
      format: 'markdown',
      output: 'diff.md',
      help: false,
    });
  });

  it.each([
    [['--format', 'xml'], /--format must be one of/],
    [['--colour'], /Unknown option '--colour'/],
    [['--base', ''], /--base needs a value/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseDiffArgs(argv)).toThrow(message);
  });
});

describe('formatMarkdown truncation note', () => {
  const change = (name: string, lines: number): ResourceChange => ({
    change: 'changed',
    object: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'triage', name },
    patch: `${Array.from({ length: lines }, (_, i) => `+  key${i}: ${'x'.repeat(60)}`).join('\n')}\n`,
  });
  const result = (changes: ResourceChange[]): DiffResult => ({
    base: { ref: 'main', sha: 'a'.repeat(40) },
    head: { ref: 'working tree' },
    overlays: [{ path: 'overlays/dev', existsAtBase: true, existsAtHead: true, changes, highlights: [] }],
  });

  it('says a diff was cut short only when one was', () => {
    // Room for the small diff, too little for any useful part of the big one: it is left out whole.
    const leftOut = formatMarkdown(result([change('a', 5), change('b', 2000)]), { maxChars: 2_200 });
    expect(leftOut).toContain('key4:');
    expect(leftOut).not.toContain('diff truncated');
    expect(leftOut).toContain('1 of 2 diffs are not shown.');
    expect(leftOut).not.toContain('cut short');
    // With more room the big one is shown in part, and the note says so.
    const cut = formatMarkdown(result([change('a', 5), change('b', 2000)]), { maxChars: 4_000 });
    expect(cut).toContain('_…diff truncated:');
    expect(cut).toMatch(/the last one shown is cut short/);
    expect(cut.length).toBeLessThanOrEqual(4_000);
  });
});
