import { definePolicy } from './types.js';
import { checkObjectReferences, OBJECT_REF_MESSAGES, objectRefDocs } from './util/object-ref.js';
import { WORKLOAD_KINDS } from './util/workload.js';

export const configmapRefPolicy = definePolicy<Record<string, never>>({
  id: 'configmap-ref',
  description:
    'Every ConfigMap a pod reads (envFrom, env valueFrom, volumes, projected sources) is rendered by the overlay, with the keys read.',
  remediation:
    'Render the ConfigMap in the same kustomization tree (configMapGenerator or a resource), fix the name or key, or mark ' +
    'the reference optional: true if the pod can run without it.',
  defaultSeverity: 'error',
  kinds: [...WORKLOAD_KINDS],
  options: {},
  messages: OBJECT_REF_MESSAGES,
  docs: {
    ...objectRefDocs('ConfigMap'),
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
          envFrom: [{configMapRef: {name: triage-settings}}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: triage-config-ddk9b25d77, namespace: triage}
data: {LOG_LEVEL: info}`,
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
          envFrom: [{configMapRef: {name: triage-config-ddk9b25d77}}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: triage-config-ddk9b25d77, namespace: triage}
data: {LOG_LEVEL: info}`,
  },
  check: (resource, ctx) => checkObjectReferences('ConfigMap', resource, ctx),
});
