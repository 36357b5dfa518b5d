import { isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import type { FieldPath, JsonValue } from '../core/resource.js';

/** Keys kustomize's strategic merge uses to match list items, tried in this order. */
const MERGE_KEYS = [
  'name',
  'containerPort',
  'mountPath',
  'devicePath',
  'port',
  'ip',
  'topologyKey',
  'objectName',
  'secretName',
];

export interface WalkResult {
  /** How many steps of the path exist in the source. */
  depth: number;
  /** The node for the deepest step found: a key node for a map entry, the item for a list entry. */
  node: Node;
  /** The value at the deepest step found (null for `key:` or `key: null`). */
  value?: Node | null;
}

/**
 * Follows a path through a rendered object and, in step, through a source document (a base
 * resource or a patch). List items are matched by their merge key (a container by name), so
 * `containers[0]` in the rendered object finds the container of that name in a patch.
 */
export function walkSource(source: Node, rendered: JsonValue | undefined, path: FieldPath): WalkResult {
  let node: Node = source;
  let value: JsonValue | undefined = rendered;
  let result: WalkResult = { depth: 0, node: source };
  for (let depth = 0; depth < path.length; depth++) {
    const step = path[depth];
    if (step === undefined) break;
    if (typeof step === 'string' && isMap(node)) {
      const pair = node.items.find((each: Pair) => isScalar(each.key) && String(each.key.value) === step);
      if (!pair) break;
      result = { depth: depth + 1, node: pair.key as Node, value: (pair.value as Node | null) ?? null };
      node = pair.value as Node;
      value = childOf(value, step);
      if (!node) break;
    } else if (typeof step === 'number' && isSeq(node)) {
      const renderedItem = Array.isArray(value) ? value[step] : undefined;
      const index = matchItem(node.items as Node[], renderedItem, step);
      if (index === undefined) break;
      const item = node.items[index] as Node;
      if (isDeleteDirective(item)) break;
      result = { depth: depth + 1, node: item, value: item };
      node = item;
      value = renderedItem;
    } else {
      break;
    }
  }
  return result;
}

function childOf(value: JsonValue | undefined, step: string): JsonValue | undefined {
  if (value && typeof value === 'object' && !Array.isArray(value)) return value[step];
  return undefined;
}

function matchItem(items: Node[], renderedItem: JsonValue | undefined, index: number): number | undefined {
  if (renderedItem && typeof renderedItem === 'object' && !Array.isArray(renderedItem)) {
    for (const key of MERGE_KEYS) {
      const wanted = renderedItem[key];
      if (wanted === undefined || typeof wanted === 'object') continue;
      const found = items.findIndex(
        (item) => isMap(item) && scalarValue(item.get(key, true)) === String(wanted),
      );
      if (found >= 0) return found;
      // The rendered item has this key but no source item does: it did not come from here.
      if (items.some((item) => isMap(item) && item.has(key))) return undefined;
    }
  } else if (renderedItem !== undefined && typeof renderedItem !== 'object') {
    const found = items.findIndex((item) => isScalar(item) && String(item.value) === String(renderedItem));
    if (found >= 0) return found;
  }
  return index < items.length ? index : undefined;
}

function isDeleteDirective(item: Node): boolean {
  return isMap(item) && scalarValue(item.get('$patch', true)) === 'delete';
}

function scalarValue(node: unknown): string | undefined {
  return isScalar(node) ? String(node.value) : undefined;
}
