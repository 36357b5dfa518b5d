import type { BridgeSample } from '../cluster/cpu-bridge.js';
import type { KubeContext } from '../kube/context.js';
import type { LoadResult } from './engine.js';
import type { Preflight } from './preflight.js';
import type { ClusterSample } from './sample.js';

/** Everything a run observed: the input of the verdict and of every report. */
export interface RunRecord {
  tool: 'triage-loadtest';
  schemaVersion: 1;
  startedAt: string;
  target: {
    /** For display: user, password and query values hidden (see display-url.ts). */
    url: string;
    hostHeader?: string;
    /** Where the URL came from: `--url`, or the environment's Ingress. */
    source: 'url' | 'ingress' | 'local';
    env?: string;
  };
  plan: {
    durationMs: number;
    connections: number;
    rate?: number;
    maxRequests: number;
    requestTimeoutMs: number;
    pollIntervalMs: number;
    scaleInTimeoutMs: number;
    maxErrorRate: number;
  };
  load: LoadResult;
  /** Stopped by Ctrl+C (or SIGTERM): the record covers what happened until then. */
  interrupted: boolean;
  cluster: ClusterRecord | { checked: false; reason: string };
}

export interface ClusterRecord {
  checked: true;
  context: KubeContext;
  namespace: string;
  preflight: Preflight;
  /** The replica count the checks hold the HPA to: --expect-min-replicas, else the HPA's minReplicas. */
  minReplicas?: number;
  expectedMinReplicas?: number;
  /** Samples before (t ≤ 0), during and after the load, in time order. */
  samples: ClusterSample[];
  /** Seconds from load start to load end. */
  loadEndT: number;
  /** The wait for scale-in after the load; absent when it did not start (interrupted). */
  scaleIn?: { timeoutMs: number; endedT: number; reachedMinimum: boolean; interrupted: boolean };
  /** --local: the lab on the local control plane, and what in it was simulated. */
  lab?: LabRecord;
}

export interface LabRecord {
  /** The server's measured CPU divided among the Ready pods, every intervalMs (t: since the load started). */
  bridge: { intervalMs: number; samples: BridgeSample[]; cpuPerRequestMs?: number };
  /** --scale-down-window: the live HPA's window during the run, and the overlay's, restored after. */
  scaleDownWindow?: { setS: number; overlayS?: number };
}
