import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { stringify } from 'yaml';
import type { JsonObject, Resource } from '../core/resource.js';
import { highlightsFor } from './highlights.js';
import { redactPair } from './redact.js';
import type { Highlight, ObjectKey, OverlayDiff, ResourceChange } from './types.js';
import { qualifiedName } from './types.js';

/**
 * kustomize's generator suffix: `-` and the first 10 characters of a hash, in the alphabet
 * kustomize maps hex digits to (0→g, 1→h, 3→k, a→m, e→t), so ordinary words rarely match.
 */
const GENERATOR_HASH_SUFFIX = /-[2456789bcdfghkmt]{10}$/;

const PATCH_CONTEXT_LINES = 3;

export interface CompareInput {
  /** Overlay directory relative to the repository root. */
  path: string;
  /** Undefined when the overlay does not exist at that revision. */
  base?: readonly Resource[];
  head?: readonly Resource[];
}

/** Pairs the objects of both renders and describes every difference, sorted by kind, namespace, name. */
export function compareOverlay(input: CompareInput): OverlayDiff {
  const base = indexByIdentity(input.base ?? []);
  const head = indexByIdentity(input.head ?? []);
  const pairs: [Resource, Resource][] = [];
  const removed: Resource[] = [];
  for (const [key, resource] of base) {
    const match = head.get(key);
    if (match) {
      pairs.push([resource, match]);
      head.delete(key);
    } else {
      removed.push(resource);
    }
  }
  const added = [...head.values()];
  const renames = pairRenames(removed, added);

  const changes: ResourceChange[] = [];
  const highlights: Highlight[] = [];
  for (const [before, after] of [...pairs, ...renames]) {
    const object = keyOf(after);
    const redacted = redactPair(before.body, after.body);
    const oldText = toYaml(redacted.base);
    const newText = toYaml(redacted.head);
    const renamedFrom = before.name !== after.name ? before.name : undefined;
    if (oldText === newText && !renamedFrom) continue;
    changes.push({
      change: 'changed',
      object,
      renamedFrom,
      patch: unifiedPatch(input.path, keyOf(before), object, oldText, newText),
    });
    highlights.push(
      ...highlightsFor({
        overlay: input.path,
        object,
        base: before.body,
        head: after.body,
        secretKeys: redacted.keys,
      }),
    );
  }
  for (const resource of removed) {
    const object = keyOf(resource);
    const text = toYaml(redactPair(resource.body, undefined).base);
    changes.push({ change: 'removed', object, patch: unifiedPatch(input.path, object, undefined, text, '') });
  }
  for (const resource of added) {
    const object = keyOf(resource);
    const text = toYaml(redactPair(undefined, resource.body).head);
    changes.push({ change: 'added', object, patch: unifiedPatch(input.path, undefined, object, '', text) });
  }
  changes.sort((a, b) => compareKeys(a.object, b.object) || a.change.localeCompare(b.change));
  highlights.sort((a, b) => compareKeys(a.object, b.object));
  return {
    path: input.path,
    existsAtBase: input.base !== undefined,
    existsAtHead: input.head !== undefined,
    changes,
    highlights,
  };
}

/** Removes the generator hash suffix, or returns undefined when the name has none. */
export function generatorStem(name: string): string | undefined {
  return GENERATOR_HASH_SUFFIX.test(name) ? name.replace(GENERATOR_HASH_SUFFIX, '') : undefined;
}

/**
 * A removed and an added object of the same group, kind and namespace whose names differ only
 * in the generator hash are one object whose content changed: pair them, and take them out of
 * the removed and added lists.
 */
function pairRenames(removed: Resource[], added: Resource[]): [Resource, Resource][] {
  const candidates = new Map<string, Resource[]>();
  for (const resource of added) {
    const stem = generatorStem(resource.name);
    if (stem === undefined) continue;
    const key = identity(resource, stem);
    candidates.set(key, [...(candidates.get(key) ?? []), resource]);
  }
  const renames: [Resource, Resource][] = [];
  for (const resource of [...removed]) {
    const stem = generatorStem(resource.name);
    if (stem === undefined) continue;
    const match = candidates.get(identity(resource, stem))?.shift();
    if (!match) continue;
    renames.push([resource, match]);
    removed.splice(removed.indexOf(resource), 1);
    added.splice(added.indexOf(match), 1);
  }
  return renames;
}

function indexByIdentity(resources: readonly Resource[]): Map<string, Resource> {
  const index = new Map<string, Resource>();
  for (const resource of resources) index.set(identity(resource, resource.name), resource);
  return index;
}

/** API group (not version: autoscaling/v1 → v2 is a change, not a replacement), kind, namespace, name. */
function identity(resource: Resource, name: string): string {
  const group = resource.apiVersion.includes('/') ? resource.apiVersion.split('/')[0] : '';
  return [group, resource.kind, resource.namespace ?? '', name].join('\u0000');
}

function keyOf(resource: Resource): ObjectKey {
  return {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    ...(resource.namespace ? { namespace: resource.namespace } : {}),
    name: resource.name,
  };
}

export function compareKeys(a: ObjectKey, b: ObjectKey): number {
  return (
    a.kind.localeCompare(b.kind) ||
    (a.namespace ?? '').localeCompare(b.namespace ?? '') ||
    a.name.localeCompare(b.name) ||
    a.apiVersion.localeCompare(b.apiVersion)
  );
}

function toYaml(body: JsonObject | undefined): string {
  if (!body) return '';
  return stringify(body, { lineWidth: 0, aliasDuplicateObjects: false });
}

function unifiedPatch(
  overlay: string,
  before: ObjectKey | undefined,
  after: ObjectKey | undefined,
  oldText: string,
  newText: string,
): string {
  const label = (side: string, object: ObjectKey | undefined) =>
    object ? `${side}/${overlay}/${object.kind}/${qualifiedName(object)}` : '/dev/null';
  return createTwoFilesPatch(
    label('base', before),
    label('head', after),
    oldText,
    newText,
    undefined,
    undefined,
    {
      context: PATCH_CONTEXT_LINES,
      headerOptions: FILE_HEADERS_ONLY,
    },
  );
}
