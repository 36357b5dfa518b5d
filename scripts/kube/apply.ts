import { pollUntil } from '../lib/poll.js';
import { readDeployment } from './deployment.js';
import { count, field, type Json, list, text } from './json.js';
import { type KubectlCallOptions, KubectlError, kubectl, kubectlJson } from './kubectl.js';

/**
 * Writes to a cluster: server-side diff and apply, rollout status and undo. Everything goes
 * through kubectl with one field manager.
 */

/**
 * The one field manager every write of this project uses (deploy, the cluster's own objects, the
 * tests), so a later server-side apply never conflicts with an earlier one of ours.
 */
export const FIELD_MANAGER = 'triage-gitops';

/** Where a call goes: a kubeconfig and/or context; no namespace (the manifests carry theirs). */
export type Target = Pick<KubectlCallOptions, 'kubeconfig' | 'context'>;

/**
 * `--force-conflicts`: git is the source of truth. The fields others own after our own writes come
 * from `rollout undo` or a hand edit, and a deploy must put git's value back (as Flux does).
 */
const APPLY_FLAGS = ['--server-side', `--field-manager=${FIELD_MANAGER}`, '--force-conflicts'];

export interface DiffResult {
  changed: boolean;
  /** kubectl's unified diff; Secret data is masked by kubectl itself (`***`). */
  diff: string;
}

export async function serverSideDiff(
  target: Target,
  manifests: string,
  timeoutMs: number,
): Promise<DiffResult> {
  // kubectl diff exits 1 when there are differences, >1 on error.
  const result = await kubectl(['diff', ...APPLY_FLAGS, '-f', '-'], {
    ...target,
    timeoutMs,
    input: manifests,
    okExitCodes: [1],
  });
  return { changed: result.code === 1, diff: result.stdout };
}

/** Waits until the API server serves each CRD (`crd/<plural>.<group>`). */
export async function waitForCrds(
  target: Target,
  names: readonly string[],
  timeoutMs = 20_000,
): Promise<void> {
  const seconds = Math.ceil(timeoutMs / 1000);
  await kubectl(
    ['wait', '--for=condition=Established', `--timeout=${seconds}s`, ...names.map((name) => `crd/${name}`)],
    {
      ...target,
      timeoutMs: timeoutMs + 5000,
    },
  );
}

/** Applies the stream; returns kubectl's per-object lines (`deployment.apps/x serverside-applied`). */
export async function serverSideApply(
  target: Target,
  manifests: string,
  timeoutMs: number,
): Promise<string[]> {
  const result = await kubectl(['apply', ...APPLY_FLAGS, '-f', '-'], {
    ...target,
    timeoutMs,
    input: manifests,
  });
  return result.stdout.split('\n').filter(Boolean);
}

/** Which of these namespaces the server does not have yet. */
export async function missingNamespaces(target: Target, names: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const name of names) {
    try {
      await kubectlJson(['get', 'namespace', name], { ...target, timeoutMs: 20_000 });
    } catch (error) {
      if (error instanceof KubectlError && error.failure === 'not-found') missing.push(name);
      else throw error;
    }
  }
  return missing;
}

/** Whether the server serves an API group/version (`/apis/secrets-store.csi.x-k8s.io/v1`): discovery only. */
export async function servesApi(target: Target, groupVersion: string): Promise<boolean> {
  try {
    await kubectl(['get', '--raw', `/apis/${groupVersion}`], { ...target, timeoutMs: 20_000 });
    return true;
  } catch (error) {
    if (error instanceof KubectlError && error.failure === 'not-found') return false;
    throw error;
  }
}

export interface RolloutResult {
  ok: boolean;
  /** kubectl's last line: `successfully rolled out`, or why it stopped waiting. */
  message: string;
}

export async function rolloutStatus(
  target: Target,
  namespace: string,
  deployment: string,
  timeoutMs: number,
): Promise<RolloutResult> {
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  try {
    const result = await kubectl(
      ['rollout', 'status', `deployment/${deployment}`, '--namespace', namespace, `--timeout=${seconds}s`],
      // rollout status streams for the whole timeout: its own request timeout must not cut it short.
      { ...target, timeoutMs: timeoutMs + 15_000 },
    );
    return { ok: true, message: result.stdout.trim().split('\n').at(-1) ?? 'rolled out' };
  } catch (error) {
    if (error instanceof KubectlError) return { ok: false, message: error.message };
    throw error;
  }
}

export async function rolloutUndo(target: Target, namespace: string, deployment: string): Promise<string> {
  const result = await kubectl(['rollout', 'undo', `deployment/${deployment}`, '--namespace', namespace], {
    ...target,
    timeoutMs: 30_000,
  });
  return result.stdout.trim();
}

/** The ReplicaSet a Deployment's current revision runs, with its readiness. */
export interface ReplicaSetState {
  name: string;
  revision?: string;
  replicas: number;
  readyReplicas: number;
  podTemplateHash?: string;
}

export async function currentReplicaSet(
  target: Target,
  namespace: string,
  deployment: string,
): Promise<ReplicaSetState | undefined> {
  const object = await kubectlJson(['get', 'deployment', deployment], {
    ...target,
    namespace,
    timeoutMs: 20_000,
  });
  const revision = text(object, 'metadata', 'annotations', 'deployment.kubernetes.io/revision');
  const sets = await kubectlJson(['get', 'replicasets'], { ...target, namespace, timeoutMs: 20_000 });
  const owned = list(sets, 'items').filter((set) =>
    list(set, 'metadata', 'ownerReferences').some(
      (owner: Json) => text(owner, 'kind') === 'Deployment' && text(owner, 'name') === deployment,
    ),
  );
  const current = owned.find(
    (set) => text(set, 'metadata', 'annotations', 'deployment.kubernetes.io/revision') === revision,
  );
  if (!current) return undefined;
  return {
    name: text(current, 'metadata', 'name') ?? '?',
    revision,
    replicas: count(current, 'status', 'replicas') ?? 0,
    readyReplicas: count(current, 'status', 'readyReplicas') ?? 0,
    podTemplateHash: text(field(current, 'metadata', 'labels'), 'pod-template-hash'),
  };
}

/**
 * Sets (or, with undefined, removes) an HPA's `behavior.scaleDown.stabilizationWindowSeconds` on
 * the live object, as this project's field manager. Returns the value it had.
 */
export async function setScaleDownWindow(
  target: Target,
  namespace: string,
  hpa: string,
  seconds: number | undefined,
): Promise<number | undefined> {
  const current = await kubectlJson(['get', 'horizontalpodautoscaler', hpa], {
    ...target,
    namespace,
    timeoutMs: 20_000,
  });
  const before = count(current, 'spec', 'behavior', 'scaleDown', 'stabilizationWindowSeconds');
  await kubectl(
    [
      'patch',
      'horizontalpodautoscaler',
      hpa,
      '--type=merge',
      `--field-manager=${FIELD_MANAGER}`,
      '-p',
      JSON.stringify({ spec: { behavior: { scaleDown: { stabilizationWindowSeconds: seconds ?? null } } } }),
    ],
    { ...target, namespace, timeoutMs: 20_000 },
  );
  return before;
}

/** Polls a Deployment until it has `wanted` Ready pods or `timeoutMs` passes; returns the last count. */
export async function waitForReadyReplicas(
  target: Target,
  namespace: string,
  deployment: string,
  wanted: number,
  timeoutMs: number,
): Promise<number> {
  return pollUntil(
    async () =>
      readDeployment(
        await kubectlJson(['get', 'deployment', deployment], { ...target, namespace, timeoutMs: 20_000 }),
      ).readyReplicas,
    (ready) => ready >= wanted,
    { timeoutMs, intervalMs: 1000 },
  );
}
