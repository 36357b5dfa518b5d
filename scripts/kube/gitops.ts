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

/** Longest controller message (Argo CD's operation message, a Flux condition's) kept in a summary. */
export const MAX_MESSAGE_CHARS = 400;
/** Longest short controller value (a status, a reason, a revision) kept in a summary. */
const MAX_VALUE_CHARS = 100;

/**
 * Text from a controller (or kubectl) made safe to print in a CI log, on one line of at most
 * `maxChars` characters:
 * - control and format characters (newlines, CR, tabs, ESC, bidi marks, zero-width characters)
 *   collapse to one space, so the text cannot start a line of its own;
 * - `::` becomes `:%3A` and `##[` becomes `##%5B` (the runner's own escapes), because the GitHub
 *   runner reads `::command::` at a line's start and the legacy `##[command]` anywhere in a line.
 */
export function printableLine(text: string, maxChars: number): string {
  // A huge input (kubectl may print megabytes) is cut before the regexes run on it, leaving room
  // for runs of whitespace that collapse; the exact cut is below.
  const room = Math.max(maxChars * 4, 64 * 1024);
  const head = text.length > room ? text.slice(0, room) : text;
  const line = head
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\s]+/gu, ' ')
    .trim()
    .replaceAll('::', ':%3A')
    .replaceAll('##[', '##%5B');
  if (line.length <= maxChars && head === text) return line;
  let kept = line.slice(0, maxChars);
  // Never end on half of a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(kept)) kept = kept.slice(0, -1);
  return `${kept.trimEnd()}…[cut]`;
}

/** A controller's value as it appears in a summary: one safe line, bounded. */
function shown(value: string, maxChars = MAX_VALUE_CHARS): string {
  return printableLine(value, maxChars);
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
  // Flux writes one failure per line: the first is shown, the rest would not fit one log line.
  const firstLine = message?.split(/\r\n|\r|\n/).find((line) => line.trim());
  const detail = reason
    ? ` (${shown(reason)}${firstLine ? `: ${shown(firstLine, MAX_MESSAGE_CHARS)}` : ''})`
    : '';
  return {
    done: sameCommit(applied, revision) && readyStatus === 'True',
    summary: `applied ${short(applied)}${attempt}, Ready ${shown(readyStatus)}${detail}`,
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
