import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { ErrorObject } from 'ajv';
import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';
import type { JsonObject, JsonValue } from '../core/resource.js';
import { ExitError } from '../lib/exit-error.js';
import { patternProblem } from '../lib/patterns.js';
import { documentToJson, parseYamlWithPositions } from '../render/parse.js';
import type { RuleCatalogue } from './catalogue.js';
import { PATTERN_FLAGS } from './formats.js';
import { MAX_CONFIG_BYTES } from './limits.js';
import { CONFIG_FILE_NAME } from './schema.js';
import { isExpired, normaliseOverlay } from './suppressions.js';
import {
  defaultConfig,
  type RuleSetting,
  type RuleSeverity,
  type Suppression,
  type ValidateConfig,
} from './types.js';
import { configValidator } from './validator.js';

export { envForOverlay, knownRuleIds, ruleSettings, severityFor } from './settings.js';
export { findSuppression, type SuppressionMatch, type SuppressionQuery } from './suppressions.js';
export type { RuleSetting, Suppression, ValidateConfig } from './types.js';

type Segment = string | number;

export interface LoadConfigOptions {
  /** The rules the config may name, with their options (the policy index's `ruleCatalogue`). */
  rules: RuleCatalogue;
  /** The day suppressions expire against. */
  today?: Date;
}

/**
 * Reads validate.config.yaml (or `file`), checks it against the JSON Schema generated from the
 * rule catalogue and normalises it. Without `file`, a missing default file means the built-in
 * defaults. Every error is an ExitError (exit 2) naming the file, line and dotted path; `warnings`
 * are lines to print.
 */
export function loadConfig(
  file: string | undefined,
  root: string,
  options: LoadConfigOptions,
): { config: ValidateConfig; warnings: string[] } {
  const today = options.today ?? new Date();
  const path = file === undefined ? join(root, CONFIG_FILE_NAME) : resolve(root, file);
  const shown = relative(root, path).split('\\').join('/') || path;
  if (!existsSync(path) || !statSync(path).isFile()) {
    if (file === undefined) return { config: defaultConfig(), warnings: [] };
    const reason = existsSync(path) ? 'is a directory, not a config file' : 'no such config file';
    throw new ExitError(reason, 2, { file: shown.startsWith('../') ? path : shown });
  }
  const size = statSync(path).size;
  if (size > MAX_CONFIG_BYTES) {
    throw new ExitError(`is ${size} bytes; a config file may be at most ${MAX_CONFIG_BYTES} bytes`, 2, {
      file: shown,
    });
  }
  const { documents, lineCounter } = parseYamlWithPositions(readFileSync(path, 'utf8'), shown);
  if (documents.length > 1) {
    const at = lineCounter.linePos(documents[1]?.range[0] ?? 0);
    throw new ExitError('holds more than one YAML document', 2, {
      file: shown,
      line: at.line,
      column: at.col,
    });
  }
  const document = documents[0];
  const value = document ? documentToJson(document, shown, lineCounter) : null;
  if (value === null || value === undefined)
    return { config: { ...defaultConfig(), file: shown }, warnings: [] };

  const validate = configValidator(options.rules);
  if (!validate(value)) {
    const error = pickError(validate.errors ?? []);
    const { segments, message, atKey } = describeError(error, value);
    const at = document ? locate(document, lineCounter, segments, atKey) : undefined;
    throw new ExitError(`${dotted(segments) || '(top level)'}: ${message}`, 2, { file: shown, ...at });
  }
  const config = normalise(value as JsonObject, shown, document, lineCounter);
  return { config, warnings: warningsFor(config, root, today) };
}

/** The most useful of ajv's errors: not the `if` wrapper of a rule's shorthand, the deepest path first. */
function pickError(errors: readonly ErrorObject[]): ErrorObject {
  const useful = errors.filter((error) => error.keyword !== 'if');
  const list = useful.length > 0 ? useful : errors;
  return [...list].sort(
    (a, b) => b.instancePath.split('/').length - a.instancePath.split('/').length,
  )[0] as ErrorObject;
}

function describeError(
  error: ErrorObject,
  value: JsonValue,
): { segments: Segment[]; message: string; atKey?: boolean } {
  const segments = pointerToSegments(error.instancePath, value);
  const params = error.params as Record<string, unknown>;
  const parent = segments[segments.length - 1];
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const grand = segments[segments.length - 2];
      const message =
        parent === 'rules'
          ? `unknown rule id "${key}" (see docs/rules.md)`
          : parent === 'options'
            ? `unknown option "${key}" of rule ${String(grand)}`
            : `unknown key "${key}"`;
      return { segments: [...segments, key], message, atKey: true };
    }
    case 'required':
      return { segments: [...segments, String(params.missingProperty)], message: 'is required' };
    case 'enum':
      return parent === 'rule'
        ? {
            segments,
            message: `unknown rule id ${JSON.stringify(getAt(value, segments))} (see docs/rules.md)`,
          }
        : {
            segments,
            message: `must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`,
          };
    case 'format': {
      if (params.format === 'date') return { segments, message: 'must be a date written YYYY-MM-DD' };
      const text = String(getAt(value, segments));
      const problem = patternProblem(text, PATTERN_FLAGS) ?? 'is invalid';
      return { segments, message: `is not a usable regular expression: ${problem}` };
    }
    case 'maxItems':
    case 'maxProperties': {
      const found = getAt(value, segments);
      const count = Array.isArray(found) ? found.length : Object.keys(found ?? {}).length;
      return { segments, message: `has ${count} entries; at most ${String(params.limit)} are allowed` };
    }
    case 'maxLength': {
      const length = String(getAt(value, segments) ?? '').length;
      return {
        segments,
        message: `is ${length} characters long; at most ${String(params.limit)} are allowed`,
      };
    }
    case 'pattern':
      return parent === 'reason'
        ? { segments, message: 'must give a reason' }
        : { segments, message: `must match ${String(params.pattern)}` };
    case 'propertyNames':
      return {
        segments: [...segments, String(params.propertyName)],
        message: 'is not a valid name',
        atKey: true,
      };
    default:
      return { segments, message: error.message ?? 'is invalid' };
  }
}

function pointerToSegments(pointer: string, value: JsonValue): Segment[] {
  if (pointer === '') return [];
  const segments: Segment[] = [];
  let node: JsonValue | undefined = value;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const step: Segment = Array.isArray(node) ? Number(key) : key;
    segments.push(step);
    node = getAt(node, [step]);
  }
  return segments;
}

function getAt(value: JsonValue | undefined, segments: readonly Segment[]): JsonValue | undefined {
  let node = value;
  for (const step of segments) {
    if (node === null || typeof node !== 'object') return undefined;
    node = Array.isArray(node) ? node[step as number] : node[String(step)];
  }
  return node;
}

/** `rules.hpa-bounds.options.minReplicas`, `suppressions[2].reason`. */
export function dotted(segments: readonly Segment[]): string {
  return segments
    .map((step, i) => (typeof step === 'number' ? `[${step}]` : i === 0 ? step : `.${step}`))
    .join('');
}

/** The line and column of the deepest node of `segments` that exists (the key, for a map entry). */
function locate(
  document: Document,
  lineCounter: LineCounter,
  segments: readonly Segment[],
  preferKey = false,
): { line: number; column: number } {
  let node: unknown = document.contents;
  let best: Node | undefined = isNodeLike(node) ? (node as Node) : undefined;
  for (const [i, step] of segments.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(step));
      if (!pair) break;
      node = pair.value;
      // A scalar value is where a wrong value is; a key (or a collection's key) is where a wrong key is.
      const last = i === segments.length - 1;
      best = (!preferKey && last && isScalar(node) ? node : isNodeLike(pair.key) ? pair.key : best) as
        | Node
        | undefined;
    } else if (isSeq(node) && typeof step === 'number') {
      const item = node.items[step];
      if (!isNodeLike(item)) break;
      best = item as Node;
      node = item;
    } else {
      break;
    }
  }
  const offset = best?.range?.[0] ?? 0;
  const pos = lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col };
}

function isNodeLike(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'range' in value;
}

function normaliseRules(value: JsonValue | undefined): Record<string, RuleSetting> {
  const out: Record<string, RuleSetting> = {};
  for (const [id, setting] of Object.entries((value ?? {}) as JsonObject)) {
    if (typeof setting === 'string') out[id] = { severity: setting as RuleSeverity };
    else {
      const object = (setting ?? {}) as JsonObject;
      out[id] = {
        ...(object.severity !== undefined ? { severity: object.severity as RuleSeverity } : {}),
        ...(object.options !== undefined ? { options: object.options as Record<string, unknown> } : {}),
      };
    }
  }
  return out;
}

function normalise(
  value: JsonObject,
  file: string,
  document: Document | undefined,
  lineCounter: LineCounter,
): ValidateConfig {
  const config = defaultConfig();
  config.file = file;
  for (const [overlay, env] of Object.entries((value.environments ?? {}) as JsonObject)) {
    config.environments[normaliseOverlay(overlay)] = String(env);
  }
  config.rules = normaliseRules(value.rules);
  for (const [env, settings] of Object.entries((value.env ?? {}) as JsonObject)) {
    config.env[env] = { rules: normaliseRules((settings as JsonObject).rules) };
  }
  ((value.suppressions ?? []) as JsonObject[]).forEach((entry, index) => {
    const suppression: Suppression = {
      rule: String(entry.rule),
      kind: String(entry.kind),
      name: String(entry.name),
      reason: String(entry.reason).trim(),
      line: document ? locate(document, lineCounter, ['suppressions', index]).line : undefined,
    };
    if (typeof entry.namespace === 'string') suppression.namespace = entry.namespace;
    if (typeof entry.overlay === 'string') suppression.overlay = normaliseOverlay(entry.overlay);
    if (typeof entry.expires === 'string') suppression.expires = entry.expires;
    config.suppressions.push(suppression);
  });
  const schema = (value.schema ?? {}) as JsonObject;
  config.schema = {
    locations: ((schema.locations ?? []) as JsonValue[]).map(String),
    ...(typeof schema.kubernetesVersion === 'string' ? { kubernetesVersion: schema.kubernetesVersion } : {}),
  };
  return config;
}

function warningsFor(config: ValidateConfig, root: string, today: Date): string[] {
  const warnings: string[] = [];
  for (const overlay of Object.keys(config.environments)) {
    // A pattern (`overlays/prod-*`) names directories that may come later.
    if (!overlay.includes('*') && !existsSync(join(root, overlay)))
      warnings.push(`${config.file}: environments.${overlay}: no such directory`);
  }
  config.suppressions.forEach((suppression, index) => {
    if (isExpired(suppression.expires, today)) {
      warnings.push(
        `${config.file}:${suppression.line ?? 1}: suppressions[${index}] (${suppression.rule} on ${suppression.kind} ${suppression.name}) expired on ${suppression.expires} and no longer applies; renew it with a reason or remove it`,
      );
    }
  });
  return warnings;
}
