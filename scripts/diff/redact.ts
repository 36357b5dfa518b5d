import { createHash } from 'node:crypto';
import type { JsonObject, JsonValue } from '../core/resource.js';
import { invalidKeyNames } from '../core/secret-keys.js';

/**
 * Secret values never leave this module. Each value is replaced by a marker that says only
 * whether the key was added, removed, changed or kept; values are compared by sha256 here and
 * no hash (not even a prefix) is printed, since a short hash of a weak secret can be brute-forced.
 */
export const REDACTED = {
  unchanged: '<redacted>',
  added: '<redacted: added>',
  removed: '<redacted: removed>',
  changedBefore: '<redacted: changed, old value>',
  changedAfter: '<redacted: changed, new value>',
} as const;

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

export type KeyStatus = 'added' | 'removed' | 'changed' | 'unchanged';

export interface RedactedKey {
  /** `data` or `stringData` for Secrets; `metadata.annotations` for the last-applied annotation. */
  field: string;
  key: string;
  status: KeyStatus;
}

export interface RedactedPair {
  base?: JsonObject;
  head?: JsonObject;
  /** Every redacted key with what happened to it between base and head. */
  keys: RedactedKey[];
}

export function isSecret(body: JsonObject | undefined): boolean {
  return body?.kind === 'Secret' && (body.apiVersion === 'v1' || body.apiVersion === undefined);
}

/**
 * Returns deep copies of both sides with Secret `data`/`stringData` values and the
 * last-applied-configuration annotation replaced by markers. Either side may be missing
 * (an added or removed object).
 */
export function redactPair(base: JsonObject | undefined, head: JsonObject | undefined): RedactedPair {
  const baseCopy = base ? (structuredClone(base) as JsonObject) : undefined;
  const headCopy = head ? (structuredClone(head) as JsonObject) : undefined;
  const keys: RedactedKey[] = [];
  const paired = baseCopy !== undefined && headCopy !== undefined;
  for (const field of ['data', 'stringData']) {
    const baseSecret = isSecret(baseCopy) ? baseCopy : undefined;
    const headSecret = isSecret(headCopy) ? headCopy : undefined;
    // kustomize renders `data: <string>` or a list as it is: hide the whole field, not only maps.
    if (!isMapOrAbsent(baseSecret?.[field]) || !isMapOrAbsent(headSecret?.[field])) {
      keys.push(...redactWholeField(field, baseSecret, headSecret, paired));
      continue;
    }
    hideInvalidKeys(field, baseSecret, headSecret);
    keys.push(...redactMaps(field, asMap(baseSecret?.[field]), asMap(headSecret?.[field]), paired));
  }
  const baseAnnotations = asMap(asMap(baseCopy?.metadata)?.annotations);
  const headAnnotations = asMap(asMap(headCopy?.metadata)?.annotations);
  keys.push(
    ...redactMaps(
      'metadata.annotations',
      baseAnnotations,
      headAnnotations,
      baseCopy !== undefined && headCopy !== undefined,
      [LAST_APPLIED_ANNOTATION],
    ),
  );
  return { base: baseCopy, head: headCopy, keys };
}

/** Redacts one object on its own (no comparison): every value gets the plain marker. */
export function redactOne(body: JsonObject): JsonObject {
  return redactPair(body, undefined).base ?? body;
}

/**
 * Replaces the values of `only` keys (or all keys) in both maps, in place. With `paired` false
 * the object exists on one side only and every key is plainly redacted.
 */
function redactMaps(
  field: string,
  base: Record<string, JsonValue> | undefined,
  head: Record<string, JsonValue> | undefined,
  paired: boolean,
  only?: readonly string[],
): RedactedKey[] {
  const selected = (map: Record<string, JsonValue> | undefined) =>
    map ? Object.keys(map).filter((key) => !only || only.includes(key)) : [];
  const names = [...new Set([...selected(base), ...selected(head)])].sort();
  const keys: RedactedKey[] = [];
  for (const key of names) {
    const inBase = base !== undefined && Object.hasOwn(base, key);
    const inHead = head !== undefined && Object.hasOwn(head, key);
    if (!paired) {
      if (inBase && base) base[key] = REDACTED.unchanged;
      if (inHead && head) head[key] = REDACTED.unchanged;
      continue;
    }
    if (inBase && inHead && base && head) {
      const same = fingerprint(base[key]) === fingerprint(head[key]);
      base[key] = same ? REDACTED.unchanged : REDACTED.changedBefore;
      head[key] = same ? REDACTED.unchanged : REDACTED.changedAfter;
      keys.push({ field, key, status: same ? 'unchanged' : 'changed' });
    } else if (inHead && head) {
      head[key] = REDACTED.added;
      keys.push({ field, key, status: 'added' });
    } else if (inBase && base) {
      base[key] = REDACTED.removed;
      keys.push({ field, key, status: 'removed' });
    }
  }
  return keys;
}

/** The key reported for a Secret field that is not a map and is redacted as a whole. */
export const WHOLE_FIELD = '(whole field)';

function isMapOrAbsent(value: JsonValue | undefined): boolean {
  return value === undefined || value === null || asMap(value) !== undefined;
}

/** Replaces a Secret's `data`/`stringData` that is not a map (on either side) by one marker. */
function redactWholeField(
  field: string,
  base: JsonObject | undefined,
  head: JsonObject | undefined,
  paired: boolean,
): RedactedKey[] {
  const inBase = base !== undefined && base[field] !== undefined;
  const inHead = head !== undefined && head[field] !== undefined;
  if (!paired) {
    if (inBase && base) base[field] = REDACTED.unchanged;
    if (inHead && head) head[field] = REDACTED.unchanged;
    return [];
  }
  if (inBase && inHead && base && head) {
    const same = fingerprint(base[field]) === fingerprint(head[field]);
    base[field] = same ? REDACTED.unchanged : REDACTED.changedBefore;
    head[field] = same ? REDACTED.unchanged : REDACTED.changedAfter;
    return [{ field, key: WHOLE_FIELD, status: same ? 'unchanged' : 'changed' }];
  }
  if (inHead && head) {
    head[field] = REDACTED.added;
    return [{ field, key: WHOLE_FIELD, status: 'added' }];
  }
  if (inBase && base) {
    base[field] = REDACTED.removed;
    return [{ field, key: WHOLE_FIELD, status: 'removed' }];
  }
  return [];
}

/**
 * Renames keys that are not valid Secret keys to `<redacted: invalid key N>`, the same N on both
 * sides, keeping the order of the keys.
 */
function hideInvalidKeys(field: string, base: JsonObject | undefined, head: JsonObject | undefined): void {
  const maps = [base, head].map((side) => (side ? asMap(side[field]) : undefined));
  // The key rule validate uses too (core/secret-keys.ts): both sides numbered as one map.
  const renamed = invalidKeyNames(maps.flatMap((map) => (map ? Object.keys(map) : [])));
  if (renamed.size === 0) return;
  for (const [index, side] of [base, head].entries()) {
    const map = maps[index];
    if (!side || !map) continue;
    side[field] = Object.fromEntries(
      Object.entries(map).map(([key, value]) => [renamed.get(key) ?? key, value]),
    );
  }
}

/** sha256 of the value: compared, never printed. */
function fingerprint(value: JsonValue | undefined): string {
  return createHash('sha256')
    .update(JSON.stringify(value ?? null))
    .digest('hex');
}

function asMap(value: JsonValue | undefined): Record<string, JsonValue> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}
