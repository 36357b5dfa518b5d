import { type ClusterClient, describeKubectlError, getObject } from '../kube/client.js';
import {
  type ConfigMapState,
  MODEL_DEPLOYMENT_KEY,
  pickConfigMap,
  readConfigMap,
} from '../kube/configmap.js';
import { type DeploymentState, readDeployment } from '../kube/deployment.js';
import { type HpaState, readHpa } from '../kube/hpa.js';
import { KubectlError, type KubectlFailure } from '../kube/kubectl.js';
import {
  readSecretKeys,
  readSecretProviderClass,
  type SecretKeys,
  type SecretProviderClassState,
} from '../kube/secret.js';

export interface Found<T> {
  name: string;
  state?: T;
  /** Why it could not be read (not found, forbidden, timeout…). */
  error?: string;
  failure?: KubectlFailure;
}

/** What the cluster looks like before the load: the objects the checks reason about. */
export interface Preflight {
  hpa: Found<HpaState>;
  deployment: Found<DeploymentState>;
  /** The ConfigMap holding MODEL_DEPLOYMENT_NAME, and how it was found. */
  configMap: Found<ConfigMapState> & { via?: 'deployment' | 'name-prefix' };
  /** The Secrets the Deployment reads environment from: key names only. */
  secrets: Found<SecretKeys>[];
  /** The SecretProviderClasses of the pod's CSI volumes (prod syncs triage-secrets from Key Vault). */
  secretProviderClasses: Found<SecretProviderClassState>[];
}

export interface PreflightNames {
  hpa: string;
  /** Used only when the HPA cannot be read to name its target. */
  deployment: string;
  configMapPrefix: string;
}

async function read<T>(
  cluster: ClusterClient,
  kind: string,
  name: string,
  reader: (json: unknown) => T,
): Promise<Found<T>> {
  try {
    return { name, state: reader(await getObject(cluster, kind, name)) };
  } catch (error) {
    return {
      name,
      error: describeKubectlError(error),
      ...(error instanceof KubectlError ? { failure: error.failure } : {}),
    };
  }
}

async function findModelConfigMap(
  cluster: ClusterClient,
  deployment: DeploymentState | undefined,
  prefix: string,
): Promise<Preflight['configMap']> {
  const referenced = deployment?.configMapRefs ?? [];
  const errors: string[] = [];
  for (const name of referenced) {
    const found = await read(cluster, 'configmap', name, readConfigMap);
    if (found.state?.modelDeploymentName) return { ...found, via: 'deployment' };
    errors.push(found.error ? `${name}: ${found.error}` : `${name} has no ${MODEL_DEPLOYMENT_KEY}`);
  }
  try {
    const picked = pickConfigMap(await getObject(cluster, 'configmap'), [], prefix);
    if (picked) return { name: picked.name, state: picked, via: 'name-prefix' };
    errors.push(`no ConfigMap named ${prefix}-<hash> in namespace ${cluster.namespace}`);
  } catch (error) {
    errors.push(`listing ConfigMaps: ${describeKubectlError(error)}`);
  }
  return { name: referenced[0] ?? `${prefix}-<hash>`, error: errors.join('; ') };
}

export async function runPreflight(cluster: ClusterClient, names: PreflightNames): Promise<Preflight> {
  const hpa = await read(cluster, 'horizontalpodautoscaler', names.hpa, readHpa);
  const deploymentName = hpa.state?.scaleTarget.name ?? names.deployment;
  const deployment = await read(cluster, 'deployment', deploymentName, readDeployment);
  const configMap = await findModelConfigMap(cluster, deployment.state, names.configMapPrefix);
  const secrets: Found<SecretKeys>[] = [];
  for (const name of deployment.state?.secretRefs ?? []) {
    // readSecretKeys keeps key names only: the values never leave this call.
    secrets.push(await read(cluster, 'secret', name, readSecretKeys));
  }
  const secretProviderClasses: Found<SecretProviderClassState>[] = [];
  for (const name of deployment.state?.secretProviderClasses ?? []) {
    secretProviderClasses.push(await read(cluster, 'secretproviderclass', name, readSecretProviderClass));
  }
  return { hpa, deployment, configMap, secrets, secretProviderClasses };
}
