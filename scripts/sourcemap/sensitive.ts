import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { JsonValue } from '../core/resource.js';
import type { SourceFiles } from './files.js';
import { envFileEntries, type Layer, layersInApplicationOrder, scalarString, seqItems } from './tree.js';

/** A file that may define or patch a Secret: parsed only when this matches, to keep the common case cheap. */
const MENTIONS_SECRET = /\bkind["']?\s*:\s*["']?Secret\b/;
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Every value of a Secret-like source in the tree, which no message may quote (kustomize's
 * errors included): generator literals and env-file values, Secret `data` (as written and
 * decoded) and `stringData` in resource and patch files, last-applied annotations, and inline
 * helm values. ConfigMap generator values count when 8 characters or longer, since a credential
 * can sit there too while short ones (`info`, `prod`) would garble paths and names.
 */
export function sensitiveValues(tree: Layer, files: SourceFiles): string[] {
  const values: string[] = [];
  for (const layer of layersInApplicationOrder(tree)) {
    for (const generator of layer.generators) {
      const keep = (value: string) => {
        if (generator.kind === 'Secret' || value.trim().length >= 8) values.push(value);
      };
      for (const literal of generator.literals) {
        const text = scalarString(literal.node) ?? '';
        keep(text.slice(text.indexOf('=') + 1));
      }
      for (const path of generator.envFiles) {
        for (const entry of envFileEntries(files.text(path) ?? '')) keep(entry.value);
      }
    }
    const yamlFiles = [...layer.resourceFiles, ...layer.patches.map((patch) => patch.file.path)];
    for (const path of new Set(yamlFiles)) {
      if (path === layer.file.path || !MENTIONS_SECRET.test(files.text(path) ?? '')) continue;
      for (const value of files.values(path)) secretObjectValues(value, values);
    }
    for (const patch of layer.patches) {
      if (patch.file.path !== layer.file.path) continue;
      for (const document of patch.documents)
        secretObjectValues(document.toJS({ maxAliasCount: 100 }), values);
    }
    const root = layer.file.documents[0]?.contents;
    if (isMap(root)) {
      for (const chart of seqItems(root, 'helmCharts')) {
        if (isMap(chart)) leaves(chart.get('valuesInline', true) as Node | undefined, values);
      }
    }
  }
  return values;
}

/** The values of a Secret object (or of a patch to one): data as written and decoded, stringData, last-applied. */
function secretObjectValues(value: JsonValue, out: string[]): void {
  if (!value || typeof value !== 'object' || Array.isArray(value) || value.kind !== 'Secret') return;
  for (const field of ['data', 'stringData'] as const) {
    const map = value[field];
    if (!map || typeof map !== 'object' || Array.isArray(map)) continue;
    for (const each of Object.values(map)) {
      if (typeof each !== 'string' && typeof each !== 'number') continue;
      const text = String(each);
      out.push(text);
      if (field === 'data') {
        const decoded = Buffer.from(text, 'base64').toString('utf8');
        if (decoded.trim() !== '') out.push(decoded);
      }
    }
  }
  const metadata = value.metadata;
  const annotations =
    metadata && typeof metadata === 'object' && !Array.isArray(metadata) ? metadata.annotations : undefined;
  if (annotations && typeof annotations === 'object' && !Array.isArray(annotations)) {
    const lastApplied = annotations[LAST_APPLIED];
    if (typeof lastApplied === 'string') out.push(lastApplied);
  }
}

/** Every scalar under a node (inline helm values): any of them may be a password. */
function leaves(node: Node | undefined, out: string[]): void {
  const stack: unknown[] = node ? [node] : [];
  while (stack.length > 0) {
    const each = stack.pop();
    if (isScalar(each)) {
      if (each.value !== null && typeof each.value !== 'boolean') out.push(String(each.value));
    } else if (isMap(each)) {
      for (const pair of each.items) stack.push(pair.value);
    } else if (isSeq(each)) {
      stack.push(...each.items);
    }
  }
}
