import type { SourceFiles } from './files.js';
import { type Layer, layersInApplicationOrder } from './tree.js';

/** An object's type as its source file writes it. */
export interface SourceKind {
  apiVersion: string;
  kind: string;
}

/** A top-level `apiVersion:` or `kind:` line (column 0), its value plain or quoted. */
const TOP_LEVEL = /^(apiVersion|kind):[ \t]*["']?([A-Za-z0-9./-]+)["']?[ \t]*(#.*)?$/gm;

/**
 * The apiVersion and kind of the objects a tree's resource files and generators make, read from
 * the source text alone (no parse): what kubeconform is warmed with while kustomize renders. A
 * guess, and only used as one: a patch or a transformer may change a kind, and a file may hold
 * a List. Each file was size-checked when the tree was loaded.
 */
export function sourceKinds(tree: Layer, files: SourceFiles): SourceKind[] {
  const out: SourceKind[] = [];
  for (const layer of layersInApplicationOrder(tree)) {
    for (const path of layer.resourceFiles) {
      for (const document of (files.text(path) ?? '').split(/^---/m)) {
        let apiVersion: string | undefined;
        let kind: string | undefined;
        for (const match of document.matchAll(TOP_LEVEL)) {
          if (match[1] === 'apiVersion') apiVersion ??= match[2];
          else kind ??= match[2];
        }
        if (apiVersion && kind) out.push({ apiVersion, kind });
      }
    }
    for (const generator of layer.generators) out.push({ apiVersion: 'v1', kind: generator.kind });
  }
  return out;
}
