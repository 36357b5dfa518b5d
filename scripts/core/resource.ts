/** One object of a rendered overlay, as kustomize printed it. */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A path into a rendered object: keys and list indices, e.g. ['spec', 'template', 'spec', 'containers', 0]. */
export type FieldPath = readonly (string | number)[];

export interface Resource {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  /** The object with kustomize's origin annotations removed. */
  body: JsonObject;
  /** Index of the document in the rendered stream. */
  index: number;
}

/** A Resource from a parsed object: kind, name and namespace lifted out of its body. */
export function toResource(body: JsonObject, index: number): Resource {
  const metadata =
    body.metadata && typeof body.metadata === 'object' && !Array.isArray(body.metadata) ? body.metadata : {};
  return {
    apiVersion: String(body.apiVersion ?? ''),
    kind: String(body.kind ?? ''),
    name: String(metadata.name ?? ''),
    namespace: typeof metadata.namespace === 'string' ? metadata.namespace : undefined,
    body,
    index,
  };
}

/** Reads a value at `path`, or undefined when any step is missing. */
export function getPath(body: JsonValue | undefined, path: FieldPath): JsonValue | undefined {
  let node: JsonValue | undefined = body;
  for (const step of path) {
    if (node === null || node === undefined || typeof node !== 'object') return undefined;
    if (Array.isArray(node)) {
      if (typeof step !== 'number') return undefined;
      node = node[step];
    } else {
      if (typeof step !== 'string') return undefined;
      node = node[step];
    }
  }
  return node;
}

export function formatPath(path: FieldPath): string {
  return path
    .map((step, i) => (typeof step === 'number' ? `[${step}]` : i === 0 ? step : `.${step}`))
    .join('');
}
