/**
 * Readers of the GitOps controllers' objects as `kubectl get -o json` prints them: an Argo CD
 * Application and a Flux Kustomization, reduced to "is this commit applied and healthy".
 */

import { printableLine } from '../lib/printable.js';
import { field, type Json, text } from './json.js';

export type { Json };

export type Controller = 'argocd' | 'flux';

export interface SyncStatus {
  /** True when the controller reports `revision` applied and healthy. */
  done: boolean;
  /** One line for the log: what the controller reports now. */
  summary: string;
  /**
   * The commit the controller last tried and gave up on (Flux: Ready False with a failure reason
   * at `lastAttemptedRevision`); the wait fails when it is the wanted commit or contains it.
   */
  failedAt?: string;
  /**
   * Set when the failure is known only from `status.history` (Flux is retrying, its Ready message
   * is gone): the reason, whose message the caller may find in the controller's events.
   */
  failureWithoutMessage?: string;
}

/** What the controller has applied, whichever commit that is. */
export interface AppliedState {
  /** Synced and healthy (Argo CD), or Ready (Flux), at the reported commits. */
  healthy: boolean;
  /** The reported commits (Flux's `main@sha1:` prefix removed). */
  commits: string[];
}

/** Longest controller message (Argo CD's operation message, a Flux condition's) kept in a summary. */
export const MAX_MESSAGE_CHARS = 400;
/** Longest short controller value (a status, a reason, a revision) kept in a summary. */
const MAX_VALUE_CHARS = 100;

/** Credentials inside a URL (`https://user:token@host`): a controller's message may quote its source's URL. */
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi;

/** A controller's value as it appears in a summary: one safe line, bounded, no URL credentials. */
function shown(value: string, maxChars = MAX_VALUE_CHARS): string {
  return printableLine(value.replace(URL_CREDENTIALS, '$1***@'), maxChars);
}

export function short(revision: string | undefined): string {
  if (!revision) return 'none';
  return shown(revision.replace(/([0-9a-f]{12})[0-9a-f]{28}/, '$1'));
}

/** The commit SHA at the end of a reported revision (`<sha>`, `main@sha1:<sha>`, `main/<sha>`). */
function commitOf(reported: string): string | undefined {
  return /([0-9a-f]{7,40})$/.exec(reported.toLowerCase())?.[1];
}

function sameCommit(reported: string | undefined, revision: string): boolean {
  if (!reported) return false;
  const wanted = revision.toLowerCase();
  const commit = commitOf(reported);
  return commit !== undefined && (commit.startsWith(wanted) || wanted.startsWith(commit));
}

/**
 * An Argo CD `Application`: done when `.status.sync.revision` (or one of `.status.sync.revisions`
 * for multi-source apps) is the commit, `.status.sync.status` is Synced and
 * `.status.health.status` is Healthy.
 */
export function readArgoApplication(application: Json, revision: string): SyncStatus {
  const single = text(field(application, 'status', 'sync', 'revision'));
  const many = field(application, 'status', 'sync', 'revisions');
  const revisions = [single, ...(Array.isArray(many) ? many.map((each) => text(each)) : [])].filter(
    (each): each is string => each !== undefined,
  );
  const atRevision = revisions.some((each) => sameCommit(each, revision));
  const sync = text(field(application, 'status', 'sync', 'status')) ?? 'Unknown';
  const health = text(field(application, 'status', 'health', 'status')) ?? 'Unknown';
  const phase = text(field(application, 'status', 'operationState', 'phase'));
  // Argo CD's operation message spans lines (one per failed object): all of it, on one line.
  const message = text(field(application, 'status', 'operationState', 'message'));
  const operation =
    phase && phase !== 'Succeeded'
      ? `; last operation ${shown(phase)}${message ? `: ${shown(message, MAX_MESSAGE_CHARS)}` : ''}`
      : '';
  return {
    done: atRevision && sync === 'Synced' && health === 'Healthy',
    summary: `revision ${short(revisions[0])}, sync ${shown(sync)}, health ${shown(health)}${operation}`,
  };
}

/** Ready=False reasons with which Flux gives up on a revision until something changes. */
export const FLUX_FAILURE_REASONS: ReadonlySet<string> = new Set([
  'ReconciliationFailed',
  'HealthCheckFailed',
  'BuildFailed',
  'PruneFailed',
]);

function readyCondition(object: Json): Json {
  const conditions = field(object, 'status', 'conditions');
  return Array.isArray(conditions)
    ? conditions.find((condition) => field(condition, 'type') === 'Ready')
    : undefined;
}

/** ` (Reason: first line of the message)`, or nothing without a reason. */
function reasonDetail(condition: Json): string {
  const reason = text(field(condition, 'reason'));
  const message = text(field(condition, 'message'));
  // Flux writes one failure per line: the first is shown, the rest would not fit one log line.
  const firstLine = message?.split(/\r\n|\r|\n/).find((line) => line.trim());
  return reason ? ` (${shown(reason)}${firstLine ? `: ${shown(firstLine, MAX_MESSAGE_CHARS)}` : ''})` : '';
}

/**
 * A Flux `Kustomization`: done when `.status.lastAppliedRevision` names the commit and the
 * `Ready` condition is True (with `wait: true` or health checks, Ready covers health too).
 */
export function readFluxKustomization(kustomization: Json, revision: string): SyncStatus {
  const applied = text(field(kustomization, 'status', 'lastAppliedRevision'));
  const attempted = text(field(kustomization, 'status', 'lastAttemptedRevision'));
  const ready = readyCondition(kustomization);
  const readyStatus = text(field(ready, 'status')) ?? 'Unknown';
  const reason = text(field(ready, 'reason'));
  const attempt = attempted && attempted !== applied ? `, attempting ${short(attempted)}` : '';
  const summary = `applied ${short(applied)}${attempt}, Ready ${shown(readyStatus)}${reasonDetail(ready)}`;
  const done = sameCommit(applied, revision) && readyStatus === 'True';
  if (readyStatus === 'False' && reason && FLUX_FAILURE_REASONS.has(reason) && attempted) {
    const failedAt = commitOf(attempted);
    return { done, summary, ...(failedAt ? { failedAt } : {}) };
  }
  // Flux may retry at once after a failure (a change queued meanwhile): Ready is Unknown again
  // within a second, and only the history still says how the last attempt at this revision ended.
  const verdict = readyStatus === 'True' ? undefined : lastVerdict(kustomization, attempted);
  if (verdict && attempted && FLUX_FAILURE_REASONS.has(verdict)) {
    const failedAt = commitOf(attempted);
    return {
      done,
      summary: `${summary}; its last attempt at ${short(attempted)} ended ${shown(verdict)}`,
      ...(failedAt ? { failedAt, failureWithoutMessage: verdict } : {}),
    };
  }
  return { done, summary };
}

/** `lastReconciledStatus` of the `status.history` entry for this revision (kustomize-controller ≥ 1.7). */
function lastVerdict(kustomization: Json, revision: string | undefined): string | undefined {
  if (!revision) return undefined;
  const history = field(kustomization, 'status', 'history');
  if (!Array.isArray(history)) return undefined;
  const entry = history.find((each) => text(field(each, 'metadata', 'revision')) === revision);
  return text(field(entry, 'lastReconciledStatus'));
}

/** A Warning event's message (its first line) as the summary shows it: Flux's words for a failure whose condition is gone. */
export function eventMessagePart(message: string): string {
  return shown(message.split(/\r\n|\r|\n/).find((line) => line.trim()) ?? '', MAX_MESSAGE_CHARS);
}

/** The newest message among `kubectl get events -o json` items, by their last time. */
export function newestEventMessage(events: Json): string | undefined {
  const items = field(events, 'items');
  if (!Array.isArray(items)) return undefined;
  const when = (event: Json) =>
    text(field(event, 'lastTimestamp')) ??
    text(field(event, 'eventTime')) ??
    text(field(event, 'metadata', 'creationTimestamp')) ??
    '';
  const newest = [...items].sort((a, b) => when(b).localeCompare(when(a)))[0];
  return text(field(newest, 'message'));
}

/** Where a Flux Kustomization takes its files from: `spec.sourceRef` (namespace defaults to its own). */
export interface FluxSourceRef {
  kind: string;
  name: string;
  namespace: string;
}

/** The source kinds Flux's source-controller serves, by the resource kubectl is asked for. */
export const FLUX_SOURCE_RESOURCES: Readonly<Record<string, string>> = {
  GitRepository: 'gitrepositories.source.toolkit.fluxcd.io',
  OCIRepository: 'ocirepositories.source.toolkit.fluxcd.io',
  Bucket: 'buckets.source.toolkit.fluxcd.io',
  ExternalArtifact: 'externalartifacts.source.toolkit.fluxcd.io',
};

export function fluxSourceRef(kustomization: Json): FluxSourceRef | undefined {
  const kind = text(field(kustomization, 'spec', 'sourceRef', 'kind'));
  const name = text(field(kustomization, 'spec', 'sourceRef', 'name'));
  const namespace =
    text(field(kustomization, 'spec', 'sourceRef', 'namespace')) ??
    text(field(kustomization, 'metadata', 'namespace'));
  if (!kind || !name || !namespace || !(kind in FLUX_SOURCE_RESOURCES)) return undefined;
  return { kind, name, namespace };
}

/**
 * A Flux source (GitRepository …) as one summary part, or undefined when there is nothing to add:
 * it is Ready with the wanted commit's artifact (the Kustomization's part says the rest), or the
 * object is not the kind asked for.
 */
export function readFluxSource(source: Json, ref: FluxSourceRef, revision: string): string | undefined {
  const kind = text(field(source, 'kind'));
  if (kind !== undefined && kind !== ref.kind) return undefined;
  const artifact = text(field(source, 'status', 'artifact', 'revision'));
  const ready = readyCondition(source);
  const readyStatus = text(field(ready, 'status')) ?? 'Unknown';
  if (readyStatus === 'True' && sameCommit(artifact, revision)) return undefined;
  return (
    `source ${shown(ref.kind)} ${shown(ref.namespace)}/${shown(ref.name)} has ${short(artifact)}, ` +
    `Ready ${shown(readyStatus)}${reasonDetail(ready)}`
  );
}

/** The commits an Application or Kustomization reports, and whether it is healthy there. */
export function appliedState(controller: Controller, object: Json): AppliedState {
  if (controller === 'argocd') {
    const single = text(field(object, 'status', 'sync', 'revision'));
    const many = field(object, 'status', 'sync', 'revisions');
    const revisions = [single, ...(Array.isArray(many) ? many.map((each) => text(each)) : [])];
    return {
      healthy:
        text(field(object, 'status', 'sync', 'status')) === 'Synced' &&
        text(field(object, 'status', 'health', 'status')) === 'Healthy',
      commits: commitsOf(revisions),
    };
  }
  return {
    healthy: text(field(readyCondition(object), 'status')) === 'True',
    commits: commitsOf([text(field(object, 'status', 'lastAppliedRevision'))]),
  };
}

function commitsOf(revisions: readonly (string | undefined)[]): string[] {
  return revisions
    .map((each) => (each === undefined ? undefined : commitOf(each)))
    .filter((each): each is string => each !== undefined);
}
