import type { Severity } from '../core/finding.js';
import { ENGINE_RULES, type RuleCatalogue, type RuleDescriptor, type RuleOptions } from './catalogue.js';
import { globMatches } from './glob.js';
import { normaliseOverlay } from './suppressions.js';
import type { RuleSeverity, ValidateConfig } from './types.js';

export { ENGINE_RULES };

/** What rule settings need of a rule: a policy, or one of the engine's `ENGINE_RULES`. */
export type RuleLike = RuleDescriptor;

/**
 * Every rule id in `rules`, sorted.
 */
export function knownRuleIds(rules: RuleCatalogue): string[] {
  return rules.map((rule) => rule.id).sort();
}

/** The environment of an overlay: the config's `environments` entry, else the directory-name default. */
export function envForOverlay(config: ValidateConfig, overlayPath: string, defaultEnv: string): string {
  const path = normaliseOverlay(overlayPath);
  const exact = config.environments[path];
  if (exact !== undefined) return exact;
  // Directory patterns (`overlays/prod-*: prod`), the first that matches in the file's order.
  for (const [pattern, env] of Object.entries(config.environments)) {
    if (pattern.includes('*') && globMatches(pattern, path)) return env;
  }
  return canonicalEnvironment(defaultEnv);
}

/**
 * The environment a directory name means: the names teams give production (`production`, `prd`,
 * `live`, `prod-eu`, `prod_us`) are judged as `prod`, and development's (`development`, `develop`,
 * `dev-2`) as `dev`, so the stricter production defaults are not lost to a naming habit. Other
 * names (`staging`, `qa`) stay as they are.
 */
export function canonicalEnvironment(name: string): string {
  if (/^(prod|production|prd|live)([-_.].+)?$/i.test(name)) return 'prod';
  if (/^(dev|development|develop)([-_.].+)?$/i.test(name)) return 'dev';
  return name;
}

/**
 * A rule's severity and options in `env`: rule defaults < rule per-env defaults < config `rules`
 * < config `env.<env>.rules`. Options merge key by key (a list replaces the default list).
 */
export function ruleSettings(
  config: ValidateConfig,
  rule: RuleLike,
  env: string,
): { severity: RuleSeverity; options: RuleOptions } {
  const global = config.rules[rule.id];
  const local = config.env[env]?.rules[rule.id];
  const options: RuleOptions = {};
  for (const [name, spec] of Object.entries(rule.options)) {
    options[name] =
      spec.envDefaults && Object.hasOwn(spec.envDefaults, env) ? spec.envDefaults[env] : spec.default;
  }
  Object.assign(options, global?.options, local?.options);
  const severity = local?.severity ?? global?.severity ?? rule.envSeverity?.[env] ?? rule.defaultSeverity;
  return { severity, options };
}

/** The severity of one finding: the rule's, capped at warning for the rule's advisory messages. */
export function severityFor(
  rule: { warningOnly?: readonly string[] },
  messageId: string,
  ruleSeverity: Severity,
): Severity {
  return rule.warningOnly?.includes(messageId) ? 'warning' : ruleSeverity;
}
