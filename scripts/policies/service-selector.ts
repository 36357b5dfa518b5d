import type { Resource } from '../core/resource.js';
import { definePolicy, type RawFinding } from './types.js';
import { asArray, asIntOrString, asObject, asString } from './util/json.js';
import { containersOf, podTemplate, portResolves, selectorMatches, WORKLOAD_KINDS } from './util/workload.js';

/** Kinds whose pods a Service routes to here (Jobs and CronJobs run to completion and are left out). */
const SERVED_KINDS = WORKLOAD_KINDS.filter((kind) => kind !== 'Job' && kind !== 'CronJob');

export const serviceSelectorPolicy = definePolicy<Record<string, never>>({
  id: 'service-selector',
  description:
    'Each Service’s selector matches the pod labels of a workload in the overlay, and each targetPort is a port those containers expose.',
  remediation:
    'Make spec.selector a subset of the workload’s pod template labels (not the labels kustomize adds only to metadata), ' +
    'and set targetPort to a containerPort number or a port name the containers declare.',
  defaultSeverity: 'error',
  kinds: ['Service'],
  options: {},
  messages: {
    noMatch:
      'the selector {{selector}} matches the pods of no workload in this overlay, so the Service has no endpoints.',
    targetPortMissing: 'port {{port}} targets {{target}}, which no container of {{workloads}} exposes.',
  },
  docs: {
    rationale:
      'A Service whose selector matches nothing, or whose targetPort names a port the containers do not declare, ' +
      'applies cleanly and has no endpoints: the Ingress answers 503. A common cause is a label added with ' +
      '`includeSelectors: false` (metadata only) and then used in a selector, or a port renamed in the Deployment only.',
    failing: `apiVersion: v1
kind: Service
metadata: {name: triage-backend, namespace: triage}
spec:
  selector: {app: triage-api}
  ports: [{name: http, port: 8000, targetPort: http}]
---
apiVersion: apps/v1
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
          ports: [{name: http, containerPort: 8000}]`,
    passing: `apiVersion: v1
kind: Service
metadata: {name: triage-backend, namespace: triage}
spec:
  selector: {app: triage-backend}
  ports: [{name: http, port: 8000, targetPort: http}]
---
apiVersion: apps/v1
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
          ports: [{name: http, containerPort: 8000}]`,
  },
  check(resource, ctx) {
    const spec = asObject(resource.body.spec) ?? {};
    const selector = asObject(spec.selector);
    // No selector: endpoints are managed by hand (or ExternalName); nothing to match.
    if (!selector || Object.keys(selector).length === 0 || asString(spec.type) === 'ExternalName') return [];
    const matched: Resource[] = SERVED_KINDS.flatMap((kind) => ctx.findAll(kind, resource.namespace)).filter(
      (workload) => {
        const pod = podTemplate(workload);
        return pod !== undefined && selectorMatches(selector, pod.labels, true);
      },
    );
    if (matched.length === 0) {
      const text = Object.entries(selector)
        .map(([key, value]) => `${key}=${String(value)}`)
        .join(',');
      return [{ messageId: 'noMatch', data: { selector: text }, path: ['spec', 'selector'] }];
    }
    const containers = matched.flatMap((workload) => {
      const pod = podTemplate(workload);
      return pod ? containersOf(pod, ['containers']).map((each) => each.container) : [];
    });
    const findings: RawFinding[] = [];
    asArray(spec.ports).forEach((value, index) => {
      const port = asObject(value);
      const target = asIntOrString(port?.targetPort) ?? asIntOrString(port?.port);
      if (target === undefined) return;
      if (containers.some((container) => portResolves(container, target))) return;
      findings.push({
        messageId: 'targetPortMissing',
        data: {
          port: asString(port?.name) ?? String(port?.port ?? index),
          target: String(target),
          workloads: matched.map((each) => `${each.kind} ${each.name}`).join(', '),
        },
        path: ['spec', 'ports', index, 'targetPort'],
      });
    });
    return findings;
  },
});
