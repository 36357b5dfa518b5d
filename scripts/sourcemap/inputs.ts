import { type Document, LineCounter } from 'yaml';
import { ExitError } from '../lib/exit-error.js';
import { INPUT_LIMITS } from '../render/input-file.js';
import { documentToJson, parseYamlWithPositions } from '../render/parse.js';
import { SHAPE_LIMITS } from '../render/yaml-shape.js';
import type { SourceFiles } from './files.js';
import { type Layer, layersInApplicationOrder } from './tree.js';

/**
 * Every file and inline string kustomize will read for these trees, checked before it runs:
 * kustomize has no limits of its own and hangs on an alias bomb or a FIFO, or reads /dev/zero
 * until memory runs out. Each file must be a regular file inside the repository and at most
 * INPUT_LIMITS.maxFileBytes; YAML is measured (documents, nesting) and, when it holds an anchor,
 * expanded under the alias limit; the tree as a whole is bounded in files, bytes and documents.
 */
export function checkInputs(tree: Layer, files: SourceFiles): void {
  const seen = new Set<string>();
  let bytes = 0;
  let documents = 0;
  const count = (path: string, size: number, docs: number) => {
    seen.add(path);
    bytes += size;
    documents += docs;
    if (seen.size > INPUT_LIMITS.maxTreeFiles) {
      throw new ExitError(`the tree reads more than ${INPUT_LIMITS.maxTreeFiles} files`, 2, {
        file: files.shown(tree.file.path),
      });
    }
    if (bytes > INPUT_LIMITS.maxTreeBytes) {
      throw new ExitError(
        `the tree's files hold more than ${INPUT_LIMITS.maxTreeBytes >> 20} MiB together (at ${files.shown(path)})`,
        2,
        { file: files.shown(tree.file.path) },
      );
    }
    if (documents > SHAPE_LIMITS.maxDocuments) {
      throw new ExitError(
        `the tree's files hold more than ${SHAPE_LIMITS.maxDocuments} YAML documents together (at ${files.shown(path)})`,
        2,
        { file: files.shown(tree.file.path) },
      );
    }
  };
  const yamlFile = (path: string) => {
    if (seen.has(path)) return;
    const text = files.text(path);
    if (text === undefined) throw new ExitError('does not exist', 2, { file: files.shown(path) });
    count(path, text.length, files.documentCount(path));
    if (ANCHOR.test(text)) files.expand(path);
  };
  const dataFile = (path: string) => {
    if (seen.has(path)) return;
    // Copied by kustomize, not parsed: its type and size are checked without reading it.
    count(path, files.inspect(path).size, 0);
  };
  const envFile = (path: string) => {
    if (seen.has(path)) return;
    count(path, files.text(path)?.length ?? 0, 0);
  };
  for (const layer of allLayers(tree)) {
    yamlFile(layer.file.path);
    for (const path of layer.resourceFiles) yamlFile(path);
    for (const patch of layer.patches) {
      if (patch.file.path === layer.file.path) expandInline(patch.documents, layer, patch.position);
      else yamlFile(patch.file.path);
    }
    for (const generator of layer.generators) for (const path of generator.envFiles) envFile(path);
    for (const input of layer.inputs) (input.yaml ? yamlFile : dataFile)(input.path);
    for (const inline of layer.inlineConfigs) {
      const parsed = parseYamlWithPositions(inline.text, `${layer.file.shown} (inline configuration)`);
      const start = layer.file.lineCounter.linePos(inline.node.range?.[0] ?? 0);
      expandInline(parsed.documents, layer, () => ({ line: start.line, column: start.col }));
    }
  }
}

/**
 * Inline patches and configurations are strings inside the kustomization, parsed on their own:
 * expanded there, and an alias bomb is reported at the kustomization line the string starts on.
 */
function expandInline(
  documents: readonly Document.Parsed[],
  layer: Layer,
  at: (offset: number) => { line: number; column: number },
): void {
  if (!ANCHOR.test(layer.file.text)) return;
  for (const document of documents) {
    try {
      documentToJson(document, layer.file.shown, new LineCounter());
    } catch (error) {
      if (!(error instanceof ExitError)) throw error;
      const { line, column } = at(document.contents?.range?.[0] ?? document.range[0]);
      throw new ExitError(`inline ${error.message}`, 2, { file: layer.file.shown, line, column });
    }
  }
}

/** The layers of a tree, with the kustomizations that configure its plugins, each once. */
function allLayers(tree: Layer): Layer[] {
  const out: Layer[] = [];
  const seen = new Set<Layer>();
  const visit = (layer: Layer) => {
    for (const each of layersInApplicationOrder(layer)) {
      if (seen.has(each)) continue;
      seen.add(each);
      out.push(each);
      for (const plugin of each.pluginLayers) visit(plugin);
    }
  };
  visit(tree);
  return out;
}

/** A YAML anchor: `&` followed by a name, at the start of a node. Without one there is no alias to expand. */
export const ANCHOR = /(^|[\s[{,:-])&[^\s,[\]{}]+/m;

/**
 * After kustomize failed: a source file our parser can pin to a line beats kustomize's message.
 * Every resource and patch file is parsed and expanded; a resource document that is a list or a
 * scalar (kustomize says only "missing Resource metadata") is named at its line.
 */
export function explainRenderFailure(tree: Layer, files: SourceFiles): void {
  for (const layer of allLayers(tree)) {
    for (const path of layer.resourceFiles) {
      const file = files.yaml(path);
      for (const [index, value] of files.values(path).entries()) {
        if (value === null || (typeof value === 'object' && !Array.isArray(value))) continue;
        const document = file.documents[index];
        const at = file.lineCounter.linePos(document?.contents?.range?.[0] ?? document?.range[0] ?? 0);
        throw new ExitError(
          `a resource document must be a Kubernetes object (a YAML mapping), not ${Array.isArray(value) ? 'a list' : 'a scalar'}`,
          2,
          { file: file.shown, line: at.line, column: at.col },
        );
      }
    }
    for (const patch of layer.patches) {
      if (patch.file.path !== layer.file.path) files.expand(patch.file.path);
    }
  }
}
