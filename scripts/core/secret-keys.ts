import type { FieldPath, JsonValue } from './resource.js';

/**
 * How Secret and ConfigMap keys may be printed. The API server accepts only keys of
 * [-._a-zA-Z0-9]; anything else is a mistake that may carry a value (an env-file line
 * `KEY value` without `=` becomes the key `KEY value`; `{"API_KEY hunter2": x}` in stringData).
 * Such a key is never printed: it is shown as `<redacted: invalid key N>`, N counting the invalid
 * keys of its map in code-unit order, as `npm run diff` numbers them.
 */
export const VALID_SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/** Whether the API server would accept `key` as a Secret or ConfigMap key. */
export function isValidSecretKey(key: string): boolean {
  return VALID_SECRET_KEY.test(key);
}

/** What an invalid key is printed as; without a number when its map is not at hand. */
export function invalidKeyMarker(number?: number): string {
  return number === undefined ? '<redacted: invalid key>' : `<redacted: invalid key ${number}>`;
}

const MARKER = /^<redacted: invalid key( [1-9]\d*)?>$/;

/** Whether `text` is already a marker (so it is not hidden a second time). */
export function isInvalidKeyMarker(text: string): boolean {
  return MARKER.test(text);
}

/** The invalid keys among `keys` (one map's keys), each with its numbered marker. */
export function invalidKeyNames(keys: Iterable<string>): Map<string, string> {
  const invalid = [...new Set(keys)].filter((key) => !isValidSecretKey(key)).sort();
  return new Map(invalid.map((key, index) => [key, invalidKeyMarker(index + 1)]));
}

/**
 * How `key` is printed: as it is when valid; else its marker among `siblings` (the keys of the map
 * it is in), or the unnumbered marker when it is in no map at hand (a reference to a missing key).
 */
export function displayKey(key: string, siblings?: Iterable<string>): string {
  return keyDisplay(siblings ?? [])(key);
}

/** `displayKey` for many keys of one map: the map's markers are worked out once. */
export function keyDisplay(siblings: Iterable<string>): (key: string) => string {
  const names = invalidKeyNames(siblings);
  return (key) => (isValidSecretKey(key) ? key : (names.get(key) ?? invalidKeyMarker()));
}

/** The fields whose keys are data keys: Secret `data`/`stringData`, ConfigMap `data`/`binaryData`. */
export function keyMapFields(kind: unknown): readonly string[] {
  if (kind === 'Secret') return ['data', 'stringData'];
  if (kind === 'ConfigMap') return ['data', 'binaryData'];
  return [];
}

function asMap(value: JsonValue | undefined): { [key: string]: JsonValue } | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
}

// Worked out once per object: a finding, its path and its message each ask again, and a Secret
// may have thousands of keys. Rendered objects are read, never changed, once parsed.
const hiddenKeysCache = new WeakMap<object, Map<string, Map<string, string>>>();
const replacerCache = new WeakMap<object, (text: string) => string>();

/** Every invalid key of the object's key maps, by field: key → marker. */
export function hiddenKeysOf(body: JsonValue | undefined): Map<string, Map<string, string>> {
  const object = asMap(body);
  const cached = object && hiddenKeysCache.get(object);
  if (cached) return cached;
  const out = new Map<string, Map<string, string>>();
  for (const field of keyMapFields(object?.kind)) {
    const names = invalidKeyNames(Object.keys(asMap(object?.[field]) ?? {}));
    if (names.size > 0) out.set(field, names);
  }
  if (object) hiddenKeysCache.set(object, out);
  return out;
}

/**
 * The path as it may be printed: a key of the object's Secret or ConfigMap map replaced by its
 * marker. Locating a finding needs the real path; only what is shown changes.
 */
export function displayPath(body: JsonValue | undefined, path: FieldPath): (string | number)[] {
  const [field, key, ...rest] = path;
  if (typeof field !== 'string' || typeof key !== 'string') return [...path];
  const marker = hiddenKeysOf(body).get(field)?.get(key);
  return marker === undefined ? [...path] : [field, marker, ...rest];
}

/**
 * Keys this short are not replaced inside free text: they cannot carry a value worth hiding, and
 * replacing a one- or two-character key everywhere would garble the message.
 */
const MIN_HIDDEN_LENGTH = 4;

/** How a key can appear in a message: as written, as a JSON pointer segment, JSON-escaped. */
export function writtenForms(key: string): string[] {
  return [
    ...new Set([key, key.replaceAll('~', '~0').replaceAll('/', '~1'), JSON.stringify(key).slice(1, -1)]),
  ];
}

/**
 * `text` with every occurrence of a key of `replacements` replaced by its value, in one pass and
 * longest first: a key that contains another is replaced whole, and a key that reads like part of
 * a marker cannot garble a marker already written.
 */
export function replaceLiterals(text: string, replacements: ReadonlyMap<string, string>): string {
  return literalReplacer(replacements)(text);
}

/** `replaceLiterals` with its pattern built once, for many texts. */
export function literalReplacer(replacements: ReadonlyMap<string, string>): (text: string) => string {
  const literals = [...replacements.keys()].filter((literal) => literal !== '');
  if (literals.length === 0) return (text) => text;
  literals.sort((a, b) => b.length - a.length);
  // Escaped literals only: no quantifier, so no backtracking beyond trying each alternative.
  const pattern = new RegExp(
    literals.map((literal) => literal.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')).join('|'),
    'g',
  );
  return (text) => text.replace(pattern, (found) => replacements.get(found) ?? found);
}

/** Each written form of the object's invalid keys (see `writtenForms`) → the key's marker. */
export function keyFormsOf(body: JsonValue | undefined): Map<string, string> {
  const forms = new Map<string, string>();
  for (const names of hiddenKeysOf(body).values()) {
    for (const [key, marker] of names) {
      if (key.length < MIN_HIDDEN_LENGTH) continue;
      for (const form of writtenForms(key)) if (!forms.has(form)) forms.set(form, marker);
    }
  }
  return forms;
}

/** `text` (a message about the object) with every invalid key of the object's maps replaced by its marker. */
export function hideKeysInText(body: JsonValue | undefined, text: string): string {
  const object = asMap(body);
  if (!object) return text;
  let replacer = replacerCache.get(object);
  if (!replacer) {
    replacer = literalReplacer(keyFormsOf(object));
    replacerCache.set(object, replacer);
  }
  return replacer(text);
}

/** `text` with one key replaced by `marker`, in each of its written forms. */
export function hideKeyInText(text: string, key: string, marker: string): string {
  if (key.length < MIN_HIDDEN_LENGTH) return text;
  return replaceLiterals(text, new Map(writtenForms(key).map((form) => [form, marker])));
}
