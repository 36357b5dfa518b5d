import { patternProblem } from '../lib/patterns.js';
import { isValidDate } from './suppressions.js';

/** Config patterns are matched case-insensitively by the policies; the check uses the same flags. */
export const PATTERN_FLAGS = 'i';

/**
 * The custom `format`s of the config schema. One object for both validators: the one ajv compiles
 * at run time and the one generated at build time (scripts/build/build.mjs imports it by name).
 */
export const configFormats = {
  date: isValidDate,
  regex: (text: string): boolean => patternProblem(text, PATTERN_FLAGS) === undefined,
};
