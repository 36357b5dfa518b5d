/**
 * Readers of the GitOps controllers' objects as `kubectl get -o json` prints them: an Argo CD
 * Application and a Flux Kustomization, reduced to "is this commit applied and healthy".
 */

import { field, type Json, text } from './json.js';

export type { Json };

export type Controller = 'argocd' | 'flux';

export interface SyncStatus {
  /** True when the controller reports `revision` applied and healthy. */
  done: boolean;
  /** One line for the log: what the controller reports now. */
  summary: string;
}

/** What the controller has applied, whichever commit that is. */
export interface AppliedState {
  /** Synced and healthy (Argo CD), or Ready (Flux), at the reported commits. */
  healthy: boolean;
  /** The reported commits (Flux's `main@sha1:` prefix removed). */
  commits: string[];
}

export function short(revision: string | undefined): string {
  if (!revision) return 'none';
  return revision.replace(/([0-9a-f]{12})[0-9a-f]{28}/, '$1');
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
  const message = text(field(application, 'status', 'operationState', 'message'));
  const operation =
    phase && phase !== 'Succeeded' ? `; last operation ${phase}${message ? `: ${message}` : ''}` : '';
  return {
    done: atRevision && sync === 'Synced' && health === 'Healthy',
    summary: `revision ${short(revisions[0])}, sync ${sync}, health ${health}${operation}`,
  };
}

/**
 * A Flux `Kustomization`: done when `.status.lastAppliedRevision` names the commit and the
 * `Ready` condition is True (with `wait: true` or health checks, Ready covers health too).
 */
export function readFluxKustomization(kustomization: Json, revision: string): SyncStatus {
  const applied = text(field(kustomization, 'status', 'lastAppliedRevision'));
  const attempted = text(field(kustomization, 'status', 'lastAttemptedRevision'));
  const conditions = field(kustomization, 'status', 'conditions');
  const ready = Array.isArray(conditions)
    ? conditions.find((condition) => field(condition, 'type') === 'Ready')
    : undefined;
  const readyStatus = text(field(ready, 'status')) ?? 'Unknown';
  const reason = text(field(ready, 'reason'));
  const message = text(field(ready, 'message'));
  const attempt = attempted && attempted !== applied ? `, attempting ${short(attempted)}` : '';
  const detail = reason ? ` (${reason}${message ? `: ${message.split('\n')[0]}` : ''})` : '';
  return {
    done: sameCommit(applied, revision) && readyStatus === 'True',
    summary: `applied ${short(applied)}${attempt}, Ready ${readyStatus}${detail}`,
  };
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
  const conditions = field(object, 'status', 'conditions');
  const ready = Array.isArray(conditions)
    ? conditions.find((condition) => field(condition, 'type') === 'Ready')
    : undefined;
  return {
    healthy: text(field(ready, 'status')) === 'True',
    commits: commitsOf([text(field(object, 'status', 'lastAppliedRevision'))]),
  };
}

function commitsOf(revisions: readonly (string | undefined)[]): string[] {
  return revisions
    .map((each) => (each === undefined ? undefined : commitOf(each)))
    .filter((each): each is string => each !== undefined);
}
