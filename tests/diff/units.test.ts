import { describe, expect, it } from 'vitest';
import { type JsonObject, type Resource, toResource } from '../../scripts/core/resource.js';
import { parseDiffArgs } from '../../scripts/diff/args.js';
import { compareOverlay, generatorStem } from '../../scripts/diff/compare.js';
import { LAST_APPLIED_ANNOTATION, REDACTED, redactPair } from '../../scripts/diff/redact.js';

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
