import { definePolicy, type RawFinding } from './types.js';
import { asNumber, asObject } from './util/json.js';

export const hpaBoundsPolicy = definePolicy<{ minReplicas: number; maxReplicas: number | null }>({
  id: 'hpa-bounds',
  description:
    'HorizontalPodAutoscaler replica bounds stay within the environment floor (and the cap, when one is set).',
  remediation:
    'Set spec.minReplicas to at least the floor for the environment (in prod 2, so one pod serves while a node ' +
    'drain or a rollout takes the other) and spec.maxReplicas to at most the cap, with minReplicas ≤ maxReplicas.',
  defaultSeverity: 'error',
  kinds: ['HorizontalPodAutoscaler'],
  options: {
    minReplicas: {
      // A general default: one pod is fine where an outage is (dev, unknown environments); in prod
      // one pod cannot survive a node drain. Stricter floors are a team's choice, set in its config.
      description: 'The lowest minReplicas allowed.',
      schema: { type: 'integer', minimum: 1 },
      default: 1,
      envDefaults: { prod: 2 },
    },
    maxReplicas: {
      description:
        'The highest maxReplicas allowed (a quota or a rate limit downstream bounds useful scale-out), or null for no cap.',
      schema: { type: ['integer', 'null'], minimum: 1 },
      default: null,
    },
  },
  messages: {
    minMissing:
      'minReplicas is not set, so the API defaults it to 1 and one pod is not highly available; set it to at least {{min}} in {{env}}.',
    minTooLow: 'minReplicas is {{actual}}; must be ≥ {{min}} in {{env}}.',
    maxTooHigh: 'maxReplicas is {{actual}}; must be ≤ {{max}} in {{env}}.',
    minAboveMax: 'minReplicas {{min}} is greater than maxReplicas {{max}}.',
  },
  docs: {
    rationale:
      'A minimum of one pod means every node drain, rollout or crash is an outage, and the API defaults ' +
      'minReplicas to 1 when it is left out. That is acceptable in dev and in environments the rule does not ' +
      'know, so the built-in floor is 1 there and 2 in prod (one pod serves while a drain takes the other). ' +
      'There is no built-in cap: a cap is a quota decision. This repository’s `validate.config.yaml` sets its ' +
      'own stricter values (floor 2, prod 3, so one pod can be disrupted while another restarts; cap 10, the ' +
      'model deployment’s quota).',
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
    // Left out, the API sets 1: a problem only where the floor is above 1.
    if (min === undefined && floor > 1) {
      findings.push({
        messageId: 'minMissing',
        data: { min: floor, env: ctx.env },
        path: ['spec', 'minReplicas'],
      });
    } else if (min !== undefined && min < floor) {
      findings.push({
        messageId: 'minTooLow',
        data: { actual: min, min: floor, env: ctx.env },
        path: ['spec', 'minReplicas'],
      });
    }
    if (max !== undefined && cap !== null && max > cap) {
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
