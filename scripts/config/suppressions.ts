import type { JsonObject } from '../core/resource.js';
import { globMatches, globMatchesGenerated } from './glob.js';
import type { Suppression, ValidateConfig } from './types.js';

/** `triage-gitops.io/ignore.<rule-id>: "<reason>[; expires=YYYY-MM-DD]"` on the resource itself. */
export const SUPPRESSION_ANNOTATION_PREFIX = 'triage-gitops.io/ignore.';

export interface ParsedSuppressionAnnotation {
  reason: string;
  /** YYYY-MM-DD when given and valid. */
  expires?: string;
  /** The `expires=` text when it is not a real YYYY-MM-DD date. */
  invalidExpires?: string;
}

/** Parses an annotation value: the reason, then optionally `; expires=YYYY-MM-DD`. */
export function parseSuppressionAnnotation(value: string): ParsedSuppressionAnnotation {
  const match = /^(.*?)(?:;\s*expires\s*=\s*(\S*)\s*)?$/s.exec(value);
  const reason = (match?.[1] ?? value).trim();
  const expires = match?.[2];
  if (expires === undefined) return { reason };
  return isValidDate(expires) ? { reason, expires } : { reason, invalidExpires: expires };
}

/** A real calendar date written YYYY-MM-DD. */
export function isValidDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** A suppression is valid through its `expires` day (UTC) and expired from the day after. */
export function isExpired(expires: string | undefined, today: Date): boolean {
  return expires !== undefined && today.toISOString().slice(0, 10) > expires;
}

/** The finding a suppression would silence. */
export interface SuppressionQuery {
  ruleId: string;
  /** Overlay path relative to the repository root, e.g. `overlays/prod`. */
  overlay: string;
  kind: string;
  /** The rendered name. */
  name: string;
  namespace?: string;
  /** The name in base/ or the overlay before namePrefix/nameSuffix and generator hashes, when known. */
  sourceName?: string;
  /** The overlay's environment, so a suppression may name `overlay: prod` as well as `overlays/prod`. */
  env?: string;
}

export type SuppressionSource = 'config' | 'annotation';

export type SuppressionMatch =
  | { reason: string; source: SuppressionSource; file?: string; line?: number; expires?: string }
  | {
      expired: true;
      reason: string;
      source: SuppressionSource;
      file?: string;
      line?: number;
      expires: string;
    };

/**
 * The suppression that silences a finding: an annotation on the resource first, then the config's
 * list. A live match wins over an expired one; an expired match is returned so the engine can warn
 * that it no longer applies (and keep the finding). Annotations without a reason never apply (the
 * `suppression-reason` rule reports them).
 */
export function findSuppression(
  config: ValidateConfig,
  query: SuppressionQuery,
  resourceBody: JsonObject | undefined,
  today: Date,
): SuppressionMatch | undefined {
  let expired: SuppressionMatch | undefined;
  const annotation = annotationFor(resourceBody, query.ruleId);
  if (annotation !== undefined) {
    const parsed = parseSuppressionAnnotation(annotation);
    if (parsed.reason !== '' && parsed.invalidExpires === undefined) {
      if (!isExpired(parsed.expires, today))
        return { reason: parsed.reason, source: 'annotation', expires: parsed.expires };
      expired = {
        expired: true,
        reason: parsed.reason,
        source: 'annotation',
        expires: parsed.expires as string,
      };
    }
  }
  for (const suppression of config.suppressions) {
    if (!suppressionMatches(suppression, query)) continue;
    const where = { file: config.file, line: suppression.line };
    if (!isExpired(suppression.expires, today)) {
      return { reason: suppression.reason, source: 'config', expires: suppression.expires, ...where };
    }
    expired ??= {
      expired: true,
      reason: suppression.reason,
      source: 'config',
      expires: suppression.expires as string,
      ...where,
    };
  }
  return expired;
}

function annotationFor(body: JsonObject | undefined, ruleId: string): string | undefined {
  const metadata = body?.metadata;
  if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) return undefined;
  const annotations = metadata.annotations;
  if (!annotations || typeof annotations !== 'object' || Array.isArray(annotations)) return undefined;
  const value = annotations[`${SUPPRESSION_ANNOTATION_PREFIX}${ruleId}`];
  return typeof value === 'string' ? value : undefined;
}

export function suppressionMatches(suppression: Suppression, query: SuppressionQuery): boolean {
  if (suppression.rule !== query.ruleId || suppression.kind !== query.kind) return false;
  if (suppression.namespace !== undefined && suppression.namespace !== query.namespace) return false;
  if (suppression.overlay !== undefined) {
    const overlay = normaliseOverlay(suppression.overlay);
    if (overlay !== normaliseOverlay(query.overlay) && overlay !== query.env) return false;
  }
  return (
    globMatches(suppression.name, query.name) ||
    (query.sourceName !== undefined && globMatches(suppression.name, query.sourceName)) ||
    // A generated ConfigMap/Secret: the source name plus kustomize's 10-character hash.
    globMatchesGenerated(suppression.name, query.name)
  );
}

export function normaliseOverlay(path: string): string {
  return path.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
}
