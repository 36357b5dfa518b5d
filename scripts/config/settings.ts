import type { Severity } from '../core/finding.js';
import { policies } from '../policies/index.js';
import type { Policy, PolicyOptions } from '../policies/types.js';
import { normaliseOverlay } from './suppressions.js';
import type { RuleSeverity, ValidateConfig } from './types.js';

/** Rules the engine implements itself (not policies): configurable and suppressible like policies. */
export const ENGINE_RULES: readonly RuleLike[] = [
  {
    id: 'schema',
    description:
      'Every rendered object validates against the Kubernetes (and CRD) JSON schemas with kubeconform.',
    defaultSeverity: 'error',
    options: {},
  },
];

/** What rule settings need of a rule: a policy, or one of the engine's `ENGINE_RULES`. */
export type RuleLike = Pick<Policy, 'id' | 'description' | 'defaultSeverity' | 'envSeverity' | 'options'>;

/** Every rule id the tool knows, sorted. */
export function knownRuleIds(): string[] {
  return [...ENGINE_RULES, ...policies].map((rule) => rule.id).sort();
}

/** The environment of an overlay: the config's `environments` entry, else the directory-name default. */
export function envForOverlay(config: ValidateConfig, overlayPath: string, defaultEnv: string): string {
  return config.environments[normaliseOverlay(overlayPath)] ?? defaultEnv;
}

/**
 * A rule's severity and options in `env`: policy defaults < policy per-env defaults < config `rules`
 * < config `env.<env>.rules`. Options merge key by key (a list replaces the default list).
 */
export function ruleSettings(
  config: ValidateConfig,
  rule: RuleLike,
  env: string,
): { severity: RuleSeverity; options: PolicyOptions } {
  const global = config.rules[rule.id];
  const local = config.env[env]?.rules[rule.id];
  const options: PolicyOptions = {};
  for (const [name, spec] of Object.entries(rule.options)) {
    options[name] =
      spec.envDefaults && Object.hasOwn(spec.envDefaults, env) ? spec.envDefaults[env] : spec.default;
  }
  Object.assign(options, global?.options, local?.options);
  const severity = local?.severity ?? global?.severity ?? rule.envSeverity?.[env] ?? rule.defaultSeverity;
  return { severity, options };
}

/** The severity of one finding: the rule's, capped at warning for the policy's advisory messages. */
export function severityFor(
  policy: Pick<Policy, 'warningOnly'>,
  messageId: string,
  ruleSeverity: Severity,
): Severity {
  return policy.warningOnly?.includes(messageId) ? 'warning' : ruleSeverity;
}
