import { existsSync, realpathSync } from 'node:fs';
import { relative } from 'node:path';
import type { Document, LineCounter } from 'yaml';
import type { JsonValue } from '../core/resource.js';
import { ExitError } from '../lib/exit-error.js';
import { repositoryRoot } from '../lib/repo.js';
import { type InputFile, inspectInput, isInside, readInputText } from '../render/input-file.js';
import { documentToJson, parseYamlWithPositions } from '../render/parse.js';
import { checkYamlShape } from '../render/yaml-shape.js';

/** A source file in the tree, parsed once, with positions. */
export interface SourceFile {
  /** Absolute path. */
  path: string;
  /** Relative to the repository root, forward slashes: what findings print. */
  shown: string;
  text: string;
  documents: Document.Parsed[];
  lineCounter: LineCounter;
}

/** Reads and parses YAML files once per run; every parse is bounded (see YAML_LIMITS). */
export class SourceFiles {
  private readonly cache = new Map<string, SourceFile>();
  private readonly texts = new Map<string, string | undefined>();
  private readonly expanded = new Set<string>();
  private readonly counts = new Map<string, number>();
  /** Directories whose files may be read: the repository, and the repository of any tree outside it. */
  private readonly boundaries: string[];

  constructor(readonly root: string) {
    this.boundaries = [realOrSelf(root)];
  }

  /** Lets files of a tree outside the repository be read: the tree's own repository (or itself) bounds it. */
  allowTree(dir: string): void {
    if (this.isInside(dir)) return;
    this.boundaries.push(realOrSelf(repositoryRoot(dir)));
  }

  /** The path, after symlinks, lies inside one of the boundaries. */
  isInside(path: string): boolean {
    const real = realOrSelf(path);
    return this.boundaries.some((boundary) => isInside(boundary, real));
  }

  private boundaryOf(path: string): string {
    const real = realOrSelf(path);
    return this.boundaries.find((boundary) => isInside(boundary, real)) ?? this.boundaries[0] ?? this.root;
  }

  shown(path: string): string {
    return relative(this.root, path).split('\\').join('/');
  }

  yaml(path: string): SourceFile {
    const hit = this.cache.get(path);
    if (hit) return hit;
    const shown = this.shown(path);
    const text = this.text(path);
    if (text === undefined) throw new ExitError('cannot be read', 2, { file: shown });
    const { documents, lineCounter } = parseYamlWithPositions(text, shown);
    const file: SourceFile = { path, shown, text, documents, lineCounter };
    this.cache.set(path, file);
    return file;
  }

  /**
   * How many YAML documents the file holds, measured once: a file already parsed (a kustomization,
   * a patch file) was measured by its parse, any other is measured by the linear shape scan alone.
   */
  documentCount(path: string): number {
    const parsed = this.cache.get(path);
    if (parsed) return parsed.documents.length;
    const counted = this.counts.get(path);
    if (counted !== undefined) return counted;
    const text = this.text(path);
    if (text === undefined) throw new ExitError('does not exist', 2, { file: this.shown(path) });
    const documents = checkYamlShape(text, this.shown(path)).documents;
    this.counts.set(path, documents);
    return documents;
  }

  /** Type, size and boundary of a file kustomize copies without parsing (a generator's file source). */
  inspect(path: string): InputFile {
    return inspectInput(path, this.boundaryOf(path), this.shown(path));
  }

  /**
   * Plain text (env files, and what yaml() parses), read once; undefined when it does not exist.
   * A file that is not regular, too large, binary or outside the repository is an ExitError
   * naming it, decided before it is opened (see input-file.ts).
   */
  text(path: string): string | undefined {
    if (this.texts.has(path)) return this.texts.get(path);
    const text = existsSync(path) ? readInputText(path, this.boundaryOf(path), this.shown(path)) : undefined;
    this.texts.set(path, text);
    return text;
  }

  /**
   * Every document of a YAML file as plain data, aliases expanded under the bounded limit: an
   * alias bomb throws an ExitError naming the file here, before kustomize (which hangs on one) sees it.
   */
  values(path: string): JsonValue[] {
    const file = this.yaml(path);
    const values = file.documents.map((document) => documentToJson(document, file.shown, file.lineCounter));
    this.expanded.add(path);
    return values;
  }

  /** Expands a file (see values()) unless that was done already. */
  expand(path: string): void {
    if (!this.expanded.has(path)) this.values(path);
  }
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
