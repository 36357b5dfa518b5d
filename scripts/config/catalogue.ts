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
    options: {
      missingSchema: {
        description:
          'Severity of an object whose kind has no schema anywhere (not in the CRDs the tree renders, not at any schema location): `warning` (not checked) or `error`.',
        schema: { enum: ['warning', 'error'] },
        default: 'warning',
      },
    },
  },
  {
    id: 'server',
    description:
      'With --server, every rendered object is accepted by the Kubernetes API server (server-side apply, dry run): field formats, cross-field rules, immutability, CRD validation rules.',
    defaultSeverity: 'error',
    options: {},
  },
];
