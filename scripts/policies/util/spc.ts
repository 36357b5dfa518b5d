import { parse } from 'yaml';
import type { FieldPath, Resource } from '../../core/resource.js';
import type { PolicyContext } from '../types.js';
import { asArray, asObject, asString } from './json.js';

export const SPC_KIND = 'SecretProviderClass';

/** One object the Azure provider mounts: the file name is the alias when one is set. */
export interface MountedObject {
  objectName: string;
  objectAlias?: string;
  /** The name of the file in the mount, which `secretObjects[].data[].objectName` must use. */
  fileName: string;
}

export type ParsedObjects = { ok: true; objects: MountedObject[] } | { ok: false; reason: string };

/**
 * Parses `spec.parameters.objects`: a YAML string `array:` whose entries are themselves YAML
 * documents (strings) with `objectName` and optional `objectAlias`.
 */
export function parseProviderObjects(text: string | undefined): ParsedObjects {
  if (text === undefined || text.trim() === '') return { ok: true, objects: [] };
  let outer: unknown;
  try {
    outer = parse(text, { maxAliasCount: 10 });
  } catch (error) {
    return { ok: false, reason: firstLine(error) };
  }
  const array = (outer as { array?: unknown } | null)?.array;
  if (!Array.isArray(array)) return { ok: false, reason: 'it has no `array:` list' };
  const objects: MountedObject[] = [];
  for (const [index, entry] of array.entries()) {
    let value: unknown = entry;
    if (typeof entry === 'string') {
      try {
        value = parse(entry, { maxAliasCount: 10 });
      } catch (error) {
        return { ok: false, reason: `entry ${index}: ${firstLine(error)}` };
      }
    }
    const record = value as { objectName?: unknown; objectAlias?: unknown } | null;
    if (typeof record?.objectName !== 'string' || record.objectName === '') {
      return { ok: false, reason: `entry ${index} has no objectName` };
    }
    const alias =
      typeof record.objectAlias === 'string' && record.objectAlias !== '' ? record.objectAlias : undefined;
    objects.push({ objectName: record.objectName, objectAlias: alias, fileName: alias ?? record.objectName });
  }
  return { ok: true, objects };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'invalid YAML';
}

/** A Secret the CSI driver creates from a SecretProviderClass's `secretObjects`. */
export interface SyncedSecret {
  secretName: string;
  providerClass: Resource;
  /** The keys the synced Secret will hold. */
  keys: string[];
  /** Path of the secretObjects entry in the SecretProviderClass. */
  path: FieldPath;
}

/** Every Secret a SecretProviderClass in `namespace` syncs, by secret name. */
export function syncedSecrets(
  ctx: PolicyContext,
  namespace: string | undefined,
): Map<string, SyncedSecret[]> {
  const out = new Map<string, SyncedSecret[]>();
  for (const spc of ctx.findAll(SPC_KIND, namespace)) {
    asArray(asObject(spc.body.spec)?.secretObjects).forEach((value, index) => {
      const entry = asObject(value);
      const secretName = asString(entry?.secretName);
      if (!secretName) return;
      const keys = asArray(entry?.data).flatMap((data) => {
        const key = asString(asObject(data)?.key);
        return key ? [key] : [];
      });
      const list = out.get(secretName) ?? [];
      list.push({ secretName, providerClass: spc, keys, path: ['spec', 'secretObjects', index] });
      out.set(secretName, list);
    });
  }
  return out;
}

/**
 * The SecretProviderClasses that sync Secret `name` when no rendered Secret of that name exists:
 * empty when the Secret is a plain rendered object (or does not exist at all).
 */
export function onlySyncedBy(
  ctx: PolicyContext,
  name: string,
  namespace: string | undefined,
): SyncedSecret[] {
  if (ctx.find('Secret', name, namespace)) return [];
  return syncedSecrets(ctx, namespace).get(name) ?? [];
}

export function spcParameter(spc: Resource, name: string): string | undefined {
  const value = asObject(asObject(spc.body.spec)?.parameters)?.[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
