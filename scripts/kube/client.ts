import { type KubeContext, readKubeContext } from './context.js';
import type { Json } from './json.js';
import { KubectlError, type KubectlJson } from './kubectl.js';

/** A namespace on a cluster, reached through one kubectl function with one timeout per call. */
export interface ClusterClient {
  namespace: string;
  context?: string;
  kubeconfig?: string;
  timeoutMs: number;
  kubectl: KubectlJson;
}

export function getObject(cluster: ClusterClient, ...resources: string[]): Promise<Json> {
  return cluster.kubectl(['get', ...resources], {
    timeoutMs: cluster.timeoutMs,
    namespace: cluster.namespace,
    context: cluster.context,
    kubeconfig: cluster.kubeconfig,
  });
}

/**
 * Is there a cluster to check? Reads the current context (local, fast), then gets the namespace
 * (reaches the API server). Throws KubectlError: `missing`, `no-context`, `unreachable`, `not-found`…
 */
export async function probeCluster(cluster: ClusterClient): Promise<KubeContext> {
  const config = await cluster.kubectl(['config', 'view', '--minify'], {
    timeoutMs: cluster.timeoutMs,
    context: cluster.context,
    kubeconfig: cluster.kubeconfig,
  });
  const context = readKubeContext(config);
  if (!context) throw new KubectlError('kubectl has no current context', 'no-context', ['config', 'view']);
  try {
    await getObject(cluster, 'namespace', cluster.namespace);
  } catch (error) {
    // A namespace-scoped identity may not read the Namespace object: the server answered, enough.
    if (!(error instanceof KubectlError && error.failure === 'forbidden')) throw error;
  }
  return context;
}

/** One line for a failed kubectl call: the kind of failure in plain words, then kubectl's own. */
export function describeKubectlError(error: unknown): string {
  if (!(error instanceof KubectlError)) return error instanceof Error ? error.message : String(error);
  switch (error.failure) {
    case 'forbidden':
      return `forbidden (the identity may not read it): ${error.message}`;
    case 'not-found':
      return `not found: ${error.message}`;
    default:
      return error.message;
  }
}
