import { definePolicy } from './types.js';
import { asString } from './util/json.js';
import { podTemplate, WORKLOAD_KINDS } from './util/workload.js';

export const serviceaccountExistsPolicy = definePolicy<{ external: string[] }>({
  id: 'serviceaccount-exists',
  description:
    'A pod’s serviceAccountName names a ServiceAccount the overlay renders (the namespace’s default excepted).',
  remediation:
    'Render the ServiceAccount in the same kustomization tree (namePrefix renames both), fix the name, or list a ' +
    'ServiceAccount created outside this repository in the rule’s `external` option.',
  defaultSeverity: 'error',
  kinds: [...WORKLOAD_KINDS],
  options: {
    external: {
      description:
        'ServiceAccount names created outside this repository (by the platform team or an operator).',
      schema: { type: 'array', items: { type: 'string' } },
      default: [],
    },
  },
  messages: {
    missing:
      'the pod runs as ServiceAccount {{sa}}, which this overlay does not render in namespace {{namespace}}.',
  },
  docs: {
    rationale:
      'The ReplicaSet controller cannot create pods for a ServiceAccount that does not exist (`error looking up service ' +
      'account`): the Deployment applies and then never gets a pod. Workload identity also hangs on the ServiceAccount, ' +
      'so it must come from this repository with its annotations.',
    failing: `apiVersion: apps/v1
kind: Deployment
metadata: {name: triage-backend, namespace: triage}
spec:
  selector: {matchLabels: {app: triage-backend}}
  template:
    metadata: {labels: {app: triage-backend}}
    spec:
      serviceAccountName: triage-api
      containers: [{name: backend, image: triageacr.azurecr.io/triage-backend:1.4.0}]`,
    passing: `apiVersion: apps/v1
kind: Deployment
metadata: {name: triage-backend, namespace: triage}
spec:
  selector: {matchLabels: {app: triage-backend}}
  template:
    metadata: {labels: {app: triage-backend}}
    spec:
      serviceAccountName: triage-backend
      containers: [{name: backend, image: triageacr.azurecr.io/triage-backend:1.4.0}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: triage-backend, namespace: triage}`,
  },
  check(resource, ctx) {
    const pod = podTemplate(resource);
    if (!pod) return [];
    const field =
      asString(pod.spec.serviceAccountName) !== undefined ? 'serviceAccountName' : 'serviceAccount';
    const name = asString(pod.spec[field]);
    if (name === undefined || name === 'default' || ctx.options.external.includes(name)) return [];
    if (ctx.find('ServiceAccount', name, resource.namespace)) return [];
    return [
      {
        messageId: 'missing',
        data: { sa: name, namespace: resource.namespace ?? '(none)' },
        path: [...pod.specPath, field],
      },
    ];
  },
});
