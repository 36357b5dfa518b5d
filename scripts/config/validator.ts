import { createRequire } from 'node:module';
import type { ErrorObject } from 'ajv';
import type { JsonObject } from '../core/resource.js';
import AJV_OPTIONS from './ajv-options.json' with { type: 'json' };
import type { RuleCatalogue } from './catalogue.js';
import { configFormats } from './formats.js';
import { precompiledValidator } from './precompiled.js';
import { buildConfigSchema } from './schema.js';

export type ConfigValidator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** One validator per catalogue (in practice one per process). */
const validators = new WeakMap<RuleCatalogue, ConfigValidator>();

/**
 * The validator of the config schema for `rules`: the one generated at build time when it was
 * generated from this very schema, else one ajv compiles now. ajv itself is loaded only then
 * (require, not import: loadConfig stays synchronous and dist/ does not load ajv's compiler).
 */
export function configValidator(rules: RuleCatalogue): ConfigValidator {
  const cached = validators.get(rules);
  if (cached) return cached;
  const schema = buildConfigSchema(rules);
  const validator =
    precompiledValidator?.schemaText === JSON.stringify(schema)
      ? precompiledValidator.validate
      : compileNow(schema);
  validators.set(rules, validator);
  return validator;
}

/** ajv-options.json holds the options: the build (plain JavaScript) generates its code with the same ones, so the errors are the same. */
function compileNow(schema: JsonObject): ConfigValidator {
  const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
  const ajv = new Ajv(AJV_OPTIONS);
  for (const [name, check] of Object.entries(configFormats)) ajv.addFormat(name, check);
  return ajv.compile(schema);
}
