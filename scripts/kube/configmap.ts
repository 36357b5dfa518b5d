import { expectKind, items, type Json, record, text } from './json.js';

export const MODEL_DEPLOYMENT_KEY = 'MODEL_DEPLOYMENT_NAME';

export interface ConfigMapState {
  name: string;
  keys: string[];
  /** The model deployment the backend calls (not a secret: a deployment name). */
  modelDeploymentName?: string;
  createdAt?: string;
}

export function readConfigMap(configMap: Json): ConfigMapState {
  expectKind(configMap, 'ConfigMap');
  const data = record(configMap, 'data');
  const model = data[MODEL_DEPLOYMENT_KEY];
  return {
    name: text(configMap, 'metadata', 'name') ?? '?',
    keys: Object.keys(data).sort(),
    modelDeploymentName: typeof model === 'string' && model !== '' ? model : undefined,
    createdAt: text(configMap, 'metadata', 'creationTimestamp'),
  };
}

/**
 * From a ConfigMap list, the one the backend reads: one the Deployment references if listed,
 * else the newest whose name is `prefix` plus kustomize's hash suffix (older generations linger
 * until pruned).
 */
export function pickConfigMap(
  configMaps: Json,
  referenced: readonly string[],
  prefix: string,
): ConfigMapState | undefined {
  const all = items(configMaps)
    .filter((item) => text(item, 'kind') === 'ConfigMap')
    .map(readConfigMap);
  const byReference = all.find((configMap) => referenced.includes(configMap.name));
  if (byReference) return byReference;
  const suffixed = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(-[a-z0-9]{10})?$`);
  return all
    .filter((configMap) => suffixed.test(configMap.name))
    .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''))[0];
}
