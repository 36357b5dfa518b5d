/** Safe steps through kubectl's JSON: each returns undefined instead of throwing on a wrong shape. */
export type Json = unknown;

export function field(value: Json, ...path: (string | number)[]): Json {
  let current: Json = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, Json>)[key];
  }
  return current;
}

export function text(value: Json, ...path: (string | number)[]): string | undefined {
  const found = field(value, ...path);
  return typeof found === 'string' ? found : undefined;
}

export function count(value: Json, ...path: (string | number)[]): number | undefined {
  const found = field(value, ...path);
  return typeof found === 'number' && Number.isFinite(found) ? found : undefined;
}

export function list(value: Json, ...path: (string | number)[]): Json[] {
  const found = field(value, ...path);
  return Array.isArray(found) ? found : [];
}

export function record(value: Json, ...path: (string | number)[]): Record<string, Json> {
  const found = field(value, ...path);
  return found !== null && typeof found === 'object' && !Array.isArray(found)
    ? (found as Record<string, Json>)
    : {};
}

/** Thrown when kubectl printed an object of another kind than the reader expects. */
export class ShapeError extends Error {
  override name = 'ShapeError';
}

export function expectKind(value: Json, kind: string): void {
  const actual = text(value, 'kind');
  if (actual !== kind)
    throw new ShapeError(`expected a ${kind} from kubectl, got ${actual ?? 'something without a kind'}`);
}

/** The items of a `kind: List` (what `kubectl get a/x b/y -o json` prints), or the object itself. */
export function items(value: Json): Json[] {
  return text(value, 'kind') === 'List' || text(value, 'kind')?.endsWith('List')
    ? list(value, 'items')
    : [value];
}
