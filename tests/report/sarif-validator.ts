import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

// The official schema, vendored: see sarif-schema-2.1.0.md beside this file for its source and the
// two upstream defects worked around here.
const schema = JSON.parse(readFileSync(new URL('./sarif-schema-2.1.0.json', import.meta.url), 'utf8'));

/** `(?i)` is PCRE's inline case-insensitive flag; ECMAScript spells it as the `i` flag. */
const regExp = Object.assign(
  (pattern: string, flags: string) =>
    pattern.startsWith('^(?i)')
      ? new RegExp(`^${pattern.slice('^(?i)'.length)}`, `${flags}i`)
      : new RegExp(pattern, flags),
  { code: 'new RegExp' },
);
const ajv = new Ajv2020({ allErrors: true, strict: false, validateSchema: false, code: { regExp } });
addFormats.default(ajv);
/** The official SARIF 2.1.0 schema, compiled once for every test that checks a SARIF log. */
export const validateSarif = ajv.compile(schema);
