import type { OptionSchema, RuleOptionSpec, RuleOptions } from '../config/catalogue.js';
import type { Severity } from '../core/finding.js';
import type { FieldPath, JsonObject, Resource } from '../core/resource.js';

/** Options a policy reads, resolved for the overlay's environment (defaults < per-env defaults < config). */
export type PolicyOptions = RuleOptions;

/** A JSON Schema fragment (draft-07) describing one option's value; also used for the config's JSON Schema. */
export type { OptionSchema };

/** One option of a policy: data the docs, the config schema and the check all read (config/ owns the shape). */
export type PolicyOption<T = unknown> = RuleOptionSpec<T>;

export type PolicyOptionSpecs<O extends PolicyOptions> = { [K in keyof O]: PolicyOption<O[K]> };

export interface PolicyContext<O extends PolicyOptions = PolicyOptions> {
  /** Environment of the overlay being checked, e.g. `dev`, `prod`. */
  env: string;
  /** Overlay directory relative to the repository root. */
  overlay: string;
  /** This policy's options, resolved for `env`. */
  options: O;
  /** Every object of the rendered overlay. */
  resources: readonly Resource[];
  /**
   * Looks an object up by kind and rendered name in `namespace`. An object the overlay renders
   * without a namespace lands in whatever namespace the controller applies it to, so it matches
   * any namespace here (csi-references reports such a SecretProviderClass on its own).
   */
  find(kind: string, name: string, namespace: string | undefined): Resource | undefined;
  /** Every object of `kind`, optionally only those in `namespace` (same matching as `find`). */
  findAll(kind: string, namespace?: string): Resource[];
  /** The Argo CD Applications and Flux Kustomizations in this repository that sync this overlay. */
  controllers: readonly Resource[];
  /** Every rule id the tool knows (policies and engine stages such as `schema`), for suppression checks. */
  ruleIds: ReadonlySet<string>;
}

/** What a check reports: the engine adds rule id, severity, remediation, overlay and source location. */
export interface RawFinding {
  messageId: string;
  /** Values for the message's {{placeholders}}. Never a secret value, nor any part of one. */
  data?: Record<string, string | number>;
  /**
   * The field in the rendered object the finding is about; for a missing field, the path of the
   * missing field itself (the engine locates the patch that removed it, or else its nearest
   * existing ancestor).
   */
  path?: FieldPath;
  /**
   * For a multi-line string value (an embedded config file): the line in the value (1-based) the
   * finding is about, so the location is that line of the source file, not the value's start.
   */
  valueLine?: number;
}

export interface PolicyDocs {
  /** Why the rule exists; Markdown. */
  rationale: string;
  /** A rendered-object snippet (YAML) that fires. */
  failing: string;
  /** The same object, fixed. */
  passing: string;
}

export interface Policy<O extends PolicyOptions = PolicyOptions> {
  id: string;
  /** One sentence. */
  description: string;
  remediation: string;
  defaultSeverity: Severity;
  /** Per-environment default severities (`off` disables the rule there); the config overrides them. */
  envSeverity?: Record<string, Severity | 'off'>;
  /** Kinds the check runs on; `*` for every object. */
  kinds: readonly string[];
  /** Options with their defaults and per-environment defaults. */
  options: PolicyOptionSpecs<O>;
  /** Message templates with {{placeholders}}, by message id. */
  messages: Record<string, string>;
  /**
   * Messages that are advisory: reported at most as a warning even when the rule is an error
   * (see `severityFor` in scripts/config/settings.ts).
   */
  warningOnly?: readonly string[];
  docs: PolicyDocs;
  /** Reports about `resource` only; may be async (secret-in-config runs secretlint). */
  check(resource: Resource, ctx: PolicyContext<O>): RawFinding[] | Promise<RawFinding[]>;
  /**
   * Work that depends on the options alone (compiling the configured patterns), done while
   * kustomize renders so that it is not on the way once the objects arrive. Optional.
   */
  prepare?(options: O): void;
}

/** Keeps a policy's option types while letting it sit in a `Policy[]`. */
export function definePolicy<O extends PolicyOptions>(policy: Policy<O>): Policy {
  return policy as unknown as Policy;
}

export type { JsonObject };
