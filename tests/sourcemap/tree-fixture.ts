import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SourceLocation } from '../../scripts/core/finding.js';
import type { FieldPath, Resource } from '../../scripts/core/resource.js';
import { renderOverlay } from '../../scripts/render/kustomize.js';
import { parseRenderedStream } from '../../scripts/render/parse.js';
import { SourceFiles } from '../../scripts/sourcemap/files.js';
import { SourceLocator } from '../../scripts/sourcemap/locate.js';
import { loadTree } from '../../scripts/sourcemap/tree.js';

/** Writes a tree of files (path → content) into a fresh temporary directory. */
export function writeTree(files: Record<string, string>): { root: string; dispose(): void } {
  const root = mkdtempSync(join(tmpdir(), 'triage-tree-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return { root, dispose: () => rmSync(root, { recursive: true, force: true }) };
}

export interface LocatedOverlay {
  resources: Resource[];
  /** `file:line:column` of a field of the object of that kind (and name, when several). */
  at(kind: string, path: FieldPath, name?: string): string;
  locate(kind: string, path: FieldPath, name?: string): SourceLocation;
}

/** Renders `overlay` (relative to root) with the real kustomize and returns a locator over it. */
export async function renderAndLocate(root: string, overlay: string): Promise<LocatedOverlay> {
  const files = new SourceFiles(root);
  const tree = loadTree(join(root, overlay), files);
  const text = await renderOverlay(join(root, overlay), { root });
  const { resources, origins } = parseRenderedStream(text, overlay);
  const locator = new SourceLocator(tree, files);
  const locate = (kind: string, path: FieldPath, name?: string) => {
    const resource = resources.find(
      (each) => each.kind === kind && (name === undefined || each.name === name),
    );
    if (!resource)
      throw new Error(
        `no ${kind} ${name ?? ''} rendered; have ${resources.map((r) => `${r.kind}/${r.name}`).join(', ')}`,
      );
    return locator.locate(resource, origins[resource.index], path);
  };
  return {
    resources,
    locate,
    at: (kind, path, name) => {
      const where = locate(kind, path, name);
      return `${where.file}:${where.line}:${where.column}`;
    },
  };
}
