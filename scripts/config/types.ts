import type { Severity } from '../core/finding.js';

export type RuleSeverity = Severity | 'off';

/** One rule's configuration: `severity`, and `options` merged over the policy's (per-env) defaults. */
export interface RuleSetting {
  severity?: RuleSeverity;
  options?: Record<string, unknown>;
}

export interface Suppression {
  rule: string;
  kind: string;
  /** Rendered or source name; `*` matches any run of characters. */
  name: string;
  namespace?: string;
  /** Overlay path (`overlays/prod`) or environment name (`prod`). */
  overlay?: string;
  reason: string;
  /** YYYY-MM-DD, valid through that day. */
  expires?: string;
  /** Line of the entry in the config file. */
  line?: number;
}

export interface SchemaSettings {
  /** Passed to kubeconform as -kubernetes-version, e.g. `1.31.0`. */
  kubernetesVersion?: string;
  /** kubeconform -schema-location values, in order (`default` is the upstream Kubernetes schemas). */
  locations: string[];
}

/** The repository's `validate.config.yaml`, parsed, schema-checked and normalised. */
export interface ValidateConfig {
  /** The config file relative to the repository root; undefined when the built-in defaults apply. */
  file?: string;
  /** Overlay directory (relative to the root) → environment name, overriding the directory-name default. */
  environments: Record<string, string>;
  /** Settings for every environment. */
  rules: Record<string, RuleSetting>;
  /** Settings for one environment, over `rules`. */
  env: Record<string, { rules: Record<string, RuleSetting> }>;
  suppressions: Suppression[];
  schema: SchemaSettings;
}

export function defaultConfig(): ValidateConfig {
  return { environments: {}, rules: {}, env: {}, suppressions: [], schema: { locations: [] } };
}
