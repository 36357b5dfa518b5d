import { definePolicy, type RawFinding } from './types.js';
import { hpasTargeting, utilizationMetrics } from './util/hpa.js';
import { asObject } from './util/json.js';
import { containersOf, podTemplate, SCALABLE_KINDS } from './util/workload.js';

export const hpaRequestsPolicy = definePolicy<Record<string, never>>({
  id: 'hpa-requests',
  description:
    'Every container of a workload an HPA scales on CPU (or memory) utilization requests CPU (or memory), so the utilization is defined.',
  remediation:
    'Set resources.requests.cpu (and requests.memory when the HPA scales on memory) on every container of the workload.',
  defaultSeverity: 'error',
  kinds: [...SCALABLE_KINDS],
  options: {},
  messages: {
    requestMissing:
      'container {{container}} requests no {{resource}}, but HorizontalPodAutoscaler {{hpa}} scales on {{resource}} utilization: it reads <unknown> and never scales.',
  },
  docs: {
    rationale:
      'Utilization is usage divided by the request, summed over the pod’s containers. With one container ' +
      'lacking the request the HPA cannot compute it: `kubectl get hpa` shows `<unknown>/60%`, the events say ' +
      '`missing request for cpu`, and the workload never scales.',
    failing: `apiVersion: apps/v1
kind: Deployment
metadata: {name: triage-backend, namespace: triage}
spec:
  selector: {matchLabels: {app: triage-backend}}
  template:
    metadata: {labels: {app: triage-backend}}
    spec:
      containers:
        - name: backend
          image: triageacr.azurecr.io/triage-backend:1.4.0
          resources: {limits: {memory: 512Mi}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: triage-backend-hpa, namespace: triage}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: triage-backend}
  minReplicas: 3
  maxReplicas: 10
  metrics:
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 65}}`,
    passing: `apiVersion: apps/v1
kind: Deployment
metadata: {name: triage-backend, namespace: triage}
spec:
  selector: {matchLabels: {app: triage-backend}}
  template:
    metadata: {labels: {app: triage-backend}}
    spec:
      containers:
        - name: backend
          image: triageacr.azurecr.io/triage-backend:1.4.0
          resources: {requests: {cpu: 250m, memory: 256Mi}, limits: {memory: 512Mi}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: triage-backend-hpa, namespace: triage}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: triage-backend}
  minReplicas: 3
  maxReplicas: 10
  metrics:
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 65}}`,
  },
  check(resource, ctx) {
    const pod = podTemplate(resource);
    if (!pod) return [];
    const findings: RawFinding[] = [];
    const reported = new Set<string>();
    for (const hpa of hpasTargeting(ctx, resource)) {
      for (const metric of utilizationMetrics(hpa)) {
        for (const { container, name, path } of containersOf(pod, ['containers'])) {
          if (metric.container !== undefined && metric.container !== name) continue;
          const requests = asObject(asObject(container.resources)?.requests);
          const key = `${name}/${metric.resource}`;
          if (requests?.[metric.resource] !== undefined || reported.has(key)) continue;
          reported.add(key);
          findings.push({
            messageId: 'requestMissing',
            data: { container: name, resource: metric.resource, hpa: hpa.name },
            path: [...path, 'resources', 'requests', metric.resource],
          });
        }
      }
    }
    return findings;
  },
});
