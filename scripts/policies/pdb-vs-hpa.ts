import type { FieldPath, JsonObject } from '../core/resource.js';
import { definePolicy, type RawFinding } from './types.js';
import { HPA_KIND, hpaTarget, minReplicas } from './util/hpa.js';
import { asIntOrString, asObject } from './util/json.js';
import { podTemplate, selectorMatches } from './util/workload.js';

/** Scales an IntOrString budget against `pods`, rounding up as the disruption controller does. */
function scaled(value: number | string, pods: number): number | undefined {
  if (typeof value === 'number') return value;
  const percent = /^(\d+)%$/.exec(value);
  if (percent) return Math.ceil((Number(percent[1]) * pods) / 100);
  return /^\d+$/.test(value) ? Number(value) : undefined;
}

/** How many pods the budget lets an eviction take when `pods` are running and healthy. */
export function allowedDisruptions(
  spec: JsonObject,
  pods: number,
): { allowed: number; path: FieldPath } | undefined {
  const maxUnavailable = asIntOrString(spec.maxUnavailable);
  if (maxUnavailable !== undefined) {
    const max = scaled(maxUnavailable, pods);
    return max === undefined
      ? undefined
      : { allowed: Math.max(0, Math.min(max, pods)), path: ['spec', 'maxUnavailable'] };
  }
  // Neither set: the API defaults minAvailable to 1.
  const minAvailable = asIntOrString(spec.minAvailable) ?? 1;
  const min = scaled(minAvailable, pods);
  return min === undefined ? undefined : { allowed: Math.max(0, pods - min), path: ['spec', 'minAvailable'] };
}

export const pdbVsHpaPolicy = definePolicy<Record<string, never>>({
  id: 'pdb-vs-hpa',
  description:
    'A PodDisruptionBudget selecting the pods of an HPA-scaled workload allows at least one disruption at the HPA’s minReplicas.',
  remediation:
    'Use maxUnavailable: 1 (or a minAvailable below the HPA’s minReplicas), or raise minReplicas above minAvailable.',
  defaultSeverity: 'error',
  kinds: ['PodDisruptionBudget'],
  options: {},
  messages: {
    noDisruption:
      'at minReplicas {{min}} of HorizontalPodAutoscaler {{hpa}} this budget allows {{allowed}} disruptions: node drains and cluster upgrades block.',
  },
  docs: {
    rationale:
      'When the workload sits at its minimum, a budget such as `minAvailable: 2` with `minReplicas: 2` allows no ' +
      'eviction at all: `kubectl drain` waits forever and AKS node-image and version upgrades stall or fail. ' +
      'Percentages round up, as the disruption controller computes them.',
    failing: `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: triage-backend, namespace: triage}
spec:
  minAvailable: 3
  selector: {matchLabels: {app: triage-backend}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: triage-backend-hpa, namespace: triage}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: triage-backend}
  minReplicas: 3
  maxReplicas: 10
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: triage-backend, namespace: triage}
spec:
  selector: {matchLabels: {app: triage-backend}}
  template:
    metadata: {labels: {app: triage-backend}}
    spec:
      containers: [{name: backend, image: triageacr.azurecr.io/triage-backend:1.4.0}]`,
    passing: `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: triage-backend, namespace: triage}
spec:
  maxUnavailable: 1
  selector: {matchLabels: {app: triage-backend}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: triage-backend-hpa, namespace: triage}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: triage-backend}
  minReplicas: 3
  maxReplicas: 10
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: triage-backend, namespace: triage}
spec:
  selector: {matchLabels: {app: triage-backend}}
  template:
    metadata: {labels: {app: triage-backend}}
    spec:
      containers: [{name: backend, image: triageacr.azurecr.io/triage-backend:1.4.0}]`,
  },
  check(resource, ctx) {
    const spec = asObject(resource.body.spec) ?? {};
    const selector = asObject(spec.selector);
    if (!selector) return [];
    const findings: RawFinding[] = [];
    for (const hpa of ctx.findAll(HPA_KIND, resource.namespace)) {
      const target = hpaTarget(ctx, hpa);
      const pod = target ? podTemplate(target) : undefined;
      if (!pod || !selectorMatches(selector, pod.labels)) continue;
      const min = minReplicas(hpa);
      const budget = allowedDisruptions(spec, min);
      if (budget && budget.allowed < 1) {
        findings.push({
          messageId: 'noDisruption',
          data: { min, hpa: hpa.name, allowed: budget.allowed },
          path: budget.path,
        });
      }
    }
    return findings;
  },
});
