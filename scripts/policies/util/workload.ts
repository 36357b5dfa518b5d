import { type FieldPath, getPath, type JsonObject, type Resource } from '../../core/resource.js';
import { asArray, asObject, asString, asStringMap } from './json.js';

/** Kinds that carry a pod template (or are a pod). */
export const WORKLOAD_KINDS = [
  'CronJob',
  'DaemonSet',
  'Deployment',
  'Job',
  'Pod',
  'ReplicaSet',
  'StatefulSet',
] as const;

/** Kinds an HorizontalPodAutoscaler may scale in this repository. */
export const SCALABLE_KINDS = ['Deployment', 'StatefulSet'] as const;

export interface PodTemplate {
  /** The pod spec. */
  spec: JsonObject;
  /** Path of the pod spec in the rendered object. */
  specPath: FieldPath;
  /** Path of the pod metadata (`spec.template.metadata`, or `metadata` for a Pod). */
  metadataPath: FieldPath;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/**
 * Templates already read, per object: policies that match selectors ask for every workload's
 * template once per Service, PDB or HPA, which grows with the square of the objects. Callers only
 * read it.
 */
const templates = new WeakMap<Resource, PodTemplate | null>();

/** The pod template of a workload, or undefined for other kinds. */
export function podTemplate(resource: Resource): PodTemplate | undefined {
  const known = templates.get(resource);
  if (known !== undefined) return known ?? undefined;
  const template = readPodTemplate(resource);
  templates.set(resource, template ?? null);
  return template;
}

function readPodTemplate(resource: Resource): PodTemplate | undefined {
  const templatePath = templatePathFor(resource.kind);
  if (!templatePath) return undefined;
  const template = asObject(getPath(resource.body, templatePath));
  if (!template) return undefined;
  const metadata = asObject(template.metadata);
  return {
    spec: asObject(template.spec) ?? {},
    specPath: [...templatePath, 'spec'],
    metadataPath: [...templatePath, 'metadata'],
    labels: asStringMap(metadata?.labels),
    annotations: asStringMap(metadata?.annotations),
  };
}

function templatePathFor(kind: string): FieldPath | undefined {
  switch (kind) {
    case 'Pod':
      return [];
    case 'CronJob':
      return ['spec', 'jobTemplate', 'spec', 'template'];
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return ['spec', 'template'];
    default:
      return undefined;
  }
}

export type ContainerList = 'containers' | 'initContainers';

export interface ContainerAt {
  container: JsonObject;
  name: string;
  list: ContainerList;
  index: number;
  /** Path of the container in the rendered object. */
  path: FieldPath;
}

/** The pod's containers, and its init containers when `lists` asks for them. */
export function containersOf(
  pod: PodTemplate,
  lists: readonly ContainerList[] = ['containers', 'initContainers'],
): ContainerAt[] {
  const out: ContainerAt[] = [];
  for (const list of lists) {
    asArray(pod.spec[list]).forEach((value, index) => {
      const container = asObject(value);
      if (!container) return;
      out.push({
        container,
        name: asString(container.name) ?? `#${index}`,
        list,
        index,
        path: [...pod.specPath, list, index],
      });
    });
  }
  return out;
}

export interface VolumeAt {
  volume: JsonObject;
  name: string;
  index: number;
  path: FieldPath;
}

export function volumesOf(pod: PodTemplate): VolumeAt[] {
  return asArray(pod.spec.volumes).flatMap((value, index) => {
    const volume = asObject(value);
    if (!volume) return [];
    return [
      {
        volume,
        name: asString(volume.name) ?? `#${index}`,
        index,
        path: [...pod.specPath, 'volumes', index],
      },
    ];
  });
}

export const CSI_DRIVER = 'secrets-store.csi.k8s.io';

/** Volumes of the Secrets Store CSI driver, with the SecretProviderClass each names. */
export function csiVolumesOf(pod: PodTemplate): (VolumeAt & { providerClass: string | undefined })[] {
  return volumesOf(pod).flatMap((each) => {
    const csi = asObject(each.volume.csi);
    if (asString(csi?.driver) !== CSI_DRIVER) return [];
    return [{ ...each, providerClass: asString(asObject(csi?.volumeAttributes)?.secretProviderClass) }];
  });
}

/** How a pod refers to a ConfigMap or a Secret. */
export interface ObjectReference {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  /** A single key (configMapKeyRef/secretKeyRef, or a volume item); undefined for the whole object. */
  key?: string;
  optional: boolean;
  /** Human description of where the reference is, e.g. `envFrom of container backend`. */
  via: string;
  /** Path of the name field. */
  path: FieldPath;
  /** Path of the key field, when `key` is set. */
  keyPath?: FieldPath;
  /** The container that reads it, when a container does. */
  container?: string;
  /** The reference reads every key of the object (envFrom): it needs at least one. */
  wholeObject: boolean;
}

/** Every ConfigMap and Secret reference of a pod: envFrom, env valueFrom, volumes, projected sources, pull secrets. */
export function objectReferences(pod: PodTemplate): ObjectReference[] {
  const out: ObjectReference[] = [];
  for (const { container, name, path } of containersOf(pod)) {
    asArray(container.envFrom).forEach((value, i) => {
      const from = asObject(value);
      for (const [field, kind] of [
        ['configMapRef', 'ConfigMap'],
        ['secretRef', 'Secret'],
      ] as const) {
        const ref = asObject(from?.[field]);
        const refName = asString(ref?.name);
        if (ref && refName) {
          out.push({
            kind,
            name: refName,
            optional: ref.optional === true,
            via: `envFrom of container ${name}`,
            path: [...path, 'envFrom', i, field, 'name'],
            container: name,
            wholeObject: true,
          });
        }
      }
    });
    asArray(container.env).forEach((value, i) => {
      const env = asObject(value);
      const valueFrom = asObject(env?.valueFrom);
      for (const [field, kind] of [
        ['configMapKeyRef', 'ConfigMap'],
        ['secretKeyRef', 'Secret'],
      ] as const) {
        const ref = asObject(valueFrom?.[field]);
        const refName = asString(ref?.name);
        if (ref && refName) {
          const base: FieldPath = [...path, 'env', i, 'valueFrom', field];
          out.push({
            kind,
            name: refName,
            key: asString(ref.key),
            optional: ref.optional === true,
            via: `env ${asString(env?.name) ?? `#${i}`} of container ${name}`,
            path: [...base, 'name'],
            keyPath: [...base, 'key'],
            container: name,
            wholeObject: false,
          });
        }
      }
    });
  }
  for (const { volume, name, path } of volumesOf(pod)) {
    const configMap = asObject(volume.configMap);
    const configMapName = asString(configMap?.name);
    if (configMap && configMapName) {
      out.push(
        ...volumeReference(
          'ConfigMap',
          configMapName,
          configMap,
          `volume ${name}`,
          path,
          'configMap',
          'name',
        ),
      );
    }
    const secret = asObject(volume.secret);
    const secretName = asString(secret?.secretName);
    if (secret && secretName) {
      out.push(
        ...volumeReference('Secret', secretName, secret, `volume ${name}`, path, 'secret', 'secretName'),
      );
    }
    asArray(asObject(volume.projected)?.sources).forEach((value, i) => {
      const source = asObject(value);
      for (const [field, kind] of [
        ['configMap', 'ConfigMap'],
        ['secret', 'Secret'],
      ] as const) {
        const ref = asObject(source?.[field]);
        const refName = asString(ref?.name);
        if (ref && refName) {
          out.push(
            ...volumeReference(
              kind,
              refName,
              ref,
              `projected volume ${name}`,
              [...path, 'projected', 'sources', i],
              field,
              'name',
            ),
          );
        }
      }
    });
  }
  asArray(pod.spec.imagePullSecrets).forEach((value, i) => {
    const refName = asString(asObject(value)?.name);
    if (refName) {
      out.push({
        kind: 'Secret',
        name: refName,
        optional: false,
        via: 'imagePullSecrets',
        path: [...pod.specPath, 'imagePullSecrets', i, 'name'],
        wholeObject: false,
      });
    }
  });
  return out;
}

function volumeReference(
  kind: 'ConfigMap' | 'Secret',
  name: string,
  source: JsonObject,
  via: string,
  path: FieldPath,
  field: string,
  nameField: string,
): ObjectReference[] {
  const optional = source.optional === true;
  const base: ObjectReference = {
    kind,
    name,
    optional,
    via,
    path: [...path, field, nameField],
    wholeObject: false,
  };
  const items = asArray(source.items);
  if (items.length === 0) return [base];
  return items.flatMap((value, i) => {
    const key = asString(asObject(value)?.key);
    return key ? [{ ...base, key, keyPath: [...path, field, 'items', i, 'key'] }] : [];
  });
}

/** A label selector (`matchLabels`/`matchExpressions`, or a Service's plain map) matched against labels. */
export function selectorMatches(
  selector: JsonObject,
  labels: Record<string, string>,
  plainMap = false,
): boolean {
  const matchLabels = plainMap ? asStringMap(selector) : asStringMap(selector.matchLabels);
  for (const [key, value] of Object.entries(matchLabels)) {
    if (labels[key] !== value) return false;
  }
  if (plainMap) return true;
  for (const value of asArray(selector.matchExpressions)) {
    const expression = asObject(value);
    const key = asString(expression?.key) ?? '';
    const values = asArray(expression?.values).map(String);
    const has = Object.hasOwn(labels, key);
    switch (asString(expression?.operator)) {
      case 'In':
        if (!has || !values.includes(labels[key] as string)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key] as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** The ports a container declares, by name and number. */
export function containerPorts(container: JsonObject): { names: Set<string>; numbers: Set<number> } {
  const names = new Set<string>();
  const numbers = new Set<number>();
  for (const value of asArray(container.ports)) {
    const port = asObject(value);
    const name = asString(port?.name);
    if (name) names.add(name);
    if (typeof port?.containerPort === 'number') numbers.add(port.containerPort);
  }
  return { names, numbers };
}

/** Whether an IntOrString port (a name or a number) is one of the container's declared ports. */
export function portResolves(container: JsonObject, port: number | string): boolean {
  const { names, numbers } = containerPorts(container);
  if (typeof port === 'number') return numbers.has(port);
  if (/^\d+$/.test(port)) return numbers.has(Number(port));
  return names.has(port);
}

/** How a label a controller adds to its pods compares with a selector's value. */
export type ControllerLabelVerdict =
  | { result: 'yes' }
  | { result: 'no' }
  /** The value is chosen at run time (a hash, a uid, a generation): the rule cannot tell. */
  | { result: 'unknown'; reason: string };

/**
 * Labels Kubernetes controllers add to the pods they create, on top of the pod template's labels,
 * by the workload kind whose controller adds them. A Service may select on them (a StatefulSet's
 * per-pod Service, a selector pinned to a revision), so the template alone does not decide a match.
 */
export const CONTROLLER_POD_LABELS: Readonly<Record<string, readonly string[]>> = {
  StatefulSet: [
    'statefulset.kubernetes.io/pod-name',
    'apps.kubernetes.io/pod-index',
    'controller-revision-hash',
  ],
  DaemonSet: ['controller-revision-hash', 'pod-template-generation'],
  Deployment: ['pod-template-hash'],
  Job: [
    'batch.kubernetes.io/job-name',
    'job-name',
    'batch.kubernetes.io/controller-uid',
    'controller-uid',
    'batch.kubernetes.io/job-completion-index',
  ],
  CronJob: [
    'batch.kubernetes.io/job-name',
    'job-name',
    'batch.kubernetes.io/controller-uid',
    'controller-uid',
    'batch.kubernetes.io/job-completion-index',
  ],
};

const ORDINAL = /^(0|[1-9]\d*)$/;

function intField(body: JsonObject, path: FieldPath, fallback: number): number {
  const value = getPath(body, path);
  return typeof value === 'number' && Number.isInteger(value) ? value : fallback;
}

/** Whether `ordinal` is one of the StatefulSet's pods at its replicas in this overlay. */
function ordinalVerdict(workload: Resource, ordinal: string): ControllerLabelVerdict {
  if (!ORDINAL.test(ordinal)) return { result: 'no' };
  const start = intField(workload.body, ['spec', 'ordinals', 'start'], 0);
  const replicas = intField(workload.body, ['spec', 'replicas'], 1);
  const n = Number(ordinal);
  if (n >= start && n < start + replicas) return { result: 'yes' };
  if (n < start) return { result: 'no' };
  return {
    result: 'unknown',
    reason: `pod ordinal ${ordinal} is past the ${replicas} replica(s) set here; that pod exists only once the StatefulSet is scaled up`,
  };
}

/**
 * The verdict for selector `key=value` on the pods `workload`'s controller creates, or undefined
 * when that controller does not add `key` (then the pod template's labels decide).
 */
export function controllerLabelVerdict(
  workload: Resource,
  key: string,
  value: string,
): ControllerLabelVerdict | undefined {
  if (!CONTROLLER_POD_LABELS[workload.kind]?.includes(key)) return undefined;
  const atRunTime = (what: string): ControllerLabelVerdict => ({
    result: 'unknown',
    reason: `${key} is ${what}, set by the ${workload.kind} controller when it creates the pods`,
  });
  const name = workload.name;
  switch (key) {
    case 'statefulset.kubernetes.io/pod-name':
      return value.startsWith(`${name}-`)
        ? ordinalVerdict(workload, value.slice(name.length + 1))
        : { result: 'no' };
    case 'apps.kubernetes.io/pod-index':
      return ordinalVerdict(workload, value);
    case 'controller-revision-hash':
      // The value is the ControllerRevision's name: `<workload name>-<hash>`.
      return value.startsWith(`${name}-`) ? atRunTime('a revision hash') : { result: 'no' };
    case 'pod-template-generation':
      return ORDINAL.test(value) ? atRunTime('a generation number') : { result: 'no' };
    case 'pod-template-hash':
      return atRunTime('a hash of the pod template');
    case 'batch.kubernetes.io/job-name':
    case 'job-name':
      if (workload.kind === 'Job') return value === name ? { result: 'yes' } : { result: 'no' };
      // A CronJob's Jobs are named `<cronjob>-<scheduled time>`.
      return value.startsWith(`${name}-`)
        ? atRunTime('the name of a Job the CronJob creates')
        : { result: 'no' };
    case 'batch.kubernetes.io/controller-uid':
    case 'controller-uid':
      return atRunTime('the uid of the Job');
    case 'batch.kubernetes.io/job-completion-index': {
      const jobSpec =
        workload.kind === 'CronJob'
          ? asObject(getPath(workload.body, ['spec', 'jobTemplate', 'spec']))
          : asObject(workload.body.spec);
      if (asString(jobSpec?.completionMode) !== 'Indexed' || !ORDINAL.test(value)) return { result: 'no' };
      return Number(value) < intField(jobSpec ?? {}, ['completions'], 1)
        ? { result: 'yes' }
        : { result: 'no' };
    }
    default:
      return undefined;
  }
}

/** Whether an IntOrString port is a number (or a string of digits), not a port name. */
export function isPortNumber(port: number | string): boolean {
  return typeof port === 'number' || /^\d+$/.test(port);
}

export type PodMatch = { result: 'yes' } | { result: 'no' } | { result: 'unknown'; reason: string };

/** Whether the pods `workload` creates carry every label of a Service's selector. */
export function servicePodMatch(selector: Record<string, string>, workload: Resource): PodMatch {
  const pod = podTemplate(workload);
  if (!pod) return { result: 'no' };
  const reasons: string[] = [];
  for (const [key, value] of Object.entries(selector)) {
    const verdict = controllerLabelVerdict(workload, key, value);
    if (verdict?.result === 'no') return verdict;
    if (verdict?.result === 'unknown') reasons.push(verdict.reason);
    if (verdict === undefined && pod.labels[key] !== value) return { result: 'no' };
  }
  // Jobs run to completion: their pods are endpoints only while they run.
  if (workload.kind === 'Job' || workload.kind === 'CronJob') {
    reasons.push(`the pods of a ${workload.kind} exist only while it runs`);
  }
  return reasons.length > 0 ? { result: 'unknown', reason: reasons.join('; ') } : { result: 'yes' };
}
