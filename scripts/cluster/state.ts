import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { processAlive, processExecutable } from '../lib/process.js';
import type { Ports } from './components.js';
import { stateDir, statePaths } from './paths.js';
import type { ComponentName, FluxComponentName } from './versions.js';

/** What `up` records so that `status` and `down` act on exactly the processes it started. */
export interface ClusterState {
  format: 1;
  startedAt: string;
  server: string;
  kubeconfig: string;
  ports: Ports;
  components: ComponentRecord[];
  /** Set by `up --flux`: the Flux controllers and the git server, stopped before the rest. */
  flux?: FluxState;
}

/** The processes `up --flux` adds: both controllers and the git server they fetch from. */
export type FluxPartName = FluxComponentName | 'git-server';

/** Ports of the Flux part, all on 127.0.0.1, chosen free when it starts. */
export interface FluxPorts {
  gitServer: number;
  sourceStorage: number;
  sourceMetrics: number;
  sourceHealth: number;
  kustomizeMetrics: number;
  kustomizeHealth: number;
}

export interface FluxState {
  ports: FluxPorts;
  /** The bare repository the git server serves, a mirror of the working repository. */
  mirror: string;
  /** Its URL, as the GitRepository names it. */
  gitUrl: string;
  components: ComponentRecord<FluxPartName>[];
}

export interface ComponentRecord<Name extends string = ComponentName> {
  name: Name;
  pid: number;
  /** The binary it runs: a PID reused by another program after a crash is not ours. */
  executable: string;
  version: string;
  log: string;
}

export function readState(file: string): ClusterState | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as ClusterState;
    return state.format === 1 && Array.isArray(state.components) ? state : undefined;
  } catch {
    return undefined;
  }
}

export function writeState(file: string, state: ClusterState): void {
  // Written whole, then renamed: a crash never leaves half a state file.
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** The state of the cluster in the state directory (TRIAGE_CLUSTER_STATE or .cache/cluster), if any. */
export function readCurrentState(env: NodeJS.ProcessEnv = process.env): ClusterState | undefined {
  return readState(statePaths(stateDir(env)).stateFile);
}

/** True when the PID is alive and still runs the component's binary. */
export function isOurs(record: Pick<ComponentRecord<string>, 'pid' | 'executable'>): boolean {
  return processAlive(record.pid) && processExecutable(record.pid) === record.executable;
}
