/** The data the diff computes, before any reporter formats it. */

/** One side of the comparison: a commit, or the working tree. */
export interface Revision {
  /** What the user asked for (`origin/main`, `HEAD~1`) or `working tree`. */
  ref: string;
  /** Full commit SHA; undefined for the working tree. */
  sha?: string;
  /** How the default was chosen, e.g. `merge base of HEAD and origin/main`. */
  note?: string;
}

export interface ObjectKey {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export type ChangeKind = 'added' | 'removed' | 'changed';

export interface ResourceChange {
  change: ChangeKind;
  /** The object at head (for `removed`: at base). */
  object: ObjectKey;
  /** Set when a generator hash suffix changed: the name at base. */
  renamedFrom?: string;
  /** Unified diff of the redacted YAML; for added/removed, the whole object as + or - lines. */
  patch: string;
}

export type HighlightKind = 'hpa' | 'image' | 'configmap' | 'secret';

export interface Highlight {
  kind: HighlightKind;
  overlay: string;
  object: ObjectKey;
  /** One line for a reviewer, e.g. `minReplicas 2 → 3`. Never holds a Secret value. */
  message: string;
}

export interface OverlayDiff {
  /** Relative to the repository root, e.g. `overlays/dev`. */
  path: string;
  existsAtBase: boolean;
  existsAtHead: boolean;
  /** Sorted by kind, namespace, name. */
  changes: ResourceChange[];
  highlights: Highlight[];
}

export interface DiffResult {
  base: Revision;
  head: Revision;
  overlays: OverlayDiff[];
}

export interface ChangeCounts {
  added: number;
  changed: number;
  removed: number;
  renamed: number;
}

export function countChanges(changes: readonly ResourceChange[]): ChangeCounts {
  const counts: ChangeCounts = { added: 0, changed: 0, removed: 0, renamed: 0 };
  for (const each of changes) {
    counts[each.change] += 1;
    if (each.renamedFrom) counts.renamed += 1;
  }
  return counts;
}

export function allHighlights(result: DiffResult): Highlight[] {
  return result.overlays.flatMap((overlay) => overlay.highlights);
}

/** `triage/triage-backend`, or just the name for cluster-scoped objects. */
export function qualifiedName(object: ObjectKey, name = object.name): string {
  return object.namespace ? `${object.namespace}/${name}` : name;
}

export function describeRevision(revision: Revision): string {
  if (!revision.sha) return revision.ref;
  const short = revision.sha.slice(0, 12);
  return revision.ref === revision.sha || revision.ref === short ? short : `${revision.ref} (${short})`;
}
