import type { Severity } from '../core/finding.js';
import type { JsonValue } from '../core/resource.js';
import type { RuleSeverity } from './types.js';

/**
 * What config/ needs to know of a rule, whoever implements it (a policy, or an engine stage such
 * as `schema`). config/ is a lower layer than the policies: the caller hands it the catalogue.
 */

/** A JSON Schema fragment (draft-07) describing one option's value. */
export type OptionSchema = { [key: string]: JsonValue };

/** One option of a rule: data the docs, the config schema and the check all read. */
export interface RuleOptionSpec<T = unknown> {
  description: string;
  schema: OptionSchema;
  default: T;
  /** Per-environment defaults, e.g. `{ prod: 3 }`; the config overrides both. */
  envDefaults?: Record<string, T>;
}

/** Resolved option values of one rule. */
export type RuleOptions = Record<string, unknown>;

export interface RuleDescriptor {
  id: string;
  /** One sentence. */
  description: string;
  defaultSeverity: Severity;
  /** Per-environment default severities (`off` disables the rule there). */
  envSeverity?: Record<string, RuleSeverity>;
  options: { readonly [name: string]: RuleOptionSpec };
}

/** Every rule the tool knows. */
export type RuleCatalogue = readonly RuleDescriptor[];

/** Rules the engine implements itself (not policies): configurable and suppressible like policies. */
export const ENGINE_RULES: RuleCatalogue = [
  {
    id: 'schema',
    description:
      'Every rendered object validates against the Kubernetes (and CRD) JSON schemas with kubeconform.',
    defaultSeverity: 'error',
    options: {},
  },
];

// Compatibility for callers that do not pass a catalogue yet (they predate the layering fix):
// the policy index (`ruleCatalogue`) provides the full catalogue when it is loaded. New code passes it.
let provided: RuleCatalogue | undefined;

/** Called once, by the policy index when it loads. */
export function provideRuleCatalogue(rules: RuleCatalogue): void {
  provided = rules;
}

/**
 * The catalogue the policy index provided.
 * @deprecated pass the catalogue (the policy index's `ruleCatalogue`) explicitly.
 */
export function providedRuleCatalogue(): RuleCatalogue {
  if (!provided) {
    throw new Error(
      'no rule catalogue: pass the rules (ruleCatalogue of the policy index) to the config function',
    );
  }
  return provided;
}
