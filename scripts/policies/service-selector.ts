import type { JsonValue, Resource } from '../core/resource.js';
import { definePolicy, type RawFinding } from './types.js';
import { asArray, asIntOrString, asObject, asString, asStringMap } from './util/json.js';
import {
  containersOf,
  isPortNumber,
  podTemplate,
  portResolves,
  servicePodMatch,
  WORKLOAD_KINDS,
} from './util/workload.js';

export const serviceSelectorPolicy = definePolicy<Record<string, never>>({
  id: 'service-selector',
  description:
    'Each Service’s selector matches the pod labels of a workload in the overlay, and each targetPort is a port those containers expose.',
  remediation:
    'Make spec.selector a subset of the workload’s pod template labels (not the labels kustomize adds only to metadata), ' +
    'and set targetPort to a port name the containers declare, or to the number the process listens on.',
  defaultSeverity: 'error',
  kinds: ['Service'],
  options: {},
  messages: {
    noMatch:
      'the selector {{selector}} matches the pods of no workload in this overlay, so the Service has no endpoints.',
    podsFromController:
      'no pod template in this overlay is certain to match the selector {{selector}}, but these may create pods ' +
      'that do: {{sources}}. Check the Service’s endpoints once deployed.',
    podsFromCustomResource:
      'the selector {{selector}} matches the pods of no workload in this overlay, but {{sources}} may have an ' +
      'operator create pods it selects; this rule cannot see those pods, so check the Service’s endpoints once deployed.',
    targetPortMissing:
      'port {{port}} targets the port name {{target}}, which no container of {{workloads}} declares, so the name ' +
      'resolves to no endpoint.',
    targetPortUndeclared:
      'port {{port}} targets port number {{target}}, which no container of {{workloads}} declares; the Service uses ' +
      'the number as given (declaring containerPort is informational), so this matters only if nothing listens on it.',
  },
  warningOnly: ['podsFromController', 'podsFromCustomResource', 'targetPortUndeclared'],
  docs: {
    rationale:
      'A Service whose selector matches nothing, or whose targetPort names a port the containers do not declare, ' +
      'applies cleanly and has no endpoints: the Ingress answers 503. A common cause is a label added with ' +
      '`includeSelectors: false` (metadata only) and then used in a selector, or a port renamed in the Deployment only. ' +
      'A numeric targetPort is used as given, so one no container declares is only a warning. Labels that controllers ' +
      'add to pods (`statefulset.kubernetes.io/pod-name`, `apps.kubernetes.io/pod-index`, `controller-revision-hash`, ' +
      '`pod-template-hash`, `pod-template-generation`, `job-name`, `controller-uid`, `batch.kubernetes.io/*`) count ' +
      'when the value can be checked (a StatefulSet pod name within its replicas, a Job name); otherwise, and when ' +
      'only a custom resource (an operator’s Prometheus, say) may create the pods, the rule warns instead of claiming ' +
      'that the Service has no endpoints.',
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
    const selector = asStringMap(spec.selector);
    // No selector: endpoints are managed by hand (or ExternalName); nothing to match.
    if (Object.keys(selector).length === 0 || asString(spec.type) === 'ExternalName') return [];
    const text = Object.entries(selector)
      .map(([key, value]) => `${key}=${value}`)
      .join(',');
    const matched: Resource[] = [];
    const unsure: string[] = [];
    for (const workload of WORKLOAD_KINDS.flatMap((kind) => ctx.findAll(kind, resource.namespace))) {
      const match = servicePodMatch(selector, workload);
      if (match.result === 'yes') matched.push(workload);
      else if (match.result === 'unknown') unsure.push(`${workload.kind} ${workload.name} (${match.reason})`);
    }
    if (matched.length === 0) {
      if (unsure.length > 0) {
        return [
          {
            messageId: 'podsFromController',
            data: { selector: text, sources: unsure.join('; ') },
            path: ['spec', 'selector'],
          },
        ];
      }
      const custom = customPodSources(selector, resource.namespace, ctx.resources);
      if (custom.length > 0) {
        const sources = custom.map((each) => `${each.kind} ${each.name} (${each.apiVersion})`).join(', ');
        return [
          {
            messageId: 'podsFromCustomResource',
            data: { selector: text, sources },
            path: ['spec', 'selector'],
          },
        ];
      }
      return [{ messageId: 'noMatch', data: { selector: text }, path: ['spec', 'selector'] }];
    }
    const containers = matched.flatMap((workload) => {
      const pod = podTemplate(workload);
      return pod ? containersOf(pod, ['containers']).map((each) => each.container) : [];
    });
    const findings: RawFinding[] = [];
    asArray(spec.ports).forEach((value, index) => {
      const port = asObject(value);
      // targetPort defaults to port.
      const target = asIntOrString(port?.targetPort) ?? asIntOrString(port?.port);
      if (target === undefined) return;
      if (containers.some((container) => portResolves(container, target))) return;
      findings.push({
        // A number reaches the pod whether or not a container declares it; a name resolves only through a declaration.
        messageId: isPortNumber(target) ? 'targetPortUndeclared' : 'targetPortMissing',
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

/** API groups the Kubernetes API server serves itself; objects of other groups are custom resources. */
const BUILT_IN_GROUPS = new Set([
  '',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'apps',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'extensions',
  'flowcontrol.apiserver.k8s.io',
  'internal.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'resource.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
  'storagemigration.k8s.io',
]);

/**
 * Custom kinds that configure other objects and run no pods of their own, by API group (`*`: the
 * whole group). A ServiceMonitor labelled like the app must not hide a selector that matches nothing.
 */
const CONFIG_ONLY_KINDS: Readonly<Record<string, '*' | readonly string[]>> = {
  'monitoring.coreos.com': [
    'ServiceMonitor',
    'PodMonitor',
    'PrometheusRule',
    'Probe',
    'AlertmanagerConfig',
    'ScrapeConfig',
  ],
  'secrets-store.csi.x-k8s.io': '*',
  'cert-manager.io': '*',
  'external-secrets.io': '*',
  'keda.sh': ['ScaledObject', 'TriggerAuthentication', 'ClusterTriggerAuthentication'],
  'networking.istio.io': '*',
  'security.istio.io': '*',
  'telemetry.istio.io': '*',
  'gateway.networking.k8s.io': [
    'GatewayClass',
    'HTTPRoute',
    'GRPCRoute',
    'TCPRoute',
    'TLSRoute',
    'UDPRoute',
    'ReferenceGrant',
    'BackendTLSPolicy',
  ],
  'traefik.io': '*',
  'traefik.containo.us': '*',
  'autoscaling.k8s.io': '*',
  'snapshot.storage.k8s.io': '*',
  'argoproj.io': ['Application', 'ApplicationSet', 'AppProject'],
  'kustomize.toolkit.fluxcd.io': '*',
  'source.toolkit.fluxcd.io': '*',
  'notification.toolkit.fluxcd.io': '*',
  'image.toolkit.fluxcd.io': '*',
  'kyverno.io': '*',
};

function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

function mayRunPods(resource: Resource): boolean {
  const group = apiGroup(resource.apiVersion);
  if (BUILT_IN_GROUPS.has(group) || resource.kind === '') return false;
  const configOnly = CONFIG_ONLY_KINDS[group];
  return !(configOnly === '*' || configOnly?.includes(resource.kind));
}

/** Bounds the walk through a custom resource's spec: deep enough for pod templates, never unbounded. */
const MAX_DEPTH = 8;

/** The resource's own labels and every `labels` map in its spec (pod metadata an operator copies to its pods). */
function labelMaps(resource: Resource): Record<string, string>[] {
  const maps = [asStringMap(asObject(resource.body.metadata)?.labels)];
  const walk = (value: JsonValue | undefined, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    if (Array.isArray(value)) {
      for (const each of value) walk(each, depth + 1);
      return;
    }
    const object = asObject(value);
    if (!object) return;
    for (const [key, each] of Object.entries(object)) {
      if (key === 'labels' && asObject(each)) maps.push(asStringMap(each));
      else walk(each, depth + 1);
    }
  };
  walk(resource.body.spec, 0);
  return maps;
}

/**
 * Custom resources in the namespace that may have an operator create the selected pods: the selector
 * names the resource or its kind (operators label pods `prometheus: <name>`,
 * `app.kubernetes.io/name: alertmanager`), or a labels map of the resource holds the whole selector.
 */
function customPodSources(
  selector: Record<string, string>,
  namespace: string | undefined,
  resources: readonly Resource[],
): Resource[] {
  const pairs = Object.entries(selector);
  return resources.filter((each) => {
    if (namespace !== undefined && each.namespace !== undefined && each.namespace !== namespace) return false;
    if (!mayRunPods(each)) return false;
    const kind = each.kind.toLowerCase();
    if (pairs.some(([, value]) => value === each.name || value.toLowerCase() === kind)) return true;
    return labelMaps(each).some((labels) => pairs.every(([key, value]) => labels[key] === value));
  });
}
