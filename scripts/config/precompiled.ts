/**
 * The config validator compiled ahead of time. Under tsx (tests, development) there is none and
 * the loader compiles the schema with ajv. In dist/, scripts/build/build.mjs replaces this module
 * with ajv's standalone code generated from schemas/validate-config.schema.json, so a run does not
 * spend 0.1-0.2 s compiling the same schema again.
 */
import type { ErrorObject } from 'ajv';

export interface PrecompiledConfigValidator {
  /** The schema it was generated from, as compact JSON: used only when it equals the catalogue's schema. */
  schemaText: string;
  validate: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
}

export const precompiledValidator: PrecompiledConfigValidator | undefined = undefined;
