/** The one Finding type every stage produces and every reporter consumes. */

export type Severity = 'error' | 'warning';

/** Where a person must make the change: a file in base/, components/ or overlays/. */
export interface SourceLocation {
  /** Path relative to the repository root, with forward slashes. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  /** The rendered name (after namePrefix/nameSuffix and generator hashes). */
  name: string;
}

export interface Finding {
  /** e.g. `schema`, `hpa-bounds`. */
  ruleId: string;
  /** Stable id of the message template within the rule, e.g. `minTooLow`. */
  messageId: string;
  severity: Severity;
  message: string;
  remediation: string;
  /** Overlay directory relative to the repository root, e.g. `overlays/prod`. */
  overlay: string;
  /** Environment of the overlay, e.g. `prod`. */
  env: string;
  object?: ObjectRef;
  /** Dotted path of the field in the rendered object, for humans (`spec.minReplicas`). */
  field?: string;
  location: SourceLocation;
}

/** A finding that a suppression silenced: counted and listed, never failing the run. */
export interface SuppressedFinding extends Finding {
  suppression: { reason: string; source: string; expires?: string };
}
