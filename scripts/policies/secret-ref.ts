import { definePolicy } from './types.js';
import { checkObjectReferences, OBJECT_REF_MESSAGES, objectRefDocs } from './util/object-ref.js';
import { WORKLOAD_KINDS } from './util/workload.js';

export const secretRefPolicy = definePolicy<Record<string, never>>({
  id: 'secret-ref',
  description:
    'Every Secret a pod reads (envFrom, env valueFrom, volumes, projected sources, imagePullSecrets) is rendered by the overlay or synced by a SecretProviderClass.',
  remediation:
    'Render the Secret (secretGenerator with placeholders outside prod), sync it with a SecretProviderClass’s secretObjects, ' +
    'fix the name or key, or mark the reference optional: true if the pod can run without it.',
  defaultSeverity: 'error',
  kinds: [...WORKLOAD_KINDS],
  options: {},
  messages: OBJECT_REF_MESSAGES,
  docs: {
    ...objectRefDocs('Secret'),
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
          env:
            - name: AZURE_OPENAI_API_KEY
              valueFrom: {secretKeyRef: {name: triage-credentials, key: AZURE_OPENAI_API_KEY}}`,
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
          env:
            - name: AZURE_OPENAI_API_KEY
              valueFrom: {secretKeyRef: {name: triage-secrets, key: AZURE_OPENAI_API_KEY}}
---
apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata: {name: triage-keyvault, namespace: triage}
spec:
  provider: azure
  secretObjects:
    - secretName: triage-secrets
      type: Opaque
      data: [{objectName: azure-openai-api-key, key: AZURE_OPENAI_API_KEY}]`,
  },
  check: (resource, ctx) => checkObjectReferences('Secret', resource, ctx),
});
