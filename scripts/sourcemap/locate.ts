import { resolve } from 'node:path';
import { type Document, isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import type { SourceLocation } from '../core/finding.js';
import { type FieldPath, getPath, type JsonValue, type Resource } from '../core/resource.js';
import { compileConfigPattern } from '../lib/patterns.js';
import type { ResourceOrigin } from '../render/parse.js';
import type { SourceFile, SourceFiles } from './files.js';
import { envFileEntries, type Generator, type Layer, type PatchSource, scalarString } from './tree.js';
import { walkSource } from './walk.js';

/** A layer with the name prefix and suffix kustomize wraps around the names it defines. */
interface ScopedLayer {
  layer: Layer;
  prefix: string;
  suffix: string;
}

const GENERATED_KINDS = new Set(['ConfigMap', 'Secret']);
const HASH_SUFFIX = /-[a-z0-9]{10}$/;

/**
 * Maps a field of a rendered object to the file and line a person edits: the patch that
 * wrote it last, the generator literal or env-file line, the `images:` entry, or the base
 * resource; for a missing field, the nearest enclosing node that exists.
 */
export class SourceLocator {
  /** Newest first: the overlay's own transformers win over its components, which win over bases. */
  private readonly newestFirst: ScopedLayer[];

  constructor(
    private readonly overlay: Layer,
    private readonly files: SourceFiles,
  ) {
    this.newestFirst = scopeLayers(overlay, '', '').reverse();
  }

  /**
   * `valueLine`: for a multi-line string field, the line in the value (1-based) the finding is
   * about; the location is then that line of a generator's file source or of a `|` block scalar.
   */
  locate(
    resource: Resource,
    origin: ResourceOrigin | undefined,
    path: FieldPath = [],
    valueLine?: number,
  ): SourceLocation {
    const existing = existingPrefix(resource.body, path);
    const missing = existing.length < path.length;
    const found = missing
      ? (this.fromRemovers(resource, path) ??
        this.fromDefinition(resource, origin, existing, true) ??
        this.fromWriters(resource, existing))
      : (this.fromWriters(resource, existing, valueLine) ??
        this.fromDefinition(resource, origin, existing, false, valueLine));
    return found ?? this.fromDefinition(resource, origin, [], false) ?? this.kustomizationStart(this.overlay);
  }

  /** The object's name where it is defined, before namePrefix/nameSuffix and generator hashes. */
  sourceName(resource: Resource): string | undefined {
    if (GENERATED_KINDS.has(resource.kind)) {
      for (const scoped of this.newestFirst) {
        const generator = scoped.layer.generators.find(
          (each) => each.kind === resource.kind && nameMatches(each.name, resource, scoped),
        );
        if (generator) return generator.name;
      }
    }
    const object = this.definingObject(resource, undefined)?.object;
    const metadata = isMap(object) ? object.get('metadata', true) : undefined;
    return isMap(metadata) ? scalarString(metadata.get('name', true)) : undefined;
  }

  /** The document in a resource file (the origin's, when kustomize named one) that defines the object. */
  private definingObject(
    resource: Resource,
    origin: ResourceOrigin | undefined,
  ): { file: SourceFile; object: Node } | undefined {
    const originPath = origin?.path ? resolve(this.overlay.dir, origin.path) : undefined;
    for (const scoped of this.newestFirst) {
      for (const filePath of scoped.layer.resourceFiles) {
        if (originPath && filePath !== originPath) continue;
        const file = this.files.yaml(filePath);
        const object = definedObjects(file.documents).find((each) => objectNames(each, resource, scoped));
        if (object) return { file, object };
      }
    }
    return undefined;
  }

  /** Transformers that may have written the field, newest first. */
  private fromWriters(resource: Resource, path: FieldPath, valueLine?: number): SourceLocation | undefined {
    for (const scoped of this.newestFirst) {
      const { layer } = scoped;
      const image = imageField(resource, path);
      if (image !== undefined) {
        const override = layer.images.find(
          (each) => (each.newName ?? each.name) === image || each.name === image,
        );
        if (override) return at(layer.file, override.valueNode);
      }
      if (path.length === 2 && path[0] === 'spec' && path[1] === 'replicas') {
        const override = layer.replicas.find((each) => nameMatches(each.name, resource, scoped));
        if (override) return at(layer.file, override.node);
      }
      for (const patch of [...layer.patches].reverse()) {
        const hit = locateInPatch(patch, resource, path, scoped, valueLine);
        if (hit) return hit;
      }
      if (path.length === 2 && path[0] === 'metadata' && path[1] === 'namespace' && layer.namespace) {
        return at(layer.file, layer.namespace);
      }
      if (isDataPath(path)) {
        const generated = this.fromGenerators(
          resource,
          path,
          scoped,
          (generator) => generator.behavior !== 'create',
          valueLine,
        );
        if (generated) return generated;
      }
    }
    return undefined;
  }

  /**
   * A missing field a patch removed (`field: null` in a strategic merge, a JSON 6902 `remove` of it or
   * of an ancestor): the removal is the line to edit, not the definition it undid.
   */
  private fromRemovers(resource: Resource, path: FieldPath): SourceLocation | undefined {
    for (const scoped of this.newestFirst) {
      for (const patch of [...scoped.layer.patches].reverse()) {
        const hit = locateRemoval(patch, resource, path, scoped);
        if (hit) return hit;
      }
    }
    return undefined;
  }

  /** The resource file (or generator) that defined the object. */
  private fromDefinition(
    resource: Resource,
    origin: ResourceOrigin | undefined,
    path: FieldPath,
    exactOnly: boolean,
    valueLine?: number,
  ): SourceLocation | undefined {
    if (GENERATED_KINDS.has(resource.kind) && (origin?.generator || !origin?.path)) {
      for (const scoped of this.newestFirst) {
        const hit = this.fromGenerators(
          resource,
          path,
          scoped,
          (generator) => generator.behavior === 'create',
          valueLine,
        );
        if (hit) return hit;
      }
    }
    const defining = this.definingObject(resource, origin);
    if (!defining) return undefined;
    const walked = walkSource(defining.object, resource.body, path);
    if (exactOnly && walked.depth < path.length) return undefined;
    if (walked.depth === path.length && path.length > 0) {
      const line = blockLine(walked.value, valueLine, (offset) => at(defining.file, offset).line);
      if (line !== undefined) return lineOf(defining.file, line);
    }
    return at(defining.file, walked.node);
  }

  private fromGenerators(
    resource: Resource,
    path: FieldPath,
    scoped: ScopedLayer,
    accept: (generator: Generator) => boolean,
    valueLine?: number,
  ): SourceLocation | undefined {
    if (!GENERATED_KINDS.has(resource.kind)) return undefined;
    const key = isDataPath(path) ? String(path[1]) : undefined;
    for (const generator of [...scoped.layer.generators].reverse()) {
      if (
        generator.kind !== resource.kind ||
        !accept(generator) ||
        !nameMatches(generator.name, resource, scoped)
      )
        continue;
      if (key === undefined) return at(scoped.layer.file, generator.entry);
      const literal = generator.literals.find((each) => each.key === key);
      if (literal) return at(scoped.layer.file, literal.node);
      const file = generator.files.find((each) => each.key === key);
      // The value is the file's content: point into the file (at the line the finding names), as for env files.
      if (file) return { file: this.files.shown(file.path), line: valueLine ?? 1, column: 1 };
      for (const envFile of [...generator.envFiles].reverse()) {
        const entry = envFileEntries(this.files.text(envFile) ?? '').find((each) => each.key === key);
        if (entry) return { file: this.files.shown(envFile), line: entry.line, column: 1 };
      }
      // behavior: merge that does not set this key did not write it.
      if (generator.behavior === 'create' || generator.behavior === 'replace')
        return at(scoped.layer.file, generator.entry);
    }
    return undefined;
  }

  private kustomizationStart(layer: Layer): SourceLocation {
    return { file: layer.file.shown, line: 1, column: 1 };
  }
}

function scopeLayers(layer: Layer, outerPrefix: string, outerSuffix: string): ScopedLayer[] {
  const prefix = outerPrefix + layer.namePrefix;
  const suffix = layer.nameSuffix + outerSuffix;
  const out: ScopedLayer[] = [];
  for (const base of layer.bases) out.push(...scopeLayers(base, prefix, suffix));
  for (const component of layer.components) out.push(...scopeLayers(component, prefix, suffix));
  out.push({ layer, prefix, suffix });
  return out;
}

/** The longest prefix of `path` that exists in the rendered object. */
function existingPrefix(body: JsonValue, path: FieldPath): FieldPath {
  for (let length = path.length; length > 0; length--) {
    const prefix = path.slice(0, length);
    if (getPath(body, prefix) !== undefined) return prefix;
  }
  return [];
}

/**
 * Does a name in a source file denote the rendered object? kustomize wraps names in the
 * prefixes and suffixes of every layer above (a patch may name the object with or without
 * its own layer's prefix), and generators append a content hash.
 */
function nameMatches(sourceName: string, resource: Resource, scoped: ScopedLayer): boolean {
  const rendered = GENERATED_KINDS.has(resource.kind)
    ? resource.name.replace(HASH_SUFFIX, '')
    : resource.name;
  if (rendered === sourceName || resource.name === sourceName) return true;
  const { prefix, suffix } = scoped;
  for (let p = 0; p <= prefix.length; p++) {
    const head = prefix.slice(p);
    if (!rendered.startsWith(head)) continue;
    for (let s = 0; s <= suffix.length; s++) {
      const tail = suffix.slice(0, suffix.length - s);
      if (
        rendered.length === head.length + sourceName.length + tail.length &&
        rendered === head + sourceName + tail
      ) {
        return true;
      }
    }
  }
  return false;
}

function documentNames(document: Document.Parsed, resource: Resource, scoped: ScopedLayer): boolean {
  return objectNames(document.contents, resource, scoped);
}

/** The objects a resource file defines: each document, or the items of a `kind: List` (kustomize expands them). */
function definedObjects(documents: readonly Document.Parsed[]): Node[] {
  const out: Node[] = [];
  for (const document of documents) {
    const root = document.contents;
    if (!isMap(root)) continue;
    const items = root.get('items', true);
    if (scalarString(root.get('kind', true))?.endsWith('List') && isSeq(items)) {
      out.push(...(items.items as Node[]).filter((item) => isMap(item)));
    } else {
      out.push(root);
    }
  }
  return out;
}

function objectNames(root: unknown, resource: Resource, scoped: ScopedLayer): boolean {
  if (!isMap(root)) return false;
  if (scalarString(root.get('kind', true)) !== resource.kind) return false;
  const metadata = root.get('metadata', true);
  const name = isMap(metadata) ? scalarString(metadata.get('name', true)) : undefined;
  return name !== undefined && nameMatches(name, resource, scoped);
}

function locateInPatch(
  patch: PatchSource,
  resource: Resource,
  path: FieldPath,
  scoped: ScopedLayer,
  valueLine?: number,
): SourceLocation | undefined {
  if (patch.target) {
    if (patch.target.kind && patch.target.kind !== resource.kind) return undefined;
    if (patch.target.name && !targetNameMatches(patch.target.name, resource, scoped)) return undefined;
  }
  if (patch.kind === 'json6902') return locateInJsonPatch(patch, resource, path);
  for (const document of patch.documents) {
    const root = document.contents;
    if (!isMap(root)) continue;
    if (!patch.target && !documentNames(document, resource, scoped)) continue;
    if (
      patch.target &&
      scalarString(root.get('kind', true)) &&
      scalarString(root.get('kind', true)) !== resource.kind
    )
      continue;
    if (scalarString(root.get('$patch', true)) === 'delete') continue;
    const walked = walkSource(root, resource.body, path);
    if (walked.depth === path.length && path.length > 0) {
      const line = blockLine(walked.value, valueLine, (offset) => patch.position(offset).line);
      return line === undefined ? position(patch, walked.node) : lineOf(patch.file, line);
    }
  }
  return undefined;
}

function locateRemoval(
  patch: PatchSource,
  resource: Resource,
  path: FieldPath,
  scoped: ScopedLayer,
): SourceLocation | undefined {
  if (!patchApplies(patch, resource, scoped)) return undefined;
  if (patch.kind === 'json6902') {
    const ops = patch.documents[0]?.contents;
    if (!isSeq(ops)) return undefined;
    // Replayed backwards: each op's indices refer to the list as it was when the op ran.
    let current: FieldPath = path;
    for (const op of [...ops.items].reverse()) {
      if (!isMap(op)) continue;
      const pointerNode = op.get('path', true) as Node | undefined;
      const pointer = parsePointer(scalarString(pointerNode) ?? '');
      if (
        scalarString(op.get('op', true)) === 'remove' &&
        pointerPrefix(pointer, current, resource.body) !== undefined
      )
        return position(patch, pointerNode ?? op);
      const before = beforeOp(op, current);
      if (!before) return undefined;
      current = before;
    }
    return undefined;
  }
  for (const root of patchObjects(patch, resource, scoped)) {
    const walked = walkSource(root, resource.body, path);
    // `key: null` (or an empty `key:`) at the field or at one of its ancestors removed it.
    if (walked.depth > 0 && isNullNode(walked.value)) return position(patch, walked.node);
  }
  return undefined;
}

function isNullNode(node: Node | null | undefined): boolean {
  return node === null || (isScalar(node) && node.value === null);
}

/** Does a patch's `target` (if any) select the object? */
function patchApplies(patch: PatchSource, resource: Resource, scoped: ScopedLayer): boolean {
  if (!patch.target) return true;
  if (patch.target.kind && patch.target.kind !== resource.kind) return false;
  return !patch.target.name || targetNameMatches(patch.target.name, resource, scoped);
}

/** The strategic-merge documents of a patch that apply to the object. */
function patchObjects(patch: PatchSource, resource: Resource, scoped: ScopedLayer): Node[] {
  const out: Node[] = [];
  for (const document of patch.documents) {
    const root = document.contents;
    if (!isMap(root)) continue;
    if (!patch.target && !documentNames(document, resource, scoped)) continue;
    const kind = scalarString(root.get('kind', true));
    if (patch.target && kind && kind !== resource.kind) continue;
    if (scalarString(root.get('$patch', true)) === 'delete') continue;
    out.push(root);
  }
  return out;
}

/** A JSON 6902 op whose path is the field or one of its ancestors wrote it. */
function locateInJsonPatch(
  patch: PatchSource,
  resource: Resource,
  path: FieldPath,
): SourceLocation | undefined {
  const ops = patch.documents[0]?.contents;
  if (!isSeq(ops)) return undefined;
  // Replayed backwards: `current` is the field's path in the list as each op saw it, so an index
  // an earlier op used refers to the element that stood there then.
  let current: FieldPath = path;
  for (const op of [...ops.items].reverse()) {
    if (!isMap(op)) continue;
    const here = current;
    const kind = scalarString(op.get('op', true));
    const writes = kind === 'add' || kind === 'replace' || kind === 'copy' || kind === 'move';
    const pointerNode = op.get('path', true) as Node | undefined;
    const pointer = parsePointer(scalarString(pointerNode) ?? '');
    const matched = writes ? pointerPrefix(pointer, here, resource.body) : undefined;
    if (matched === undefined) {
      const before = beforeOp(op, current);
      // An add created the element here: the ops before it never saw it.
      if (!before) return undefined;
      current = before;
      continue;
    }
    const valueNode = op.get('value', true) as Node | undefined;
    if (valueNode && matched < path.length && (isMap(valueNode) || isSeq(valueNode))) {
      const walked = walkSource(
        valueNode,
        getPath(resource.body, path.slice(0, matched)),
        path.slice(matched),
      );
      if (walked.depth > 0) return position(patch, walked.node);
    }
    if (valueNode && matched === path.length) return position(patch, valueNode);
    return position(patch, pointerNode ?? op);
  }
  return undefined;
}

/**
 * The path of the same element before `op` ran: an `add` at an index of the same list moved the
 * later items up by one, a `remove` moved them down (a `move` is a remove, then an add). Indices
 * only; a path the op does not touch is returned as it is.
 */
function beforeOp(op: YAMLMap, path: FieldPath): FieldPath | undefined {
  const kind = scalarString(op.get('op', true));
  const target = parsePointer(scalarString(op.get('path', true)) ?? '');
  let out: FieldPath | undefined = path;
  if (kind === 'add' || kind === 'copy' || kind === 'move') out = shiftIndex(out, target, -1);
  if (out && kind === 'move')
    out = shiftIndex(out, parsePointer(scalarString(op.get('from', true)) ?? ''), +1);
  if (out && kind === 'remove') out = shiftIndex(out, target, +1);
  return out;
}

/**
 * Shifts the index `path` holds in the list `pointer` points into, when it is at or after the
 * pointer's index; undefined when an add at exactly that index created the element (no earlier op
 * can have touched it).
 */
function shiftIndex(path: FieldPath, pointer: readonly string[], by: 1 | -1): FieldPath | undefined {
  const depth = pointer.length - 1;
  if (depth < 0 || depth >= path.length) return path;
  const index = Number(pointer[depth]);
  const at = path[depth];
  if (!Number.isInteger(index) || typeof at !== 'number') return path;
  for (let i = 0; i < depth; i++) if (String(path[i]) !== pointer[i]) return path;
  if (by === -1 && at === index) return undefined;
  if (at < index) return path;
  const out = [...path];
  out[depth] = at + by;
  return out;
}

function parsePointer(pointer: string): string[] {
  if (!pointer.startsWith('/')) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((step) => step.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** How many steps of `path` the pointer covers, when it is an ancestor of (or equal to) it. */
function pointerPrefix(pointer: string[], path: FieldPath, body: JsonValue): number | undefined {
  if (pointer.length === 0 || pointer.length > path.length) return undefined;
  for (let i = 0; i < pointer.length; i++) {
    const step = pointer[i];
    const want = path[i];
    if (typeof want === 'number') {
      if (step === '-') {
        const list = getPath(body, path.slice(0, i));
        if (!Array.isArray(list) || want !== list.length - 1) return undefined;
      } else if (step !== String(want)) {
        return undefined;
      }
    } else if (step !== want) {
      return undefined;
    }
  }
  return pointer.length;
}

function targetNameMatches(pattern: string, resource: Resource, scoped: ScopedLayer): boolean {
  if (nameMatches(pattern, resource, scoped)) return true;
  // Patch target names are regular expressions anchored by kustomize (Go's RE2): matched in
  // linear time, since they come from the repository being validated.
  try {
    return compileConfigPattern(`^(?:${pattern})$`).test(resource.name);
  } catch {
    return false;
  }
}

/** `containers[i].image` (or initContainers) of a workload: the image name without tag or digest. */
function imageField(resource: Resource, path: FieldPath): string | undefined {
  const last = path[path.length - 1];
  const list = path[path.length - 3];
  if (
    last !== 'image' ||
    (list !== 'containers' && list !== 'initContainers' && list !== 'ephemeralContainers')
  ) {
    return undefined;
  }
  const image = getPath(resource.body, path);
  if (typeof image !== 'string') return undefined;
  return image.replace(/@.*$/, '').replace(/:[^:/]+$/, '');
}

function isDataPath(path: FieldPath): boolean {
  return path.length >= 2 && (path[0] === 'data' || path[0] === 'stringData' || path[0] === 'binaryData');
}

function at(file: SourceFile, node: Node | number | undefined): SourceLocation {
  const offset = typeof node === 'number' ? node : (node?.range?.[0] ?? 0);
  const pos = file.lineCounter.linePos(offset);
  return { file: file.shown, line: pos.line, column: pos.col };
}

/**
 * The file line of line `valueLine` of a `|` block scalar: the lines of a literal block are the
 * value's lines, one for one, starting below its header. Other styles fold or escape lines, so
 * they keep the field's own location (undefined).
 */
function blockLine(
  value: Node | null | undefined,
  valueLine: number | undefined,
  lineAt: (offset: number) => number,
): number | undefined {
  if (valueLine === undefined || !isScalar(value) || value.type !== 'BLOCK_LITERAL' || !value.range)
    return undefined;
  return lineAt(value.range[0]) + valueLine;
}

/** A whole line of a file, at its first non-blank character. */
function lineOf(file: SourceFile, line: number): SourceLocation {
  const start = file.lineCounter.lineStarts[line - 1];
  if (start === undefined) return { file: file.shown, line, column: 1 };
  const indent = /^[ \t]*/.exec(file.text.slice(start, start + 200))?.[0].length ?? 0;
  return { file: file.shown, line, column: indent + 1 };
}

function position(patch: PatchSource, node: Node): SourceLocation {
  const pos = patch.position(node.range?.[0] ?? 0);
  return { file: patch.file.shown, line: pos.line, column: pos.column };
}
