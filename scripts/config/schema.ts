import type { JsonObject, JsonValue } from '../core/resource.js';
import { policies } from '../policies/index.js';
import { ENGINE_RULES, type RuleLike } from './settings.js';

/** Where the generated JSON Schema lives, relative to the repository root. */
export const CONFIG_SCHEMA_PATH = 'schemas/validate-config.schema.json';

/** The default config file name at the repository root. */
export const CONFIG_FILE_NAME = 'validate.config.yaml';

function ruleSchema(rule: RuleLike): JsonObject {
  const options: JsonObject = {};
  for (const [name, spec] of Object.entries(rule.options)) {
    const envs = Object.entries(spec.envDefaults ?? {})
      .map(([env, value]) => `${env}: ${JSON.stringify(value)}`)
      .join(', ');
    options[name] = {
      ...spec.schema,
      description: `${spec.description} Default ${JSON.stringify(spec.default)}${envs ? ` (${envs})` : ''}.`,
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
 * The JSON Schema of validate.config.yaml, generated from the policies so that rule ids and their
 * options complete in an editor and unknown ones are errors. The loader validates with this very
 * object; schemas/validate-config.schema.json is the same text (a test keeps them equal).
 */
export function buildConfigSchema(rules: readonly RuleLike[] = [...ENGINE_RULES, ...policies]): JsonObject {
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
          'Overlay directory (relative to the repository root) → environment name. Default: the directory name.',
        type: 'object',
        propertyNames: { pattern: '^[^/]' },
        additionalProperties: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$' },
      },
      rules: { $ref: '#/definitions/rules' },
      env: {
        description: 'Per environment name: rule settings that override `rules` there.',
        type: 'object',
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
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['rule', 'kind', 'name', 'reason'],
          properties: {
            rule: { description: 'Rule id.', enum: ruleIds },
            kind: { description: 'Kind of the object, e.g. Deployment.', type: 'string', minLength: 1 },
            name: {
              description:
                'Rendered name or source name (before namePrefix/nameSuffix and generator hashes); * matches any run of characters.',
              type: 'string',
              minLength: 1,
            },
            namespace: { description: 'Only in this namespace.', type: 'string', minLength: 1 },
            overlay: {
              description: 'Only in this overlay (path such as overlays/prod, or environment name).',
              type: 'string',
              minLength: 1,
            },
            reason: {
              description: 'Why the finding is acceptable. Required.',
              type: 'string',
              pattern: '\\S',
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
            items: { type: 'string', minLength: 1 },
          },
        },
      },
    },
    definitions,
  };
}

/** The schema file's text: what `scripts/docs/generate-rules.ts` writes. */
export function configSchemaText(): string {
  return `${JSON.stringify(buildConfigSchema(), null, 2)}\n`;
}
