import { definePolicy, type RawFinding } from './types.js';
import { asNumber, asObject } from './util/json.js';

export const hpaBoundsPolicy = definePolicy<{ minReplicas: number; maxReplicas: number }>({
  id: 'hpa-bounds',
  description: 'HorizontalPodAutoscaler replica bounds stay within the environment floor and cap.',
  remediation:
    'Set spec.minReplicas to at least the floor for the environment (2 pods can survive one disruption) and ' +
    'spec.maxReplicas to at most the cap, with minReplicas ≤ maxReplicas.',
  defaultSeverity: 'error',
  kinds: ['HorizontalPodAutoscaler'],
  options: {
    minReplicas: {
      description: 'The lowest minReplicas allowed.',
      schema: { type: 'integer', minimum: 1 },
      default: 2,
      envDefaults: { prod: 3 },
    },
    maxReplicas: {
      description:
        'The highest maxReplicas allowed (the model deployment’s rate limit bounds useful scale-out).',
      schema: { type: 'integer', minimum: 1 },
      default: 10,
    },
  },
  messages: {
    minMissing:
      'minReplicas is not set, so the API defaults it to 1 and one pod is not highly available; set it to at least {{min}}.',
    minTooLow: 'minReplicas is {{actual}}; must be ≥ {{min}} in {{env}}.',
    maxTooHigh: 'maxReplicas is {{actual}}; must be ≤ {{max}} in {{env}}.',
    minAboveMax: 'minReplicas {{min}} is greater than maxReplicas {{max}}.',
  },
  docs: {
    rationale:
      'A minimum of one pod means every node drain, rollout or crash is an outage, and the API defaults ' +
      'minReplicas to 1 when it is left out. Prod keeps three pods so one can be disrupted while another ' +
      'restarts. The cap keeps a runaway scale-out from exhausting the cluster and the model deployment’s quota.',
    failing: `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: triage-backend-hpa
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: triage-backend}
  maxReplicas: 50`,
    passing: `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: triage-backend-hpa
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: triage-backend}
  minReplicas: 3
  maxReplicas: 10`,
  },
  check(resource, ctx) {
    const spec = asObject(resource.body.spec) ?? {};
    const { minReplicas: floor, maxReplicas: cap } = ctx.options;
    const findings: RawFinding[] = [];
    const min = asNumber(spec.minReplicas);
    const max = asNumber(spec.maxReplicas);
    if (min === undefined) {
      findings.push({ messageId: 'minMissing', data: { min: floor }, path: ['spec', 'minReplicas'] });
    } else if (min < floor) {
      findings.push({
        messageId: 'minTooLow',
        data: { actual: min, min: floor, env: ctx.env },
        path: ['spec', 'minReplicas'],
      });
    }
    if (max !== undefined && max > cap) {
      findings.push({
        messageId: 'maxTooHigh',
        data: { actual: max, max: cap, env: ctx.env },
        path: ['spec', 'maxReplicas'],
      });
    }
    if (max !== undefined && (min ?? 1) > max) {
      findings.push({
        messageId: 'minAboveMax',
        data: { min: min ?? 1, max },
        path: ['spec', 'minReplicas'],
      });
    }
    return findings;
  },
});
