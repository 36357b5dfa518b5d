import { definePolicy, type RawFinding } from './types.js';
import { asObject } from './util/json.js';
import { containersOf, podTemplate, WORKLOAD_KINDS } from './util/workload.js';

/** The fields required, as paths under `resources`, with their message ids. */
const REQUIRED = [
  { messageId: 'cpuRequestMissing', field: 'requests', resource: 'cpu' },
  { messageId: 'memoryRequestMissing', field: 'requests', resource: 'memory' },
  { messageId: 'memoryLimitMissing', field: 'limits', resource: 'memory' },
] as const;

export const resourcesPolicy = definePolicy<Record<string, never>>({
  id: 'resources',
  description: 'Every container (init containers included) requests CPU and memory and limits memory.',
  remediation:
    'Set resources.requests.cpu, resources.requests.memory and resources.limits.memory on every container (a CPU limit ' +
    'is optional: it throttles a latency-sensitive API).',
  defaultSeverity: 'error',
  kinds: [...WORKLOAD_KINDS],
  options: {},
  messages: {
    cpuRequestMissing:
      'container {{container}} requests no CPU, so the scheduler packs it anywhere and CPU utilization is undefined.',
    memoryRequestMissing:
      'container {{container}} requests no memory, so it is first to be evicted under memory pressure.',
    memoryLimitMissing:
      'container {{container}} has no memory limit, so a leak can take the node’s memory from its neighbours.',
  },
  docs: {
    rationale:
      'Requests are what the scheduler reserves and what HPA utilization is measured against; without them pods land ' +
      'on full nodes and are evicted first (BestEffort). A memory limit bounds a leak to the container that leaks. ' +
      'No CPU limit is required: CFS throttling adds latency to a request-bound API.',
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
          resources: {requests: {cpu: 250m}}`,
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
          resources: {requests: {cpu: 250m, memory: 256Mi}, limits: {memory: 512Mi}}`,
  },
  check(resource) {
    const pod = podTemplate(resource);
    if (!pod) return [];
    const findings: RawFinding[] = [];
    for (const { container, name, path } of containersOf(pod)) {
      const resources = asObject(container.resources);
      for (const { messageId, field, resource: kind } of REQUIRED) {
        const value = asObject(resources?.[field])?.[kind];
        if (value === undefined || value === null || value === '') {
          findings.push({ messageId, data: { container: name }, path: [...path, 'resources', field, kind] });
        }
      }
    }
    return findings;
  },
});
