import { type Json, list, text } from './json.js';

export interface KubeContext {
  name: string;
  server?: string;
  /** The context's default namespace, if it sets one. */
  namespace?: string;
}

/** From `kubectl config view --minify -o json`: the current context and its API server. */
export function readKubeContext(config: Json): KubeContext | undefined {
  const name = text(config, 'current-context');
  if (!name) return undefined;
  const context = list(config, 'contexts').find((entry) => text(entry, 'name') === name);
  const clusterName = text(context, 'context', 'cluster');
  const cluster = list(config, 'clusters').find((entry) => text(entry, 'name') === clusterName);
  return {
    name,
    server: text(cluster, 'cluster', 'server'),
    namespace: text(context, 'context', 'namespace'),
  };
}
