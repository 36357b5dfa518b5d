/**
 * Turns kubeconform's error text into field paths. kubeconform v0.7.0 puts only the top-level causes in
 * `validationErrors` (usually `/spec: validation failed`, with the pointer segments joined unescaped); the
 * leaf errors exist only in `msg`, as jsonschema's indented tree flattened onto one line:
 *
 *   problem validating schema. … failed with 'file:///…#' - at '/spec': validation failed
 *     - at '/spec/replicas': got string, want null or integer   - at '/spec/template/spec/containers/0':
 *     additional properties 'imagePullPolicyy' not allowed
 *
 * Each `- at '<JSON pointer>': ` starts a node; the spaces before it are 1 + 2 × depth (newline → space).
 */
import type { FieldPath, JsonValue } from '../core/resource.js';
import { hiddenKeysOf, keyFormsOf, literalReplacer, writtenForms } from '../core/secret-keys.js';

export interface SchemaError {
  /** Keys and list indices from the object's root, e.g. ['spec', 'template', 'spec', 'containers', 0, 'image']. */
  path: (string | number)[];
  message: string;
}

interface Node {
  pointer: string;
  message: string;
  depth: number;
  children: Node[];
}

const AT = /( *)- at '((?:[^']|'(?!: ))*)': /g;
const AGGREGATE = 'validation failed';

/**
 * Leaf errors from kubeconform's `msg`; `body` (the document as data) decides which segments are list indices.
 * A Secret or ConfigMap key the API server would refuse may carry a value: messages show its
 * marker (core/secret-keys.ts). Paths keep the real key, since the finding is located by it.
 */
export function parseValidationMessage(msg: string, body?: JsonValue): SchemaError[] {
  const roots = parseTree(hideSchemaKeys(msg, body));
  const errors: SchemaError[] = [];
  for (const root of roots) collect(root, body, errors);
  return sortErrors(dedupe(errors));
}

/**
 * Falls back on `validationErrors` when `msg` has no tree (a kubeconform whose wording differs). Those
 * pointers are unescaped, so a key with a `/` (an annotation) is matched against the document's keys.
 */
export function fromValidationErrors(
  entries: { path: string; msg: string }[],
  body?: JsonValue,
): SchemaError[] {
  return sortErrors(
    dedupe(
      entries.flatMap((entry) => {
        const path = revealKey(unescapedPointerToPath(hideSchemaKeys(entry.path, body), body), body);
        return expandAdditional(path, hideSchemaKeys(entry.msg, body), body);
      }),
    ),
  );
}

// Built once per document: every validationErrors entry of a document asks again.
const schemaReplacers = new WeakMap<object, (text: string) => string>();

/**
 * kubeconform's text with the document's invalid Secret/ConfigMap keys (which may carry a value)
 * as their markers: inside JSON pointers (`/stringData/<key>`, any length) and anywhere else. Done
 * before parsing, so a key holding `'` or `: ` cannot cut the tree apart either. For every
 * kubeconform message quoted in a finding.
 */
export function hideSchemaKeys(text: string, body: JsonValue | undefined): string {
  if (!isObject(body)) return text;
  let replacer = schemaReplacers.get(body);
  if (!replacer) {
    const replacements = new Map<string, string>();
    for (const [field, names] of hiddenKeysOf(body)) {
      for (const [key, marker] of names) {
        for (const form of writtenForms(key)) replacements.set(`/${field}/${form}`, `/${field}/${marker}`);
      }
    }
    for (const [form, marker] of keyFormsOf(body))
      if (!replacements.has(form)) replacements.set(form, marker);
    replacer = literalReplacer(replacements);
    schemaReplacers.set(body, replacer);
  }
  return replacer(text);
}

/** A path read from hidden text, with the real key back in place of its marker (findings are located by it). */
function revealKey(path: (string | number)[], body: JsonValue | undefined): (string | number)[] {
  const [field, segment, ...rest] = path;
  if (typeof field !== 'string' || typeof segment !== 'string') return path;
  for (const [key, marker] of hiddenKeysOf(body).get(field) ?? []) {
    if (marker === segment) return [field, key, ...rest];
  }
  return path;
}

function parseTree(msg: string): Node[] {
  const matches = [...msg.matchAll(AT)];
  const roots: Node[] = [];
  const stack: Node[] = [];
  matches.forEach((match, i) => {
    const start = (match.index ?? 0) + match[0].length;
    const next = matches[i + 1];
    const end = next ? (next.index ?? msg.length) : msg.length;
    const spaces = (match[1] ?? '').length;
    const node: Node = {
      pointer: match[2] ?? '',
      message: msg.slice(start, end).trim(),
      depth: Math.max(0, Math.floor((spaces - 1) / 2)),
      children: [],
    };
    while (stack.length > 0 && (stack[stack.length - 1]?.depth ?? 0) >= node.depth) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(node);
    else roots.push(node);
    stack.push(node);
  });
  return roots;
}

function collect(node: Node, body: JsonValue | undefined, out: SchemaError[]): void {
  const path = revealKey(pointerToPath(node.pointer, body), body);
  if (node.message === AGGREGATE && node.children.length > 0) {
    for (const child of node.children) collect(child, body, out);
    return;
  }
  if (node.children.length > 0) {
    // oneOf / anyOf / allOf: one error at the parent, the alternatives as detail.
    const detail = node.children.map((child) => child.message).filter((m) => m !== AGGREGATE);
    const unique = [...new Set(detail)];
    const message = unique.length > 0 ? `${node.message} (${unique.join('; ')})` : node.message;
    out.push({ path, message });
    return;
  }
  out.push(...expandAdditional(path, node.message, body));
}

const ADDITIONAL = /^additional propert(?:y|ies) ('.*') not allowed$/;

/** `additional properties 'a', 'b' not allowed` at an object → one error per unknown key, at that key. */
function expandAdditional(
  path: (string | number)[],
  message: string,
  body: JsonValue | undefined,
): SchemaError[] {
  const match = ADDITIONAL.exec(message);
  if (!match?.[1]) return [{ path, message }];
  const names = [...match[1].matchAll(/'([^']*)'/g)].map((m) => m[1] ?? '');
  if (names.length === 0) return [{ path, message }];
  const parent = at(body, path);
  return names.map((name) => ({
    path: [...path, name],
    message:
      parent === undefined || isObject(parent)
        ? `unknown field '${name}' (additional property not allowed)`
        : message,
  }));
}

/** An RFC 6901 pointer (`/a/b~1c/0`) → ['a', 'b/c', 0], with a segment a number only where the document has a list. */
export function pointerToPath(pointer: string, body?: JsonValue): (string | number)[] {
  if (pointer === '' || pointer === '/') return [];
  const segments = pointer
    .replace(/^\//, '')
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  const path: (string | number)[] = [];
  let node: JsonValue | undefined = body;
  for (const segment of segments) {
    const step = indexOrKey(node, segment);
    path.push(step);
    node = step === undefined ? undefined : child(node, step);
  }
  return path;
}

/** kubeconform's `validationErrors` paths join raw keys with `/`; rejoin segments to match real keys. */
function unescapedPointerToPath(pointer: string, body?: JsonValue): (string | number)[] {
  if (pointer === '' || pointer === '/') return [];
  const segments = pointer.replace(/^\//, '').split('/');
  const path: (string | number)[] = [];
  let node: JsonValue | undefined = body;
  for (let i = 0; i < segments.length; i++) {
    if (isObject(node)) {
      // Prefer the longest run of segments that names an existing key (`azure.workload.identity/client-id`).
      let taken = 1;
      for (let j = segments.length; j > i + 1; j--) {
        if (Object.hasOwn(node, segments.slice(i, j).join('/'))) {
          taken = j - i;
          break;
        }
      }
      const key = segments.slice(i, i + taken).join('/');
      path.push(key);
      node = node[key];
      i += taken - 1;
      continue;
    }
    const step = indexOrKey(node, segments[i] ?? '');
    path.push(step);
    node = child(node, step);
  }
  return path;
}

function indexOrKey(node: JsonValue | undefined, segment: string): string | number {
  const numeric = /^(0|[1-9]\d*)$/.test(segment);
  if (Array.isArray(node)) return numeric ? Number(segment) : segment;
  // Without the document, a number is most likely a list index (containers/0).
  if (node === undefined && numeric) return Number(segment);
  return segment;
}

function child(node: JsonValue | undefined, step: string | number): JsonValue | undefined {
  if (Array.isArray(node)) return typeof step === 'number' ? node[step] : undefined;
  if (isObject(node)) return node[String(step)];
  return undefined;
}

function at(body: JsonValue | undefined, path: FieldPath): JsonValue | undefined {
  let node = body;
  for (const step of path) node = child(node, step);
  return node;
}

function isObject(node: JsonValue | undefined): node is { [key: string]: JsonValue } {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

function dedupe(errors: SchemaError[]): SchemaError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = JSON.stringify([error.path, error.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** jsonschema reports causes in no fixed order; sort by path (indices numerically), then message. */
function sortErrors(errors: SchemaError[]): SchemaError[] {
  return errors.sort((a, b) => comparePaths(a.path, b.path) || a.message.localeCompare(b.message));
}

function comparePaths(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as string | number;
    const y = b[i] as string | number;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x).localeCompare(String(y));
  }
  return a.length - b.length;
}
