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
        kind: object.kind,
        name: object.name,
        namespace: object.namespace,
      },
      resource?.body,
      today,
    );
    if (!match) {
      kept.push(finding);
    } else if ('expired' in match) {
      kept.push({
        ...finding,
        message: `${finding.message} (suppression expired on ${match.expires}: ${match.reason})`,
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
