import type { FieldPath, JsonObject } from '../core/resource.js';
import { definePolicy, type RawFinding } from './types.js';
import { asArray, asNumber, asObject, asString } from './util/json.js';

/** Every service backend of an Ingress with its path: the default backend and each rule path. */
function backends(spec: JsonObject): { service: JsonObject; path: FieldPath }[] {
  const out: { service: JsonObject; path: FieldPath }[] = [];
  const service = asObject(asObject(spec.defaultBackend)?.service);
  if (service) out.push({ service, path: ['spec', 'defaultBackend', 'service'] });
  asArray(spec.rules).forEach((rule, i) => {
    asArray(asObject(asObject(rule)?.http)?.paths).forEach((entry, j) => {
      const each = asObject(asObject(asObject(entry)?.backend)?.service);
      if (each)
        out.push({ service: each, path: ['spec', 'rules', i, 'http', 'paths', j, 'backend', 'service'] });
    });
  });
  return out;
}

export const ingressBackendPolicy = definePolicy<Record<string, never>>({
  id: 'ingress-backend',
  description:
    'Each Ingress backend names a Service of the overlay and a port (name or number) that Service has.',
  remediation:
    'Point backend.service.name at the rendered Service and backend.service.port at one of its ports (name or port number).',
  defaultSeverity: 'error',
  kinds: ['Ingress'],
  options: {},
  messages: {
    serviceMissing:
      'the backend names Service {{service}}, which this overlay does not render in namespace {{namespace}}.',
    portMissing: 'the backend names port {{port}} of Service {{service}}, which has only {{ports}}.',
  },
  docs: {
    rationale:
      'The ingress controller accepts a backend that does not exist and answers 503 for its paths. kustomize renames ' +
      'backend service names with namePrefix/nameSuffix, but not a port whose name changed, nor a Service that only ' +
      'another overlay renders.',
    failing: `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: triage-ingress, namespace: triage}
spec:
  ingressClassName: webapprouting.kubernetes.azure.com
  rules:
    - http:
        paths:
          - path: /api
            pathType: Prefix
            backend: {service: {name: triage-backend, port: {number: 80}}}
---
apiVersion: v1
kind: Service
metadata: {name: triage-backend, namespace: triage}
spec:
  selector: {app: triage-backend}
  ports: [{name: http, port: 8000, targetPort: http}]`,
    passing: `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: triage-ingress, namespace: triage}
spec:
  ingressClassName: webapprouting.kubernetes.azure.com
  rules:
    - http:
        paths:
          - path: /api
            pathType: Prefix
            backend: {service: {name: triage-backend, port: {name: http}}}
---
apiVersion: v1
kind: Service
metadata: {name: triage-backend, namespace: triage}
spec:
  selector: {app: triage-backend}
  ports: [{name: http, port: 8000, targetPort: http}]`,
  },
  check(resource, ctx) {
    const findings: RawFinding[] = [];
    for (const { service, path } of backends(asObject(resource.body.spec) ?? {})) {
      const name = asString(service.name) ?? '';
      const target = ctx.find('Service', name, resource.namespace);
      if (!target) {
        findings.push({
          messageId: 'serviceMissing',
          data: { service: name || '(none)', namespace: resource.namespace ?? '(none)' },
          path: [...path, 'name'],
        });
        continue;
      }
      const port = asObject(service.port);
      const portName = asString(port?.name);
      const portNumber = asNumber(port?.number);
      const ports = asArray(asObject(target.body.spec)?.ports).map((each) => asObject(each) ?? {});
      const found = ports.some((each) =>
        portName !== undefined ? asString(each.name) === portName : asNumber(each.port) === portNumber,
      );
      if (!found) {
        findings.push({
          messageId: 'portMissing',
          data: {
            port: portName ?? String(portNumber ?? '(none)'),
            service: name,
            ports:
              ports
                .map((each) =>
                  each.name ? `${String(each.name)} (${String(each.port)})` : String(each.port),
                )
                .join(', ') || 'no ports',
          },
          path: [...path, 'port', portName !== undefined ? 'name' : 'number'],
        });
      }
    }
    return findings;
  },
});
