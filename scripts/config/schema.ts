import type { JsonObject, JsonValue } from '../core/resource.js';
import { MAX_PATTERN_LENGTH } from '../lib/patterns.js';
import type { OptionSchema, RuleCatalogue, RuleDescriptor } from './catalogue.js';
import {
  MAX_ENVIRONMENTS,
  MAX_LIST_ITEMS,
  MAX_NAME_LENGTH,
  MAX_REASON_LENGTH,
  MAX_SUPPRESSIONS,
} from './limits.js';

/** Where the generated JSON Schema lives, relative to the repository root. */
export const CONFIG_SCHEMA_PATH = 'schemas/validate-config.schema.json';

/** The default config file name at the repository root. */
export const CONFIG_FILE_NAME = 'validate.config.yaml';

const PATTERN_NOTE = `Patterns use RE2 syntax (linear-time matching: no backreferences or lookarounds), at most ${MAX_PATTERN_LENGTH} characters each.`;

/** An option's schema with the config's size limits: lists bounded, patterns bounded in length. */
function boundedOption(schema: OptionSchema): { schema: OptionSchema; patterns: boolean } {
  if (schema.type !== 'array') return { schema, patterns: false };
  const items = (schema.items ?? {}) as JsonObject;
  const patterns = items.format === 'regex';
  return {
    schema: {
      ...schema,
      maxItems: schema.maxItems ?? MAX_LIST_ITEMS,
      ...(patterns ? { items: { ...items, maxLength: items.maxLength ?? MAX_PATTERN_LENGTH } } : {}),
    },
    patterns,
  };
}

function ruleSchema(rule: RuleDescriptor): JsonObject {
  const options: JsonObject = {};
  for (const [name, spec] of Object.entries(rule.options)) {
    const envs = Object.entries(spec.envDefaults ?? {})
      .map(([env, value]) => `${env}: ${JSON.stringify(value)}`)
      .join(', ');
    const bounded = boundedOption(spec.schema);
    options[name] = {
      ...bounded.schema,
      description: `${spec.description} Default ${JSON.stringify(spec.default)}${envs ? ` (${envs})` : ''}.${bounded.patterns ? ` ${PATTERN_NOTE}` : ''}`,
    };
  }
  const setting: JsonObject = {
    type: 'object',
    additionalProperties: false,
    properties: {
      severity: { $ref: '#/definitions/severity' },
      options: { type: 'object', additionalProperties: false, properties: options },
    },
  };
  return {
    description: rule.description,
    if: { type: 'string' },
    // biome-ignore lint/suspicious/noThenProperty: `then` is the JSON Schema keyword, not a promise.
    then: { $ref: '#/definitions/severity' },
    else: setting,
  };
}

/**
 * The JSON Schema of validate.config.yaml, generated from the caller's rule catalogue (the policy
 * index's `ruleCatalogue`) so that rule ids and their options complete in an editor and unknown
 * ones are errors. The loader validates with this very object; schemas/validate-config.schema.json
 * is the same text (a test keeps them equal).
 */
export function buildConfigSchema(rules: RuleCatalogue): JsonObject {
  const sorted = [...rules].sort((a, b) => a.id.localeCompare(b.id));
  const ruleProperties: JsonObject = {};
  for (const rule of sorted) ruleProperties[rule.id] = { $ref: `#/definitions/rule-${rule.id}` };
  const definitions: JsonObject = {
    severity: {
      description: 'error fails the run; warning is reported; off disables the rule.',
      enum: ['error', 'warning', 'off'],
    },
    rules: {
      description: 'Per rule: a severity (error | warning | off), or { severity, options }.',
      type: 'object',
      additionalProperties: false,
      properties: ruleProperties,
    },
  };
  for (const rule of sorted) definitions[`rule-${rule.id}`] = ruleSchema(rule);
  const ruleIds: JsonValue[] = sorted.map((rule) => rule.id);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://github.com/contoso/triage-gitops/schemas/validate-config.schema.json',
    title: 'triage-gitops validate configuration',
    description:
      'validate.config.yaml: environments, rule severities and options, suppressions and kubeconform settings.',
    type: 'object',
    additionalProperties: false,
    properties: {
      environments: {
        description:
          'Overlay directory (relative to the repository root), or a pattern where `*` matches any run of characters (`overlays/prod-*`), → environment name. Default: the directory name, with production-like names (`production`, `prd`, `live`, `prod-eu`) judged as `prod` and development-like ones as `dev`.',
        type: 'object',
        maxProperties: MAX_ENVIRONMENTS,
        propertyNames: { pattern: '^[^/]' },
        additionalProperties: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$' },
      },
      rules: { $ref: '#/definitions/rules' },
      env: {
        description: 'Per environment name: rule settings that override `rules` there.',
        type: 'object',
        maxProperties: MAX_ENVIRONMENTS,
        propertyNames: { pattern: '^[a-z0-9][a-z0-9-]*$' },
        additionalProperties: {
          type: 'object',
          additionalProperties: false,
          required: ['rules'],
          properties: { rules: { $ref: '#/definitions/rules' } },
        },
      },
      suppressions: {
        description:
          'Findings to silence. Each needs a reason; an expired one stops applying and the run warns.',
        type: 'array',
        maxItems: MAX_SUPPRESSIONS,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['rule', 'kind', 'name', 'reason'],
          properties: {
            rule: { description: 'Rule id.', enum: ruleIds },
            kind: {
              description: 'Kind of the object, e.g. Deployment.',
              type: 'string',
              minLength: 1,
              maxLength: MAX_NAME_LENGTH,
            },
            name: {
              description:
                'Rendered name or source name (before namePrefix/nameSuffix and generator hashes); * matches any run of characters.',
              type: 'string',
              minLength: 1,
              maxLength: MAX_NAME_LENGTH,
            },
            namespace: {
              description: 'Only in this namespace.',
              type: 'string',
              minLength: 1,
              maxLength: MAX_NAME_LENGTH,
            },
            overlay: {
              description: 'Only in this overlay (path such as overlays/prod, or environment name).',
              type: 'string',
              minLength: 1,
              maxLength: MAX_NAME_LENGTH,
            },
            reason: {
              description: 'Why the finding is acceptable. Required.',
              type: 'string',
              pattern: '\\S',
              maxLength: MAX_REASON_LENGTH,
            },
            expires: {
              description: 'YYYY-MM-DD: the suppression applies through this day.',
              type: 'string',
              format: 'date',
            },
          },
        },
      },
      schema: {
        description: 'kubeconform settings.',
        type: 'object',
        additionalProperties: false,
        properties: {
          kubernetesVersion: {
            description: 'Kubernetes version of the schemas, e.g. 1.31.0 (kubeconform -kubernetes-version).',
            type: 'string',
            pattern: '^\\d+\\.\\d+\\.\\d+$',
          },
          locations: {
            description:
              'kubeconform -schema-location values, in order; `default` is the upstream Kubernetes schemas.',
            type: 'array',
            maxItems: MAX_LIST_ITEMS,
            items: { type: 'string', minLength: 1 },
          },
        },
      },
    },
    definitions,
  };
}

/**
 * The schema file's text: what `scripts/docs/generate-rules.ts` writes.
 */
export function configSchemaText(rules: RuleCatalogue): string {
  return `${JSON.stringify(buildConfigSchema(rules), null, 2)}\n`;
}
