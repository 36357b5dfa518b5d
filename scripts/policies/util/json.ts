import type { JsonObject, JsonValue } from '../../core/resource.js';

export function asObject(value: JsonValue | undefined): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

export function asArray(value: JsonValue | undefined): JsonValue[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asNumber(value: JsonValue | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A Kubernetes IntOrString, e.g. a port (`8000` or `http`) or a budget (`1` or `50%`). */
export function asIntOrString(value: JsonValue | undefined): number | string | undefined {
  return typeof value === 'number' || typeof value === 'string' ? value : undefined;
}

/** A string-to-string map such as labels or annotations; other values are dropped. */
export function asStringMap(value: JsonValue | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, each] of Object.entries(asObject(value) ?? {})) {
    if (typeof each === 'string') out[key] = each;
    else if (typeof each === 'number' || typeof each === 'boolean') out[key] = String(each);
  }
  return out;
}
