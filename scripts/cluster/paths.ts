import { join, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../lib/repo.js';

/**
 * Where the local control plane keeps things, all git-ignored:
 *   .tools/controlplane/<version>-<key>/   the built binaries (kept across `down`, reused by `up`)
 *   .cache/cluster/                        one running cluster's state: certificates, kubeconfigs,
 *                                          etcd data, one log file per component, state.json
 * TRIAGE_CLUSTER_STATE points the state elsewhere (the lifecycle tests run a second cluster).
 */

export const BINARIES_ROOT = join(PACKAGE_ROOT, '.tools', 'controlplane');
/** The Flux controllers' builds (`cluster up --flux`), beside the control plane's. */
export const FLUX_BINARIES_ROOT = join(PACKAGE_ROOT, '.tools', 'flux');

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.TRIAGE_CLUSTER_STATE
    ? resolve(env.TRIAGE_CLUSTER_STATE)
    : join(PACKAGE_ROOT, '.cache', 'cluster');
}

export interface StatePaths {
  root: string;
  stateFile: string;
  kubeconfig: string;
  pki: string;
  logs: string;
  etcdData: string;
  config: string;
}

export function statePaths(root: string): StatePaths {
  return {
    root,
    stateFile: join(root, 'state.json'),
    kubeconfig: join(root, 'kubeconfig'),
    pki: join(root, 'pki'),
    logs: join(root, 'logs'),
    etcdData: join(root, 'etcd'),
    config: join(root, 'config'),
  };
}
