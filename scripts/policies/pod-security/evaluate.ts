import { type FieldPath, getPath, type JsonObject, type JsonValue } from '../../core/resource.js';
import { asArray, asObject, asString } from '../util/json.js';
import type { PodTemplate } from '../util/workload.js';
import {
  type Allowed,
  CONTROLS,
  type Control,
  type FieldCheck,
  type Level,
  type Minor,
  type Scalar,
} from './standard.js';

/** One field of one pod that a control does not allow. */
export interface Violation {
  control: Control;
  messageId: string;
  /** The field in the rendered object (for a missing field, where it belongs). */
  path: FieldPath;
  data: Record<string, string>;
}

/** `latest` means every version the table knows, as the admission controller's `latest` does. */
export const LATEST: Minor = Number.POSITIVE_INFINITY;

/** `latest`, `1.33` or `v1.33` as a minor version; undefined for anything else. */
export function parseVersion(text: string): Minor | undefined {
  if (text === 'latest') return LATEST;
  const match = /^v?1\.(\d+)$/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** The standard's three levels; `privileged` is the absence of controls. */
export type CheckedLevel = 'privileged' | Level;

/** The controls a level applies at a version: baseline's, and restricted's in place of those they override. */
export function controlsFor(level: CheckedLevel, version: Minor): Control[] {
  if (level === 'privileged') return [];
  const active = CONTROLS.filter(
    (control) => (control.level === 'baseline' || level === 'restricted') && (control.since ?? 0) <= version,
  );
  const overridden = new Set(active.flatMap((control) => control.overrides ?? []));
  return active.filter((control) => !overridden.has(control.id));
}

/** Every violation of `level` in one pod template. */
export function evaluatePod(pod: PodTemplate, level: CheckedLevel, version: Minor): Violation[] {
  const violations: Violation[] = [];
  for (const control of controlsFor(level, version)) {
    if (isExempt(control, pod, version)) continue;
    for (const check of control.checks) {
      for (const target of targetsOf(pod, check)) {
        for (const failure of judge(check, target, version)) {
          violations.push({
            control,
            messageId: failure.unset && check.unsetMessageId ? check.unsetMessageId : check.messageId,
            path: failure.path,
            data: {
              ...target.data,
              where: target.where,
              field: target.field,
              value: failure.value,
              allowed: allowedText(check.allowed, version),
              level,
            },
          });
        }
      }
    }
  }
  return violations;
}

function isExempt(control: Control, pod: PodTemplate, version: Minor): boolean {
  return (control.exempt ?? []).some((exemption) => {
    if (exemption.since > version) return false;
    if (exemption.when === 'windows') return asString(asObject(pod.spec.os)?.name) === 'windows';
    return pod.spec.hostUsers === false;
  });
}

/** One place a check looks at: the object holding the field, and how a message names it. */
interface Target {
  /** Path of the checked field itself. */
  path: FieldPath;
  value: JsonValue | undefined;
  where: string;
  /** The field as messages print it. */
  field: string;
  data: Record<string, string>;
  /** For container checks: the container leaves the field out and the pod sets it. */
  coveredByPod?: boolean;
}

const CONTAINER_LISTS = [
  ['containers', 'container'],
  ['initContainers', 'init container'],
  ['ephemeralContainers', 'ephemeral container'],
] as const;

interface ContainerEntry {
  container: JsonObject;
  name: string;
  where: string;
  path: FieldPath;
}

function containers(pod: PodTemplate): ContainerEntry[] {
  return CONTAINER_LISTS.flatMap(([list, label]) =>
    asArray(pod.spec[list]).flatMap((value, index) => {
      const container = asObject(value);
      if (!container) return [];
      const name = asString(container.name) ?? `#${index}`;
      return [{ container, name, where: `${label} ${name}`, path: [...pod.specPath, list, index] }];
    }),
  );
}

function fieldAt(object: JsonObject, base: FieldPath, field: string) {
  const steps = field ? field.split('.') : [];
  return { value: getPath(object, steps), path: [...base, ...steps] };
}

function targetsOf(pod: PodTemplate, check: FieldCheck): Target[] {
  const { field } = check;
  switch (check.scope) {
    case 'pod':
      return [{ ...fieldAt(pod.spec, pod.specPath, field), where: 'the pod', field, data: {} }];
    case 'container':
      return containers(pod).map((entry) => {
        const at = fieldAt(entry.container, entry.path, field);
        const podValue = check.podFallback ? getPath(pod.spec, check.podFallback.split('.')) : undefined;
        return {
          ...at,
          where: entry.where,
          field,
          data: { container: entry.name },
          coveredByPod: isUnset(at.value) && !isUnset(podValue),
        };
      });
    case 'port':
      return containers(pod).flatMap((entry) =>
        asArray(entry.container.ports).flatMap((value, index) => {
          const port = asObject(value);
          if (!port) return [];
          return [
            {
              ...fieldAt(port, [...entry.path, 'ports', index], field),
              where: entry.where,
              field: `ports[${index}].${field}`,
              data: { container: entry.name },
            },
          ];
        }),
      );
    case 'volume':
    case 'volumeSource':
      return asArray(pod.spec.volumes).flatMap((value, index) => {
        const volume = asObject(value);
        if (!volume) return [];
        const name = asString(volume.name) ?? `#${index}`;
        const base: FieldPath = [...pod.specPath, 'volumes', index];
        const common = { where: `volume ${name}`, data: { volume: name } };
        if (check.scope === 'volume') return [{ ...fieldAt(volume, base, field), field, ...common }];
        // The value judged is the source type: the volume's one key besides `name`.
        return Object.keys(volume)
          .filter((key) => key !== 'name' && !isUnset(volume[key]))
          .map((key) => ({ path: [...base, key], value: key, field: key, ...common }));
      });
    case 'sysctl':
      return asArray(asObject(pod.spec.securityContext)?.sysctls).flatMap((value, index) => {
        const sysctl = asObject(value);
        if (!sysctl) return [];
        const base: FieldPath = [...pod.specPath, 'securityContext', 'sysctls', index];
        return [
          {
            ...fieldAt(sysctl, base, field),
            where: 'the pod',
            field: `sysctls[${index}].${field}`,
            data: {},
          },
        ];
      });
    case 'annotation':
      return Object.entries(pod.annotations)
        .filter(([key]) => key.startsWith(check.annotationPrefix ?? ''))
        .map(([key, value]) => ({
          path: [...pod.metadataPath, 'annotations', key],
          value,
          where: 'the pod',
          field: key,
          data: {},
        }));
  }
}

interface Failure {
  path: FieldPath;
  value: string;
  unset: boolean;
}

function judge(check: FieldCheck, target: Target, version: Minor): Failure[] {
  const { allowed } = check;
  const { value, path } = target;
  const fail = (at: FieldPath = path, shown: JsonValue | undefined = value): Failure[] => [
    { path: at, value: valueText(shown), unset: isUnset(shown) },
  ];
  switch (allowed.kind) {
    case 'oneOf':
      if (value === undefined || value === null) return allowed.unset || target.coveredByPod ? [] : fail();
      return isAllowedScalar(allowed, value, version) ? [] : fail();
    case 'noneOf':
      return !isUnset(value) && allowed.values.includes(value as Scalar) ? fail() : [];
    case 'eachOneOf':
      return asArray(value).flatMap((item, index) =>
        allowed.values.includes(item as Scalar) ? [] : fail([...path, index], item),
      );
    case 'includes':
      return asArray(value).includes(allowed.value) ? [] : fail();
  }
}

function isAllowedScalar(allowed: Extract<Allowed, { kind: 'oneOf' }>, value: JsonValue, version: Minor) {
  if (allowedValues(allowed, version).includes(value as Scalar)) return true;
  return typeof value === 'string' && (allowed.prefixes ?? []).some((prefix) => value.startsWith(prefix));
}

function allowedValues(allowed: Allowed, version: Minor): Scalar[] {
  if (allowed.kind === 'includes') return [allowed.value];
  const added =
    allowed.kind === 'oneOf'
      ? (allowed.added ?? []).filter((each) => each.since <= version).flatMap((each) => each.values)
      : [];
  return [...allowed.values, ...added];
}

function allowedText(allowed: Allowed, version: Minor): string {
  if (allowed.kind === 'noneOf') return `anything but ${allowed.values.join(', ')}`;
  const values = allowedValues(allowed, version).map((each) => (each === '' ? '""' : String(each)));
  const prefixes = allowed.kind === 'oneOf' ? (allowed.prefixes ?? []).map((each) => `${each}*`) : [];
  return [...values, ...prefixes].join(', ') || 'none';
}

function isUnset(value: JsonValue | undefined): boolean {
  return value === undefined || value === null;
}

function valueText(value: JsonValue | undefined): string {
  return isUnset(value) ? 'not set' : JSON.stringify(value);
}
