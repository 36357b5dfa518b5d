import { ruleSettings } from '../config/settings.js';
import type { ValidateConfig } from '../config/types.js';
import { ruleCatalogue } from './index.js';

/** The environments every listing shows, then any others the config names. */
const STANDARD_ENVS = ['dev', 'prod', 'default'];

/** Environments to show: dev, prod, default, then the config's own environment names. */
export function listedEnvironments(config: ValidateConfig): string[] {
  const extra = [...Object.values(config.environments), ...Object.keys(config.env)].filter(
    (env) => !STANDARD_ENVS.includes(env),
  );
  return [...STANDARD_ENVS, ...new Set(extra.sort())];
}

/** `--list-rules`: every rule with its severity per environment (after the config) and its description. */
export function listRules(config: ValidateConfig): string {
  const envs = listedEnvironments(config);
  // The catalogue is sorted by id: the engine's rules (schema) and the policies.
  const rows = ruleCatalogue.map((rule) => [
    rule.id,
    ...envs.map((env) => ruleSettings(config, rule, env).severity),
    rule.description,
  ]);
  const header = ['RULE', ...envs.map((env) => env.toUpperCase()), 'DESCRIPTION'];
  const widths = header
    .slice(0, -1)
    .map((_, i) => Math.max(...[header, ...rows].map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i < widths.length ? cell.padEnd(widths[i] ?? 0) : cell))
      .join('  ')
      .trimEnd();
  return `${[header, ...rows].map(line).join('\n')}\n`;
}
