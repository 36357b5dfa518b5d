import { findSuppression, type ValidateConfig } from '../config/load.js';
import type { Finding, SuppressedFinding } from '../core/finding.js';
import type { Resource } from '../core/resource.js';

/**
 * Moves findings that a suppression (config entry or resource annotation, each with a reason)
 * covers into `suppressed`. An expired suppression stops applying, and the finding says so.
 */
export function applySuppressions(
  findings: readonly Finding[],
  resources: readonly Resource[],
  config: ValidateConfig,
  today: Date,
  sourceName: (resource: Resource) => string | undefined,
): { findings: Finding[]; suppressed: SuppressedFinding[] } {
  const kept: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const finding of findings) {
    const object = finding.object;
    if (!object) {
      kept.push(finding);
      continue;
    }
    const resource = resources.find(
      (each) => each.kind === object.kind && each.name === object.name && each.namespace === object.namespace,
    );
    const match = findSuppression(
      config,
      {
        ruleId: finding.ruleId,
        overlay: finding.overlay,
        env: finding.env,
        kind: object.kind,
        name: object.name,
        namespace: object.namespace,
        sourceName: resource && sourceName(resource),
      },
      resource?.body,
      today,
    );
    if (!match) {
      kept.push(finding);
    } else if ('expired' in match) {
      const where = match.file ? ` at ${match.file}${match.line ? `:${match.line}` : ''}` : '';
      kept.push({
        ...finding,
        message: `${finding.message} (the suppression${where} expired on ${match.expires} and no longer applies)`,
      });
    } else {
      suppressed.push({
        ...finding,
        suppression: { reason: match.reason, source: match.source, expires: match.expires },
      });
    }
  }
  return { findings: kept, suppressed };
}
