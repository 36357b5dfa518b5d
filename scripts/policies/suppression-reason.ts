import { parseSuppressionAnnotation, SUPPRESSION_ANNOTATION_PREFIX } from '../config/suppressions.js';
import { definePolicy, type RawFinding } from './types.js';
import { asObject, asStringMap } from './util/json.js';

export const suppressionReasonPolicy = definePolicy<Record<string, never>>({
  id: 'suppression-reason',
  description:
    'Every suppression annotation names a known rule and gives a reason (and a valid expiry date, if any).',
  remediation:
    'Write the annotation as triage-gitops.io/ignore.<rule-id>: "<why this is acceptable>; expires=YYYY-MM-DD" with a ' +
    'rule id from docs/rules.md, or remove it.',
  defaultSeverity: 'error',
  kinds: ['*'],
  options: {},
  messages: {
    reasonMissing: 'the suppression of {{rule}} gives no reason, so it does not apply.',
    unknownRule: 'the suppression names rule {{rule}}, which does not exist.',
    badExpiry:
      'the suppression of {{rule}} has expires={{expires}}, which is not a YYYY-MM-DD date, so it does not apply.',
  },
  docs: {
    rationale:
      'A suppression is a decision someone will need to revisit: without a reason nobody can tell whether it still ' +
      'holds, and with a typo in the rule id it silently suppresses nothing. Suppressions without a reason do not ' +
      'apply. An expired suppression (`expires=` in the past) stops applying and the run warns about it.',
    failing: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: triage-backend
  namespace: triage
  annotations:
    triage-gitops.io/ignore.image-pinned: ""`,
    passing: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: triage-backend
  namespace: triage
  annotations:
    triage-gitops.io/ignore.image-pinned: "Load-test image rebuilt on every run; expires=2030-01-31"`,
  },
  check(resource, ctx) {
    const annotations = asStringMap(asObject(resource.body.metadata)?.annotations);
    const findings: RawFinding[] = [];
    for (const [key, value] of Object.entries(annotations)) {
      if (!key.startsWith(SUPPRESSION_ANNOTATION_PREFIX)) continue;
      const rule = key.slice(SUPPRESSION_ANNOTATION_PREFIX.length);
      const path = ['metadata', 'annotations', key];
      if (!ctx.ruleIds.has(rule)) {
        findings.push({ messageId: 'unknownRule', data: { rule }, path });
        continue;
      }
      const parsed = parseSuppressionAnnotation(value);
      if (parsed.reason === '') findings.push({ messageId: 'reasonMissing', data: { rule }, path });
      else if (parsed.invalidExpires !== undefined) {
        findings.push({ messageId: 'badExpiry', data: { rule, expires: parsed.invalidExpires }, path });
      }
    }
    return findings;
  },
});
