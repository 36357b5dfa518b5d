import { count, expectKind, field, type Json, list, text } from './json.js';

export interface DeploymentState {
  name: string;
  namespace?: string;
  /** spec.replicas: what the HPA last asked for. */
  specReplicas?: number;
  /** status.replicas: pods that exist (ready or not). */
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  updatedReplicas: number;
  /** ConfigMaps the containers read environment from (envFrom, or env valueFrom). */
  configMapRefs: string[];
  /** Secrets the containers read environment from. */
  secretRefs: string[];
  /** Of those, the ones marked `optional: true` (pods start without them). */
  optionalSecretRefs: string[];
  /** SecretProviderClasses of the pod's Secrets Store CSI volumes. */
  secretProviderClasses: string[];
  /** Containers without a CPU request: the HPA cannot compute utilization for them. */
  containersWithoutCpuRequest: string[];
  /** The pod's CPU request (sum of its containers'), millicores: what utilization is a share of. */
  cpuRequestMillicores?: number;
}

/** `250m` → 250, `1` → 1000, `0.5` → 500; undefined for anything else. */
export function cpuMillicores(quantity: string | undefined): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(quantity?.trim() ?? '');
  if (!match?.[1]) return undefined;
  return match[2] ? Number(match[1]) : Number(match[1]) * 1000;
}

const CSI_DRIVER = 'secrets-store.csi.k8s.io';

function unique(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((value): value is string => typeof value === 'string' && value !== ''))];
}

export function readDeployment(deployment: Json): DeploymentState {
  expectKind(deployment, 'Deployment');
  const podSpec = (deployment as { spec?: { template?: { spec?: Json } } }).spec?.template?.spec;
  const containers = [...list(podSpec, 'containers'), ...list(podSpec, 'initContainers')];
  const envFrom = containers.flatMap((container) => list(container, 'envFrom'));
  const env = containers.flatMap((container) => list(container, 'env'));
  return {
    name: text(deployment, 'metadata', 'name') ?? '?',
    namespace: text(deployment, 'metadata', 'namespace'),
    specReplicas: count(deployment, 'spec', 'replicas'),
    replicas: count(deployment, 'status', 'replicas') ?? 0,
    readyReplicas: count(deployment, 'status', 'readyReplicas') ?? 0,
    availableReplicas: count(deployment, 'status', 'availableReplicas') ?? 0,
    updatedReplicas: count(deployment, 'status', 'updatedReplicas') ?? 0,
    configMapRefs: unique([
      ...envFrom.map((source) => text(source, 'configMapRef', 'name')),
      ...env.map((variable) => text(variable, 'valueFrom', 'configMapKeyRef', 'name')),
    ]),
    secretRefs: unique([
      ...envFrom.map((source) => text(source, 'secretRef', 'name')),
      ...env.map((variable) => text(variable, 'valueFrom', 'secretKeyRef', 'name')),
    ]),
    optionalSecretRefs: unique([
      ...envFrom
        .filter((source) => field(source, 'secretRef', 'optional') === true)
        .map((source) => text(source, 'secretRef', 'name')),
      ...env
        .filter((variable) => field(variable, 'valueFrom', 'secretKeyRef', 'optional') === true)
        .map((variable) => text(variable, 'valueFrom', 'secretKeyRef', 'name')),
    ]),
    secretProviderClasses: unique(
      list(podSpec, 'volumes')
        .filter((volume) => text(volume, 'csi', 'driver') === CSI_DRIVER)
        .map((volume) => text(volume, 'csi', 'volumeAttributes', 'secretProviderClass')),
    ),
    cpuRequestMillicores: (() => {
      const requests = list(podSpec, 'containers').map((container) =>
        cpuMillicores(text(container, 'resources', 'requests', 'cpu')),
      );
      return requests.length > 0 && requests.every((each) => each !== undefined)
        ? requests.reduce((sum: number, each) => sum + (each ?? 0), 0)
        : undefined;
    })(),
    containersWithoutCpuRequest: list(podSpec, 'containers')
      .filter((container) => text(container, 'resources', 'requests', 'cpu') === undefined)
      .map((container) => text(container, 'name') ?? '?'),
  };
}
