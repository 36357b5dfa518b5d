import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubectlJson } from '../../scripts/kube/kubectl.js';
import { KubectlError } from '../../scripts/kube/kubectl.js';
import type { LoadSecond } from '../../scripts/loadtest/engine.js';
import type { Preflight } from '../../scripts/loadtest/preflight.js';
import type { ClusterRecord, RunRecord } from '../../scripts/loadtest/record.js';
import type { ClusterSample } from '../../scripts/loadtest/sample.js';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '..', '..');

export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(path.join(HERE, 'fixtures', name), 'utf8'));
}

/** A kubectl on disk that answers from the fixtures (see fake-kubectl.mjs): returns its path. */
export function installFakeKubectl(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fake-kubectl-'));
  const file = path.join(dir, 'kubectl');
  writeFileSync(
    file,
    `#!/bin/sh\nexec "${process.execPath}" "${path.join(HERE, 'fake-kubectl.mjs')}" "$@"\n`,
  );
  chmodSync(file, 0o755);
  return file;
}

/** An in-process KubectlJson answering `get KIND NAME` from a table of fixtures; NotFound otherwise. */
export function kubectlFrom(table: Record<string, string | unknown>): KubectlJson & { calls: string[] } {
  const calls: string[] = [];
  const fn = async (args: readonly string[]) => {
    const key = args.join(' ');
    calls.push(key);
    const answer = table[key];
    if (answer === undefined) {
      throw new KubectlError(
        `Error from server (NotFound): ${args[1]} "${args[2]}" not found`,
        'not-found',
        args,
      );
    }
    if (answer instanceof Error) throw answer;
    return typeof answer === 'string' ? fixture(answer) : answer;
  };
  return Object.assign(fn, { calls });
}

/** A load timeline of `responses[i]` responses in second i. */
export function loadSeconds(responses: number[], errorsPerSecond = 0): LoadSecond[] {
  return responses.map((count, t) => ({
    t,
    seconds: 1,
    responses: count,
    non2xx: errorsPerSecond,
    errors: 0,
    p50: 20,
    p95: 40 + t,
    p99: 60,
    max: 80,
  }));
}

export function preflightAtMinimum(): Preflight {
  return {
    hpa: {
      name: 'triage-backend-hpa',
      state: {
        name: 'triage-backend-hpa',
        namespace: 'triage',
        minReplicas: 2,
        maxReplicas: 10,
        targetCpuUtilization: 10,
        scaleTarget: { kind: 'Deployment', name: 'triage-backend' },
        currentReplicas: 2,
        desiredReplicas: 2,
        cpuUtilization: 3,
        metricsAvailable: true,
      },
    },
    deployment: {
      name: 'triage-backend',
      state: {
        name: 'triage-backend',
        replicas: 2,
        readyReplicas: 2,
        availableReplicas: 2,
        updatedReplicas: 2,
        configMapRefs: ['triage-config-69cf58mtf2'],
        secretRefs: ['triage-secrets-c2bgt5f67k'],
        optionalSecretRefs: [],
        secretProviderClasses: [],
        containersWithoutCpuRequest: [],
        cpuRequestMillicores: 250,
      },
    },
    configMap: {
      name: 'triage-config-69cf58mtf2',
      via: 'deployment',
      state: {
        name: 'triage-config-69cf58mtf2',
        keys: ['MODEL_DEPLOYMENT_NAME'],
        modelDeploymentName: 'gpt-4.1-mini',
      },
    },
    secrets: [
      {
        name: 'triage-secrets-c2bgt5f67k',
        state: {
          name: 'triage-secrets-c2bgt5f67k',
          type: 'Opaque',
          keys: ['AZURE_OPENAI_API_KEY'],
          managedByCsi: false,
        },
      },
    ],
    secretProviderClasses: [],
  };
}

/** HPA samples every 15 s: `replicas[i]` (current = desired = ready) at t = 15·i, phase from loadEndT. */
export function samplesEvery15s(replicas: number[], loadEndT: number, cpu = 50): ClusterSample[] {
  return replicas.map((count, index) => {
    const t = index * 15;
    return {
      t,
      phase: t === 0 ? 'before' : t <= loadEndT ? 'load' : 'after',
      currentReplicas: count,
      desiredReplicas: count,
      replicas: count,
      readyReplicas: count,
      cpuUtilization: t === 0 ? 3 : cpu,
      metricsAvailable: true,
    } satisfies ClusterSample;
  });
}

export function syntheticRecord(overrides: {
  responses?: number[];
  non2xxPerSecond?: number;
  cluster?: Partial<ClusterRecord> | false;
  interrupted?: boolean;
}): RunRecord {
  const seconds = loadSeconds(overrides.responses ?? new Array(60).fill(100), overrides.non2xxPerSecond ?? 0);
  const responses = seconds.reduce((sum, s) => sum + s.responses, 0);
  const non2xx = seconds.reduce((sum, s) => sum + s.non2xx, 0);
  const record: RunRecord = {
    tool: 'triage-loadtest',
    schemaVersion: 1,
    startedAt: '2026-03-04T10:20:00.000Z',
    target: { url: 'http://20.61.143.27/api/triage', source: 'ingress', env: 'dev' },
    plan: {
      durationMs: seconds.length * 1000,
      connections: 10,
      maxRequests: 5_000_000,
      requestTimeoutMs: 10_000,
      pollIntervalMs: 15_000,
      scaleInTimeoutMs: 600_000,
      maxErrorRate: 0.01,
    },
    load: {
      startedAt: '2026-03-04T10:20:00.000Z',
      connections: 10,
      seconds,
      stopReason: overrides.interrupted ? 'interrupted' : 'duration',
      totals: {
        elapsedMs: seconds.length * 1000,
        responses,
        non2xx,
        errors: 0,
        errorRate: responses ? non2xx / responses : 0,
        requestsPerSecond: responses / Math.max(1, seconds.length),
        latency: { p50: 20, p95: 40, p99: 60, max: 80, mean: 22 },
        statusCodes: non2xx ? { '200': responses - non2xx, '503': non2xx } : { '200': responses },
        errorCodes: {},
      },
    },
    interrupted: overrides.interrupted ?? false,
    cluster:
      overrides.cluster === false
        ? { checked: false, reason: '--no-cluster was given' }
        : {
            checked: true,
            context: { name: 'aks-triage-dev' },
            namespace: 'triage',
            preflight: preflightAtMinimum(),
            minReplicas: 2,
            samples: [],
            loadEndT: seconds.length,
            ...overrides.cluster,
          },
  };
  return record;
}
