import { serviceSelectorPolicy } from '../../../scripts/policies/service-selector.js';
import { kustomization, type PolicyCases } from '../harness.js';

const servicePatch = (spec: string) => `apiVersion: v1
kind: Service
metadata:
  name: triage-backend
spec:
${spec}
`;

/** A StatefulSet `web` (3 replicas, ordinals from 0) with its headless Service. */
const statefulSet = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: triageacr.azurecr.io/triage-web:1.0.0
          ports:
            - name: http
              containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  clusterIP: None
  selector:
    app: web
  ports:
    - name: http
      port: 8080
      targetPort: http
`;

/** A Service `name` selecting `selector` (YAML map lines), on port 8080 by name. */
const service = (name: string, selector: string) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector:
${selector.replace(/^/gm, '    ')}
  ports:
    - name: http
      port: 8080
      targetPort: http
`;

/** An overlay adding these files (each a resource) to the fixture base. */
const withResources = (files: Record<string, string>, fields: { namePrefix?: string } = {}) => ({
  'overlays/dev/kustomization.yaml': kustomization({
    ...fields,
    resources: ['../../base', ...Object.keys(files)],
  }),
  ...Object.fromEntries(Object.entries(files).map(([file, text]) => [`overlays/dev/${file}`, text])),
});

export const cases: PolicyCases = {
  policy: serviceSelectorPolicy,
  valid: [
    { name: 'the fixture' },
    {
      name: 'labels with includeSelectors: true reach selector and template alike (prefixed)',
      files: {
        'overlays/dev/kustomization.yaml': kustomization({
          namePrefix: 'stg-',
          extra: 'labels:\n  - pairs:\n      tier: api\n    includeSelectors: true',
        }),
      },
    },
    {
      name: 'a numeric targetPort the container declares',
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['svc.yaml'] }),
        'overlays/dev/svc.yaml': servicePatch('  ports:\n    - port: 8000\n      targetPort: 8000'),
      },
    },
    {
      // The StatefulSet controller adds statefulset.kubernetes.io/pod-name and apps.kubernetes.io/pod-index.
      name: 'per-pod Services of a StatefulSet, by pod name and by pod index, within its replicas',
      files: withResources({
        'web.yaml': statefulSet,
        'web-0.yaml': service('web-0', 'statefulset.kubernetes.io/pod-name: web-0'),
        'web-2.yaml': service('web-2', 'app: web\napps.kubernetes.io/pod-index: "2"'),
      }),
    },
  ],
  invalid: [
    {
      name: 'a per-pod Service past the StatefulSet’s replicas may get its pod once scaled: a warning',
      located: ['podsFromController overlays/dev/web-5.yaml:6'],
      files: withResources({
        'web.yaml': statefulSet,
        'web-5.yaml': service('web-5', 'statefulset.kubernetes.io/pod-name: web-5'),
      }),
      errors: [
        {
          messageId: 'podsFromController',
          object: 'Service/web-5',
          path: 'spec.selector',
          data: { selector: 'statefulset.kubernetes.io/pod-name=web-5' },
        },
      ],
    },
    {
      name: 'a per-pod selector naming the StatefulSet before namePrefix renamed it matches nothing',
      located: ['noMatch overlays/dev/web-0.yaml:6'],
      files: withResources(
        {
          'web.yaml': statefulSet,
          'web-0.yaml': service('web-0', 'statefulset.kubernetes.io/pod-name: web-0'),
        },
        { namePrefix: 'stg-' },
      ),
      errors: [{ messageId: 'noMatch', object: 'Service/stg-web-0', path: 'spec.selector' }],
    },
    {
      name: 'labels a controller sets at run time (revision hash, pod-template-hash, job name): a warning',
      located: [
        'podsFromController overlays/dev/by-hash.yaml:6',
        'podsFromController overlays/dev/by-revision.yaml:6',
        'podsFromController overlays/dev/by-job.yaml:6',
      ],
      files: withResources({
        'web.yaml': statefulSet,
        'job.yaml':
          'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n        - name: migrate\n          image: triageacr.azurecr.io/triage-migrate:1.0.0\n',
        'by-revision.yaml': service('by-revision', 'app: web\ncontroller-revision-hash: web-7d9c8b6f5'),
        'by-hash.yaml': service('by-hash', 'app: triage-backend\npod-template-hash: 5d8f7c9b4'),
        'by-job.yaml': service('by-job', 'batch.kubernetes.io/job-name: migrate'),
      }),
      errors: [
        {
          messageId: 'podsFromController',
          object: 'Service/by-revision',
          path: 'spec.selector',
          data: {
            sources:
              'StatefulSet web (controller-revision-hash is a revision hash, set by the StatefulSet controller when it creates the pods)',
          },
        },
        { messageId: 'podsFromController', object: 'Service/by-hash', path: 'spec.selector' },
        { messageId: 'podsFromController', object: 'Service/by-job', path: 'spec.selector' },
      ],
    },
    {
      name: 'pods an operator creates from a custom resource (Prometheus, Alertmanager, any CR with pod labels): a warning',
      located: [
        'podsFromCustomResource overlays/dev/alertmanager-svc.yaml:6',
        'podsFromCustomResource overlays/dev/prometheus-svc.yaml:6',
        'podsFromCustomResource overlays/dev/widget-svc.yaml:6',
      ],
      files: withResources({
        'monitoring.yaml':
          'apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata:\n  name: k8s\nspec:\n  replicas: 2\n---\napiVersion: monitoring.coreos.com/v1\nkind: Alertmanager\nmetadata:\n  name: main\nspec:\n  replicas: 3\n',
        'widget.yaml':
          'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: gadget\nspec:\n  podTemplate:\n    metadata:\n      labels:\n        app: widget\n',
        'prometheus-svc.yaml': service(
          'prometheus-k8s',
          'prometheus: k8s\napp.kubernetes.io/name: prometheus',
        ),
        'alertmanager-svc.yaml': service('alertmanager-main', 'alertmanager: main'),
        'widget-svc.yaml': service('widget', 'app: widget'),
      }),
      errors: [
        {
          messageId: 'podsFromCustomResource',
          object: 'Service/prometheus-k8s',
          path: 'spec.selector',
          data: { sources: 'Prometheus k8s (monitoring.coreos.com/v1)' },
        },
        {
          messageId: 'podsFromCustomResource',
          object: 'Service/alertmanager-main',
          path: 'spec.selector',
          data: { sources: 'Alertmanager main (monitoring.coreos.com/v1)' },
        },
        {
          messageId: 'podsFromCustomResource',
          object: 'Service/widget',
          path: 'spec.selector',
          data: { sources: 'Widget gadget (example.com/v1)' },
        },
      ],
    },
    {
      name: 'a ServiceMonitor labelled like the selector, or an unrelated custom resource, hides no mismatch',
      located: ['noMatch overlays/dev/api-svc.yaml:6'],
      files: withResources({
        'monitor.yaml':
          'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: triage-api\n  labels:\n    app: triage-api\nspec:\n  selector:\n    matchLabels:\n      app: triage-api\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: gadget\nspec:\n  size: 1\n',
        'api-svc.yaml': service('triage-api-svc', 'app: triage-api'),
      }),
      errors: [
        {
          messageId: 'noMatch',
          object: 'Service/triage-api-svc',
          path: 'spec.selector',
          data: { selector: 'app=triage-api' },
        },
      ],
    },
    {
      name: 'a selector on a label kustomize put on metadata only (includeSelectors: false)',
      located: ['noMatch overlays/dev/svc.yaml:6'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({
          patches: ['svc.yaml'],
          extra: 'labels:\n  - pairs:\n      environment: dev\n    includeSelectors: false',
        }),
        'overlays/dev/svc.yaml': servicePatch('  selector:\n    environment: dev'),
      },
      errors: [{ messageId: 'noMatch', object: 'Service/triage-backend', path: 'spec.selector' }],
    },
    {
      name: 'a targetPort name the containers do not declare',
      located: ['targetPortMissing overlays/dev/svc.yaml:8'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['svc.yaml'] }),
        'overlays/dev/svc.yaml': servicePatch('  ports:\n    - port: 8000\n      targetPort: web'),
      },
      errors: [
        {
          messageId: 'targetPortMissing',
          object: 'Service/triage-backend',
          path: 'spec.ports[0].targetPort',
          data: { target: 'web', workloads: 'Deployment triage-backend' },
        },
      ],
    },
    {
      // The endpoints controller uses a number as given; containerPort only documents it.
      name: 'a numeric targetPort no container declares is only undeclared',
      located: ['targetPortUndeclared overlays/dev/svc.yaml:8'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['svc.yaml'] }),
        'overlays/dev/svc.yaml': servicePatch('  ports:\n    - port: 8000\n      targetPort: 9000'),
      },
      errors: [
        {
          messageId: 'targetPortUndeclared',
          object: 'Service/triage-backend',
          path: 'spec.ports[0].targetPort',
          data: { target: '9000' },
        },
      ],
    },
  ],
};
