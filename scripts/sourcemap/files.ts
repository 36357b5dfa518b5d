import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Document, LineCounter } from 'yaml';
import type { JsonValue } from '../core/resource.js';
import { ExitError } from '../lib/exit-error.js';
import { documentToJson, parseYamlWithPositions } from '../render/parse.js';

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

  constructor(readonly root: string) {}

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

  /** Plain text (env files, and what yaml() parses), read once; undefined when unreadable. */
  text(path: string): string | undefined {
    if (this.texts.has(path)) return this.texts.get(path);
    let text: string | undefined;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      text = undefined;
    }
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
