import type { JsonObject, JsonValue } from '../core/resource.js';
import { getPath } from '../core/resource.js';
import { type RedactedKey, WHOLE_FIELD } from './redact.js';
import type { Highlight, ObjectKey } from './types.js';

/** What reviewers of this repository look for first: scaling bounds, images, configuration. */

const MAX_VALUE_CHARS = 80;
/** Keys may be 253 characters; a longer one keeps its start and end, which tell keys apart. */
const MAX_KEY_CHARS = 80;

/** Where each workload kind keeps its pod spec. */
const POD_SPEC_PATHS: Record<string, readonly string[]> = {
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  Pod: ['spec'],
};

export interface HighlightInput {
  overlay: string;
  object: ObjectKey;
  /** Unredacted bodies: only ConfigMap values, images and HPA numbers are read from them. */
  base: JsonObject;
  head: JsonObject;
  /** Redacted Secret keys with their status, from `redactPair`. */
  secretKeys: readonly RedactedKey[];
}

export function highlightsFor(input: HighlightInput): Highlight[] {
  const messages: [Highlight['kind'], string][] = [];
  const { kind } = input.object;
  if (kind === 'HorizontalPodAutoscaler') {
    for (const message of hpaChanges(input.base, input.head)) messages.push(['hpa', message]);
  }
  if (kind in POD_SPEC_PATHS) {
    for (const message of imageChanges(input.base, input.head, POD_SPEC_PATHS[kind] ?? [])) {
      messages.push(['image', message]);
    }
  }
  if (kind === 'ConfigMap') {
    for (const message of configMapChanges(input.base, input.head)) messages.push(['configmap', message]);
  }
  if (kind === 'Secret') {
    for (const key of input.secretKeys) {
      if (key.field === 'metadata.annotations' || key.status === 'unchanged') continue;
      messages.push([
        'secret',
        key.key === WHOLE_FIELD
          ? `${key.field} ${key.status} (not a map; value redacted)`
          : `key ${shortKey(key.key)} ${key.status} (value redacted)`,
      ]);
    }
  }
  return messages.map(([highlightKind, message]) => ({
    kind: highlightKind,
    overlay: input.overlay,
    object: input.object,
    message,
  }));
}

function hpaChanges(base: JsonObject, head: JsonObject): string[] {
  const messages: string[] = [];
  for (const field of ['minReplicas', 'maxReplicas']) {
    const before = getPath(base, ['spec', field]);
    const after = getPath(head, ['spec', field]);
    if (!sameValue(before, after)) messages.push(`${field} ${show(before)} → ${show(after)}`);
  }
  const before = cpuTarget(base);
  const after = cpuTarget(head);
  if (before !== after) messages.push(`CPU target ${before ?? 'unset'} → ${after ?? 'unset'}`);
  return messages;
}

/** `60%` (Utilization) or `500m` (AverageValue) of the first CPU Resource metric. */
function cpuTarget(hpa: JsonObject): string | undefined {
  const metrics = getPath(hpa, ['spec', 'metrics']);
  if (!Array.isArray(metrics)) return undefined;
  for (const metric of metrics) {
    if (getPath(metric, ['type']) !== 'Resource' || getPath(metric, ['resource', 'name']) !== 'cpu') continue;
    const utilization = getPath(metric, ['resource', 'target', 'averageUtilization']);
    if (utilization !== undefined) return `${show(utilization)}%`;
    const value = getPath(metric, ['resource', 'target', 'averageValue']);
    if (value !== undefined) return show(value);
  }
  return undefined;
}

function imageChanges(base: JsonObject, head: JsonObject, podSpec: readonly string[]): string[] {
  const messages: string[] = [];
  for (const list of ['initContainers', 'containers']) {
    const before = containerImages(getPath(base, [...podSpec, list]));
    const after = containerImages(getPath(head, [...podSpec, list]));
    const label = list === 'initContainers' ? 'init container' : 'container';
    for (const [name, image] of after) {
      const old = before.get(name);
      if (!before.has(name)) messages.push(`${label} ${name} added: image ${image}`);
      else if (old !== image) messages.push(`${label} ${name}: image ${old} → ${image}`);
    }
    for (const [name, image] of before) {
      if (!after.has(name)) messages.push(`${label} ${name} removed (image ${image})`);
    }
  }
  return messages;
}

function containerImages(containers: JsonValue | undefined): Map<string, string> {
  const images = new Map<string, string>();
  if (!Array.isArray(containers)) return images;
  for (const container of containers) {
    const name = getPath(container, ['name']);
    if (typeof name === 'string') images.set(name, show(getPath(container, ['image'])));
  }
  return images;
}

/** ConfigMaps are not secret: their values are shown, shortened. */
function configMapChanges(base: JsonObject, head: JsonObject): string[] {
  const messages: string[] = [];
  for (const field of ['data', 'binaryData']) {
    const before = asMap(base[field]);
    const after = asMap(head[field]);
    const binary = field === 'binaryData';
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) {
      const name = shortKey(key);
      const inBefore = Object.hasOwn(before, key);
      const inAfter = Object.hasOwn(after, key);
      if (inBefore && inAfter) {
        if (sameValue(before[key], after[key])) continue;
        messages.push(
          binary
            ? `key ${name} changed (binary)`
            : `key ${name}: ${preview(before[key])} → ${preview(after[key])}`,
        );
      } else if (inAfter) {
        messages.push(binary ? `key ${name} added (binary)` : `key ${name} added: ${preview(after[key])}`);
      } else {
        messages.push(
          binary ? `key ${name} removed (binary)` : `key ${name} removed (was ${preview(before[key])})`,
        );
      }
    }
  }
  return messages;
}

function shortKey(key: string): string {
  if (key.length <= MAX_KEY_CHARS) return key;
  const half = Math.floor((MAX_KEY_CHARS - 1) / 2);
  return `${key.slice(0, half)}…${key.slice(-half)}`;
}

function preview(value: JsonValue | undefined): string {
  const text = show(value);
  const lines = text.split('\n');
  const first = lines[0] ?? '';
  const shortened = first.length > MAX_VALUE_CHARS ? `${first.slice(0, MAX_VALUE_CHARS)}…` : first;
  const more = lines.length > 1 ? ` (+${lines.length - 1} lines)` : '';
  return `"${shortened}"${more}`;
}

function show(value: JsonValue | undefined): string {
  if (value === undefined) return 'unset';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function sameValue(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function asMap(value: JsonValue | undefined): Record<string, JsonValue> {
  return value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value)
    ? value
    : {};
}
