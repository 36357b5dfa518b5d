import type { FieldPath, JsonObject, Resource } from '../core/resource.js';
import type { Severity } from '../core/finding.js';

/** Options a policy reads, resolved for the overlay's environment (defaults < per-env defaults < config). */
export type PolicyOptions = Record<string, unknown>;

export interface PolicyContext {
  /** Environment of the overlay being checked, e.g. `dev`, `prod`. */
  env: string;
  /** Overlay directory relative to the repository root. */
  overlay: string;
  options: PolicyOptions;
  /** Every object of the rendered overlay. */
  resources: readonly Resource[];
  /** Looks an object up by kind and rendered name (namespace defaults to the checked object's). */
  find(kind: string, name: string, namespace?: string): Resource | undefined;
  findAll(kind: string): Resource[];
  /** The Argo CD Applications and Flux Kustomizations in this repository that sync this overlay. */
  controllers: readonly Resource[];
}

/** What a check reports: the engine adds rule id, severity, remediation, overlay and source location. */
export interface RawFinding {
  messageId: string;
  /** Values for the message's {{placeholders}}. Never a secret value. */
  data?: Record<string, string | number>;
  /** The field the finding is about; for a missing field, the nearest existing ancestor is located. */
  path?: FieldPath;
}

export interface PolicyDocs {
  /** Why the rule exists; Markdown. */
  rationale: string;
  /** A rendered-object snippet (YAML) that fires. */
  failing: string;
  /** The same object, fixed. */
  passing: string;
}

export interface Policy {
  id: string;
  description: string;
  remediation: string;
  defaultSeverity: Severity;
  /** Kinds the check runs on; `*` for every object. */
  kinds: readonly string[];
  /** Option defaults, and per-environment overrides of them. */
  defaults: PolicyOptions;
  envDefaults?: Record<string, PolicyOptions>;
  /** Message templates with {{placeholders}}. */
  messages: Record<string, string>;
  docs: PolicyDocs;
  check(resource: Resource, ctx: PolicyContext): RawFinding[];
}

export type { JsonObject };
