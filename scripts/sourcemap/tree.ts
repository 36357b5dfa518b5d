import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { type Document, isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import { ExitError } from '../lib/exit-error.js';
import { kustomizationFile } from '../render/discover.js';
import { parseYamlWithPositions } from '../render/parse.js';
import type { SourceFile, SourceFiles } from './files.js';

/**
 * The kustomization tree of one overlay, as far as source mapping needs it: which files
 * define resources, which patches apply where and in what order, which generators and
 * image overrides exist. Every field keeps its YAML node so a finding can point at it.
 */
export interface Layer {
  dir: string;
  file: SourceFile;
  isComponent: boolean;
  bases: Layer[];
  components: Layer[];
  resourceFiles: string[];
  patches: PatchSource[];
  images: ImageOverride[];
  replicas: ReplicaOverride[];
  generators: Generator[];
  /** Other files kustomize reads for this layer (transformer configs, CRDs, generator file sources…). */
  inputs: InputReference[];
  /** Inline YAML strings kustomize parses (transformers/generators/validators entries written in place). */
  inlineConfigs: { node: Node; text: string }[];
  /** Kustomization directories listed under transformers/generators/validators: their output configures plugins. */
  pluginLayers: Layer[];
  namespace?: Node;
  namePrefix: string;
  nameSuffix: string;
}

export interface InputReference {
  /** Absolute path. */
  path: string;
  /** YAML kustomize parses, or data it only copies (a generator's file source). */
  yaml: boolean;
}

export interface PatchTarget {
  kind?: string;
  name?: string;
}

export interface PatchSource {
  layer: Layer;
  kind: 'strategic' | 'json6902';
  /** The file the patch lives in: its own file, or the kustomization for inline patches. */
  file: SourceFile;
  /** Parsed patch documents (for inline patches, parsed from the string). */
  documents: Document.Parsed[];
  /** Maps a position in `documents` to the file: identity for files, shifted for inline block scalars. */
  position(offset: number): { line: number; column: number };
  target?: PatchTarget;
  /** The patch entry in the kustomization (fallback location). */
  entry: Node;
}

export interface ImageOverride {
  name: string;
  newName?: string;
  node: Node;
  /** The most specific node: digest, then newTag, then newName. */
  valueNode: Node;
}

export interface ReplicaOverride {
  name: string;
  node: Node;
}

export interface Generator {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  behavior: string;
  entry: Node;
  /** Each literal `KEY=value`: the key and its node. */
  literals: { key: string; node: Node }[];
  /** Env files (absolute paths), and file sources `KEY=path` or `path` (with the file's absolute path). */
  envFiles: string[];
  files: { key: string; node: Node; path: string }[];
}

/** Depth bound: a chain of bases deeper than this is a cycle or a mistake. */
const MAX_DEPTH = 32;

export function loadTree(overlayDir: string, files: SourceFiles): Layer {
  return loadLayer(resolve(overlayDir), files, [], false);
}

function loadLayer(dir: string, files: SourceFiles, chain: string[], isComponent: boolean): Layer {
  const path = kustomizationFile(dir);
  if (!path)
    throw new ExitError('no kustomization.yaml in this directory', 2, { file: files.shown(dir) || '.' });
  if (chain.includes(dir) || chain.length > MAX_DEPTH) {
    throw new ExitError('kustomization refers back to itself (a cycle of bases)', 2, {
      file: files.shown(path),
    });
  }
  const file = files.yaml(path);
  const root = file.documents[0]?.contents;
  const layer: Layer = {
    dir,
    file,
    isComponent,
    bases: [],
    components: [],
    resourceFiles: [],
    patches: [],
    images: [],
    replicas: [],
    generators: [],
    inputs: [],
    inlineConfigs: [],
    pluginLayers: [],
    namePrefix: '',
    nameSuffix: '',
  };
  if (!isMap(root)) return layer;
  const next = [...chain, dir];
  for (const item of seqItems(root, 'resources').concat(seqItems(root, 'bases'))) {
    const value = scalarString(item);
    if (value === undefined) continue;
    const target = resolve(dir, value);
    // Remote: kustomize fetches it (its objects are located at this kustomization).
    if (isRemote(value) && !existsSync(target)) continue;
    mustExist(target, file, item, 'resource', files);
    if (statSync(target).isDirectory()) {
      layer.bases.push(loadLayer(target, files, next, false));
    } else {
      layer.resourceFiles.push(target);
    }
  }
  for (const item of seqItems(root, 'components')) {
    const value = scalarString(item);
    if (value === undefined) continue;
    mustExist(resolve(dir, value), file, item, 'component', files);
    layer.components.push(loadLayer(resolve(dir, value), files, next, true));
  }
  readPluginConfigs(layer, root, files, next);
  readOtherInputs(layer, root, files);
  layer.namePrefix = scalarString(root.get('namePrefix', true)) ?? '';
  layer.nameSuffix = scalarString(root.get('nameSuffix', true)) ?? '';
  const namespace = root.get('namespace', true);
  if (namespace) layer.namespace = namespace as Node;
  readPatches(layer, root, files);
  readImages(layer, root);
  readReplicas(layer, root);
  readGenerators(layer, root, 'configMapGenerator', 'ConfigMap', files);
  readGenerators(layer, root, 'secretGenerator', 'Secret', files);
  return layer;
}

function readPatches(layer: Layer, root: YAMLMap, files: SourceFiles): void {
  // kustomize applies patchesStrategicMerge, then patchesJson6902, then patches.
  for (const item of seqItems(root, 'patchesStrategicMerge')) {
    const value = scalarString(item);
    if (value === undefined) continue;
    const looksInline = value.includes('\n') || /^\s*(apiVersion|kind|metadata)\s*:/.test(value);
    if (!looksInline && isRemote(value) && !existsSync(resolve(layer.dir, value))) continue;
    layer.patches.push(
      looksInline
        ? inlinePatch(layer, item, item, undefined)
        : filePatch(layer, resolve(layer.dir, value), item, undefined, files),
    );
  }
  for (const item of seqItems(root, 'patchesJson6902').concat(seqItems(root, 'patches'))) {
    if (!isMap(item)) continue;
    const target = readTarget(item.get('target', true));
    const pathNode = item.get('path', true);
    const patchNode = item.get('patch', true);
    const pathValue = scalarString(pathNode);
    if (pathValue !== undefined) {
      // A remote patch (`path: https://…`): kustomize fetches it; what it sets is located at this kustomization.
      if (isRemote(pathValue) && !existsSync(resolve(layer.dir, pathValue))) continue;
      layer.patches.push(filePatch(layer, resolve(layer.dir, pathValue), item, target, files));
    } else if (patchNode) {
      layer.patches.push(inlinePatch(layer, patchNode as Node, item, target));
    }
  }
}

function filePatch(
  layer: Layer,
  path: string,
  entry: Node,
  target: PatchTarget | undefined,
  files: SourceFiles,
): PatchSource {
  mustExist(path, layer.file, entry, 'patch', files);
  const file = files.yaml(path);
  return {
    layer,
    kind: isSeq(file.documents[0]?.contents) ? 'json6902' : 'strategic',
    file,
    documents: file.documents,
    position: (offset) => {
      const at = file.lineCounter.linePos(offset);
      return { line: at.line, column: at.col };
    },
    target,
    entry,
  };
}

/**
 * An inline patch is a string inside kustomization.yaml. For a block scalar (`patch: |-`) its
 * lines map one to one onto the file's lines, shifted by the block's first line and indent;
 * other string styles fall back to the `patch:` entry.
 */
function inlinePatch(layer: Layer, node: Node, entry: Node, target: PatchTarget | undefined): PatchSource {
  const file = layer.file;
  const text = scalarString(node) ?? '';
  // Bounded like every other parse; an error inside the string names the kustomization.
  const parsed = parseYamlWithPositions(text, `${file.shown} (inline patch)`);
  const start = node.range?.[0] ?? 0;
  const header = file.lineCounter.linePos(start);
  const isBlock = isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED');
  const firstContentLine = header.line + 1;
  const indent = blockIndent(file.text, file.lineCounter, firstContentLine);
  const fallback = { line: header.line, column: header.col };
  return {
    layer,
    kind: isSeq(parsed.documents[0]?.contents) ? 'json6902' : 'strategic',
    file,
    documents: parsed.documents,
    position: (offset) => {
      if (!isBlock) return fallback;
      const at = parsed.lineCounter.linePos(offset);
      return { line: firstContentLine + at.line - 1, column: indent + at.col };
    },
    target,
    entry,
  };
}

function blockIndent(text: string, lineCounter: { lineStarts: number[] }, line: number): number {
  const start = lineCounter.lineStarts[line - 1];
  if (start === undefined) return 0;
  const rest = text.slice(start);
  const match = /^( *)/.exec(rest);
  return match?.[1]?.length ?? 0;
}

function readTarget(node: unknown): PatchTarget | undefined {
  if (!isMap(node)) return undefined;
  return { kind: scalarString(node.get('kind', true)), name: scalarString(node.get('name', true)) };
}

function readImages(layer: Layer, root: YAMLMap): void {
  for (const item of seqItems(root, 'images')) {
    if (!isMap(item)) continue;
    const name = scalarString(item.get('name', true));
    if (!name) continue;
    const newName = scalarString(item.get('newName', true));
    const valueNode = (item.get('digest', true) ??
      item.get('newTag', true) ??
      item.get('newName', true) ??
      item) as Node;
    layer.images.push({ name, newName, node: item, valueNode: pairKey(item, valueNode) ?? valueNode });
  }
}

function readReplicas(layer: Layer, root: YAMLMap): void {
  for (const item of seqItems(root, 'replicas')) {
    if (!isMap(item)) continue;
    const name = scalarString(item.get('name', true));
    if (!name) continue;
    const count = item.get('count', true) as Node | undefined;
    layer.replicas.push({ name, node: (count && pairKey(item, count)) ?? item });
  }
}

/** A generator entry: a ConfigMap/Secret key (what the API server accepts), `=`, the value. */
const KEY_VALUE = /^[-._a-zA-Z0-9]+=/;
const NOT_KEY_VALUE = "must be KEY=value, the key of letters, digits, '-', '_' and '.'";

/** One entry of a generator env file: `KEY=value`, or a bare `KEY` (kustomize reads it from its environment). */
export interface EnvEntry {
  /** 1-based. */
  line: number;
  column: number;
  key: string;
  /** After the `=`; for a bare key, the whole line. */
  value: string;
  /** The key is one the API server accepts. */
  valid: boolean;
}

/** The entries of an env file, the one reading of its syntax (blank lines and `#` comments skipped). */
export function envFileEntries(text: string): EnvEntry[] {
  const entries: EnvEntry[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((line, index) => {
      const trimmed = line.trimStart();
      if (trimmed === '' || trimmed.startsWith('#')) return;
      const equals = trimmed.indexOf('=');
      entries.push({
        line: index + 1,
        column: line.length - trimmed.length + 1,
        key: equals >= 0 ? trimmed.slice(0, equals) : trimmed.trimEnd(),
        value: equals >= 0 ? trimmed.slice(equals + 1) : line,
        valid: KEY_VALUE.test(trimmed) || /^[-._a-zA-Z0-9]+\s*$/.test(trimmed),
      });
    });
  return entries;
}

/**
 * An env-file line whose key is not a valid key (`API_KEY hunter2`, a forgotten `=`) becomes a key
 * holding the value: in the rendered Secret, and in whatever prints its keys. Rejected at its line.
 */
function checkEnvFile(path: string, files: SourceFiles): void {
  const invalid = envFileEntries(files.text(path) ?? '').find((entry) => !entry.valid);
  if (!invalid) return;
  throw new ExitError(`env file line ${NOT_KEY_VALUE} (the line is not shown)`, 2, {
    file: files.shown(path),
    line: invalid.line,
    column: invalid.column,
  });
}

function readGenerators(
  layer: Layer,
  root: YAMLMap,
  field: string,
  kind: 'ConfigMap' | 'Secret',
  sources: SourceFiles,
): void {
  for (const item of seqItems(root, field)) {
    if (!isMap(item)) continue;
    const name = scalarString(item.get('name', true));
    if (!name) continue;
    const literals = seqItems(item, 'literals').flatMap((node) => {
      const value = scalarString(node);
      // kustomize rejects a literal without `=` quoting all of it (the value) in its error, and the API
      // server rejects a key outside [-._a-zA-Z0-9]; either way nothing of it may be printed.
      if (value !== undefined && !KEY_VALUE.test(value)) {
        const at = layer.file.lineCounter.linePos(node.range?.[0] ?? 0);
        throw new ExitError(`${field} ${name}: a literal ${NOT_KEY_VALUE} (the literal is not shown)`, 2, {
          file: layer.file.shown,
          line: at.line,
          column: at.col,
        });
      }
      const key = value?.split('=')[0]?.trim();
      return key ? [{ key, node }] : [];
    });
    const envFiles = seqItems(item, 'envs')
      .concat(item.get('env', true) ? [item.get('env', true) as Node] : [])
      .flatMap((node) => {
        const value = scalarString(node);
        if (!value) return [];
        const path = resolve(layer.dir, value);
        mustExist(path, layer.file, node, 'env file', sources);
        checkEnvFile(path, sources);
        return [path];
      });
    const fileSources = seqItems(item, 'files').flatMap((node) => {
      const value = scalarString(node);
      if (!value) return [];
      const key = value.includes('=') ? (value.split('=')[0] ?? '') : basename(value);
      const path = resolve(layer.dir, value.includes('=') ? value.slice(value.indexOf('=') + 1) : value);
      mustExist(path, layer.file, node, 'file source', sources);
      layer.inputs.push({ path, yaml: false });
      return [{ key: key.trim(), node, path }];
    });
    const nameNode = item.get('name', true) as Node;
    layer.generators.push({
      kind,
      name,
      behavior: scalarString(item.get('behavior', true)) ?? 'create',
      entry: pairKey(item, nameNode) ?? item,
      literals,
      envFiles,
      files: fileSources,
    });
  }
}

/**
 * A resource kustomize would fetch: a URL, `git@…`, or a scheme-less `host.tld/org/repo…` or `…?ref=`
 * (kustomize tries a local path first, so this is asked only when there is none).
 */
function isRemote(value: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ||
    value.startsWith('git@') ||
    /^[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(:\d+)?\//i.test(value) ||
    /[?&](ref|version|timeout|submodules)=/.test(value)
  );
}

/**
 * Plugin configuration entries: a file, a kustomization directory (its output configures the
 * plugins), or an inline YAML string. kustomize parses all three, so all three are bounded.
 */
function readPluginConfigs(layer: Layer, root: YAMLMap, files: SourceFiles, chain: string[]): void {
  for (const field of ['transformers', 'generators', 'validators']) {
    for (const item of seqItems(root, field)) {
      const value = scalarString(item);
      if (value === undefined) continue;
      if (value.includes('\n') || /^\s*(apiVersion|kind)\s*:/.test(value)) {
        layer.inlineConfigs.push({ node: item, text: value });
        continue;
      }
      const path = resolve(layer.dir, value);
      if (isRemote(value) && !existsSync(path)) continue;
      mustExist(path, layer.file, item, field.replace(/s$/, ''), files);
      if (statSync(path).isDirectory()) layer.pluginLayers.push(loadLayer(path, files, chain, false));
      else layer.inputs.push({ path, yaml: true });
    }
  }
}

/** Files named by other fields: transformer configurations, CRD schemas, an OpenAPI schema, replacements. */
function readOtherInputs(layer: Layer, root: YAMLMap, files: SourceFiles): void {
  const nodes = [
    ...seqItems(root, 'configurations'),
    ...seqItems(root, 'crds'),
    ...seqItems(root, 'replacements').map((item) => (isMap(item) ? item.get('path', true) : undefined)),
  ];
  const openapi = root.get('openapi', true);
  if (isMap(openapi)) nodes.push(openapi.get('path', true) as Node);
  for (const node of nodes) {
    const value = scalarString(node);
    if (value === undefined) continue;
    const path = resolve(layer.dir, value);
    mustExist(path, layer.file, node as Node, 'file', files);
    layer.inputs.push({ path, yaml: true });
  }
}

/**
 * A reference to a missing file, or to one outside the repository (`/etc/passwd`, a symlink that
 * leads out), is reported at the kustomization line that makes it.
 */
function mustExist(path: string, file: SourceFile, node: Node, what: string, files: SourceFiles): void {
  const at = file.lineCounter.linePos(node.range?.[0] ?? 0);
  const name = scalarString(node) ?? scalarString(isMap(node) ? node.get('path', true) : undefined) ?? path;
  const location = { file: file.shown, line: at.line, column: at.col };
  if (!existsSync(path)) throw new ExitError(`${what} '${name}' does not exist`, 2, location);
  if (!files.isInside(path)) {
    throw new ExitError(
      `${what} '${name}' is outside the repository (or a symlink that leads out of it): not read`,
      2,
      location,
    );
  }
}

export function seqItems(map: YAMLMap, key: string): Node[] {
  const node = map.get(key, true);
  return isSeq(node) ? (node.items as Node[]) : [];
}

export function scalarString(node: unknown): string | undefined {
  if (isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number'))
    return String(node.value);
  return undefined;
}

/** The key node of the pair holding `value`, so a location points at `key:` rather than the value. */
export function pairKey(map: YAMLMap, value: Node): Node | undefined {
  const pair = map.items.find((each: Pair) => each.value === value);
  return pair && (pair.key as Node);
}

/** Every layer in the order kustomize finishes applying them: innermost bases first, the overlay last. */
export function layersInApplicationOrder(layer: Layer): Layer[] {
  const seen = new Set<Layer>();
  const out: Layer[] = [];
  const visit = (each: Layer) => {
    if (seen.has(each)) return;
    seen.add(each);
    for (const base of each.bases) visit(base);
    for (const component of each.components) visit(component);
    out.push(each);
  };
  visit(layer);
  return out;
}
