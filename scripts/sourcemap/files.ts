import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Document, LineCounter } from 'yaml';
import { ExitError } from '../lib/exit-error.js';
import { parseYamlWithPositions } from '../render/parse.js';

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

  constructor(readonly root: string) {}

  shown(path: string): string {
    return relative(this.root, path).split('\\').join('/');
  }

  yaml(path: string): SourceFile {
    const hit = this.cache.get(path);
    if (hit) return hit;
    const shown = this.shown(path);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw new ExitError('cannot be read', 2, { file: shown });
    }
    const { documents, lineCounter } = parseYamlWithPositions(text, shown);
    const file: SourceFile = { path, shown, text, documents, lineCounter };
    this.cache.set(path, file);
    return file;
  }

  /** Plain text (env files), or undefined when unreadable. */
  text(path: string): string | undefined {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  }
}
