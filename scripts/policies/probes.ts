import type { JsonObject, Resource } from '../core/resource.js';
import { definePolicy, type PolicyContext, type RawFinding } from './types.js';
import { asArray, asIntOrString, asObject, asString, asStringMap } from './util/json.js';
import { containersOf, isPortNumber, podTemplate, portResolves, servicePodMatch } from './util/workload.js';

const PROBES = ['readinessProbe', 'livenessProbe', 'startupProbe'] as const;
/** Jobs and CronJobs run to completion: no probes expected. */
const LONG_RUNNING_KINDS = ['DaemonSet', 'Deployment', 'Pod', 'ReplicaSet', 'StatefulSet'];

/** The port a probe connects to, and which field holds it. */
function probePort(probe: JsonObject): { port: number | string; field: string } | undefined {
  for (const field of ['httpGet', 'tcpSocket', 'grpc']) {
    const port = asIntOrString(asObject(probe[field])?.port);
    if (port !== undefined) return { port, field };
  }
  return undefined;
}

/**
 * Whether a Service of the overlay may send traffic to the workload's pods: its selector matches
 * them, or matches labels their controller sets at run time (the rule cannot rule those out).
 */
function routedByService(workload: Resource, ctx: PolicyContext): boolean {
  return ctx.findAll('Service', workload.namespace).some((service) => {
    const spec = asObject(service.body.spec);
    const selector = asStringMap(spec?.selector);
    if (Object.keys(selector).length === 0 || asString(spec?.type) === 'ExternalName') return false;
    return servicePodMatch(selector, workload).result !== 'no';
  });
}

export const probesPolicy = definePolicy<{ requireReadiness: boolean; requireLiveness: boolean }>({
  id: 'probes',
  description:
    'Long-running containers have readiness and liveness probes whose ports resolve to the container’s ports.',
  remediation:
    'Add readinessProbe and livenessProbe (httpGet on the health endpoint, e.g. /api/health) on a port name the ' +
    'container declares, or on the number the process listens on.',
  defaultSeverity: 'error',
  kinds: LONG_RUNNING_KINDS,
  options: {
    requireReadiness: {
      description: 'Whether a readinessProbe is required.',
      schema: { type: 'boolean' },
      default: true,
    },
    requireLiveness: {
      description: 'Whether a livenessProbe is required.',
      schema: { type: 'boolean' },
      default: true,
    },
  },
  messages: {
    readinessMissing:
      'container {{container}} has no readinessProbe, so it receives traffic before it can serve.',
    readinessUnrouted:
      'container {{container}} has no readinessProbe; no Service in this overlay selects its pods and it declares ' +
      'no ports, so readiness gates no traffic here (a rollout still counts its pod available once it starts).',
    livenessMissing: 'container {{container}} has no livenessProbe, so a hung process is never restarted.',
    portUnresolved:
      'the {{probe}} of container {{container}} targets the port name {{port}}, which the container does not declare, ' +
      'so the probe can never succeed.',
    portUndeclared:
      'the {{probe}} of container {{container}} targets port number {{port}}, which the container does not declare; ' +
      'the kubelet connects to the pod on that number regardless (declaring containerPort is informational), so this ' +
      'matters only if nothing listens on it.',
  },
  // readinessUnrouted: readiness gates only the traffic of Services (and rollouts); the rule
  // cannot see a Service outside the overlay, so it says so instead of failing the tree.
  warningOnly: ['portUndeclared', 'readinessUnrouted'],
  docs: {
    rationale:
      'Without a readiness probe a pod takes traffic as soon as it starts, and a rollout with `maxUnavailable: 0` ' +
      'proceeds before the new pods serve. Without a liveness probe a deadlocked worker keeps its place behind the ' +
      'Service. A probe on a port name the container does not declare never succeeds: the pod is never ready. A probe ' +
      'on a port number reaches the pod whether or not the container declares it, so that is only a warning. A ' +
      'container that declares no ports in a pod no Service of the overlay selects (a load generator, a queue ' +
      'worker) receives no traffic to gate: its missing readiness probe is a warning.',
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
          ports: [{name: http, containerPort: 8000}]
          readinessProbe: {httpGet: {path: /api/health, port: web}}`,
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
          ports: [{name: http, containerPort: 8000}]
          readinessProbe: {httpGet: {path: /api/health, port: http}}
          livenessProbe: {httpGet: {path: /api/health, port: http}}`,
  },
  check(resource, ctx) {
    const pod = podTemplate(resource);
    if (!pod) return [];
    const findings: RawFinding[] = [];
    let routed: boolean | undefined;
    for (const { container, name, path } of containersOf(pod, ['containers'])) {
      if (ctx.options.requireReadiness && !asObject(container.readinessProbe)) {
        routed ??= routedByService(resource, ctx);
        const unrouted = !routed && asArray(container.ports).length === 0;
        findings.push({
          messageId: unrouted ? 'readinessUnrouted' : 'readinessMissing',
          data: { container: name },
          path: [...path, 'readinessProbe'],
        });
      }
      if (ctx.options.requireLiveness && !asObject(container.livenessProbe)) {
        findings.push({
          messageId: 'livenessMissing',
          data: { container: name },
          path: [...path, 'livenessProbe'],
        });
      }
      for (const probe of PROBES) {
        const spec = asObject(container[probe]);
        const target = spec ? probePort(spec) : undefined;
        if (!target || portResolves(container, target.port)) continue;
        findings.push({
          // The kubelet resolves a name through the container's ports; a number it uses as given.
          messageId: isPortNumber(target.port) ? 'portUndeclared' : 'portUnresolved',
          data: { probe, container: name, port: String(target.port) },
          path: [...path, probe, target.field, 'port'],
        });
      }
    }
    return findings;
  },
});
