import type { FieldPath, JsonObject } from '../core/resource.js';
import { definePolicy, type RawFinding } from './types.js';
import { resourceMetricSources } from './util/hpa.js';
import { asArray, asNumber, asObject, asString } from './util/json.js';

/** Where an HPA states its average CPU utilization target(s). */
function cpuTargets(spec: JsonObject, apiVersion: string): { value: number; path: FieldPath }[] {
  if (apiVersion === 'autoscaling/v1') {
    const value = asNumber(spec.targetCPUUtilizationPercentage);
    return value === undefined ? [] : [{ value, path: ['spec', 'targetCPUUtilizationPercentage'] }];
  }
  return resourceMetricSources(asArray(spec.metrics)).flatMap(({ index, field, source }) => {
    const target = asObject(source?.target);
    const utilization = asNumber(target?.averageUtilization);
    if (
      asString(source?.name) !== 'cpu' ||
      asString(target?.type) !== 'Utilization' ||
      utilization === undefined
    )
      return [];
    return [{ value: utilization, path: ['spec', 'metrics', index, field, 'target', 'averageUtilization'] }];
  });
}

export const hpaCpuTargetPolicy = definePolicy<{ minCpuUtilization: number; maxCpuUtilization: number }>({
  id: 'hpa-cpu-target',
  description:
    'HorizontalPodAutoscaler CPU utilization targets stay within the environment range, and every HPA states a metric.',
  remediation:
    'Set the Resource cpu metric’s target.averageUtilization within the range for the environment, and list at ' +
    'least one metric in spec.metrics.',
  defaultSeverity: 'error',
  kinds: ['HorizontalPodAutoscaler'],
  options: {
    minCpuUtilization: {
      // General defaults: below 10% a pod scales out on noise, above 95% there is no headroom while
      // new pods start. A team's own range (this repository's: 50–85%, dev 10%) goes in its config.
      description: 'Lowest average CPU utilization target (percent of the request).',
      schema: { type: 'integer', minimum: 1, maximum: 100 },
      default: 10,
    },
    maxCpuUtilization: {
      description: 'Highest average CPU utilization target (percent of the request).',
      schema: { type: 'integer', minimum: 1, maximum: 100 },
      default: 95,
    },
  },
  messages: {
    noMetrics:
      'spec.metrics is empty, so the controller silently uses 80% CPU; state the metric the HPA scales on.',
    targetTooLow: 'the average CPU utilization target is {{actual}}%; must be ≥ {{min}}% in {{env}}.',
    targetTooHigh: 'the average CPU utilization target is {{actual}}%; must be ≤ {{max}}% in {{env}}.',
  },
  docs: {
    rationale:
      'A target below 10% scales out on noise and burns quota; one above 95% leaves no headroom while new pods ' +
      'start, so requests queue or fail until they are ready. An HPA without metrics falls back to 80% CPU ' +
      'without saying so. This repository’s `validate.config.yaml` narrows the range to 50–85% (the backend ' +
      'mostly waits on the model, so its CPU per request is low), and dev keeps the workshop’s 10% so scaling ' +
      'is easy to watch in a load test.',
    failing: `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: triage-backend-hpa
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: triage-backend}
  minReplicas: 3
  maxReplicas: 10
  metrics:
    - type: Resource
      resource:
        name: cpu
        target: {type: Utilization, averageUtilization: 99}`,
    passing: `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: triage-backend-hpa
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: triage-backend}
  minReplicas: 3
  maxReplicas: 10
  metrics:
    - type: Resource
      resource:
        name: cpu
        target: {type: Utilization, averageUtilization: 65}`,
  },
  check(resource, ctx) {
    const spec = asObject(resource.body.spec) ?? {};
    const findings: RawFinding[] = [];
    if (resource.apiVersion !== 'autoscaling/v1' && asArray(spec.metrics).length === 0) {
      findings.push({ messageId: 'noMetrics', path: ['spec', 'metrics'] });
    }
    const { minCpuUtilization: min, maxCpuUtilization: max } = ctx.options;
    for (const { value, path } of cpuTargets(spec, resource.apiVersion)) {
      if (value < min)
        findings.push({ messageId: 'targetTooLow', data: { actual: value, min, env: ctx.env }, path });
      else if (value > max)
        findings.push({ messageId: 'targetTooHigh', data: { actual: value, max, env: ctx.env }, path });
    }
    return findings;
  },
});
