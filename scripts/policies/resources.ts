import type { JsonObject } from '../core/resource.js';
import { definePolicy, type RawFinding } from './types.js';
import { asObject, asString } from './util/json.js';
import { containersOf, podTemplate, WORKLOAD_KINDS } from './util/workload.js';

/** The fields required, as paths under `resources`, with their message ids (app and init containers). */
const REQUIRED = [
  {
    messageId: 'cpuRequestMissing',
    initMessageId: 'initCpuRequestMissing',
    field: 'requests',
    resource: 'cpu',
  },
  {
    messageId: 'memoryRequestMissing',
    initMessageId: 'initMemoryRequestMissing',
    field: 'requests',
    resource: 'memory',
  },
  {
    messageId: 'memoryLimitMissing',
    initMessageId: 'initMemoryLimitMissing',
    field: 'limits',
    resource: 'memory',
  },
] as const;

/** Why an init container's missing value matters less: what the scheduler reserves for the pod. */
const INIT_NOTE =
  'an init container’s request counts only while it runs (the pod reserves the larger of the largest init ' +
  'container’s request and the sum of the app containers’), so set it if the init container needs more than that.';

/**
 * An init container that runs to completion before the app starts; a native sidecar
 * (`restartPolicy: Always`) runs beside the app for the pod's life and counts like an app container.
 */
function runsToCompletion(list: string, container: JsonObject): boolean {
  return list === 'initContainers' && asString(container.restartPolicy) !== 'Always';
}

export const resourcesPolicy = definePolicy<Record<string, never>>({
  id: 'resources',
  description:
    'Every container requests CPU and memory and limits memory (an init container that runs to completion: a warning).',
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
    initCpuRequestMissing: `init container {{container}} requests no CPU; ${INIT_NOTE}`,
    initMemoryRequestMissing: `init container {{container}} requests no memory; ${INIT_NOTE}`,
    initMemoryLimitMissing:
      'init container {{container}} has no memory limit, so while it runs a leak can take the node’s memory ' +
      'from its neighbours; it stops when the init container ends.',
  },
  // Init containers that run to completion hold their resources only until the app starts.
  warningOnly: ['initCpuRequestMissing', 'initMemoryRequestMissing', 'initMemoryLimitMissing'],
  docs: {
    rationale:
      'Requests are what the scheduler reserves and what HPA utilization is measured against; without them pods land ' +
      'on full nodes and are evicted first (BestEffort). A memory limit bounds a leak to the container that leaks. ' +
      'No CPU limit is required: CFS throttling adds latency to a request-bound API. An init container that runs to ' +
      'completion holds its request only until the app starts (the pod reserves the larger of the largest init ' +
      'request and the sum of the app containers’), so a missing value there is a warning; a native sidecar ' +
      '(`restartPolicy: Always`) runs beside the app and is checked like an app container.',
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
    for (const { container, name, list, path } of containersOf(pod)) {
      const resources = asObject(container.resources);
      const init = runsToCompletion(list, container);
      for (const { messageId, initMessageId, field, resource: kind } of REQUIRED) {
        const value = asObject(resources?.[field])?.[kind];
        if (value === undefined || value === null || value === '') {
          findings.push({
            messageId: init ? initMessageId : messageId,
            data: { container: name },
            path: [...path, 'resources', field, kind],
          });
        }
      }
    }
    return findings;
  },
});
