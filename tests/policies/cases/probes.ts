import { probesPolicy } from '../../../scripts/policies/probes.js';
import { deploymentPatch, kustomization, type PolicyCases } from '../harness.js';

const container = 'spec.template.spec.containers[0]';

/** A Deployment that serves nothing (a load generator): no ports, a liveness probe, no readiness probe. */
const worker = (ports = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: loadgen
spec:
  selector:
    matchLabels: {app: loadgen}
  template:
    metadata:
      labels: {app: loadgen}
    spec:
      containers:
        - name: main
          image: triageacr.azurecr.io/loadgen:1.0.0
${ports}          livenessProbe:
            exec: {command: [cat, /tmp/alive]}
`;
const workerService = `apiVersion: v1
kind: Service
metadata:
  name: loadgen
spec:
  selector: {app: loadgen}
  ports:
    - port: 8089
`;
const probePatch = (probes: string) =>
  deploymentPatch(`containers:\n  - name: backend\n${probes.replace(/^/gm, '    ')}`);

export const cases: PolicyCases = {
  policy: probesPolicy,
  valid: [
    { name: 'the fixture' },
    {
      name: 'a Job needs no probes',
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ resources: ['../../base', 'job.yaml'] }),
        'overlays/dev/job.yaml':
          'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n        - name: migrate\n          image: triageacr.azurecr.io/triage-migrate:1.0.0\n',
      },
    },
    {
      name: 'probes on the port number',
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['probes.yaml'] }),
        'overlays/dev/probes.yaml': probePatch(
          'readinessProbe:\n  httpGet:\n    port: 8000\nlivenessProbe:\n  tcpSocket:\n    port: 8000\n  httpGet: null',
        ),
      },
    },
  ],
  invalid: [
    {
      // Readiness gates only what Services route (and rollouts): a warning, not an error.
      name: 'a container with no ports that no Service selects has no readiness probe',
      located: ['readinessUnrouted overlays/dev/worker.yaml:13'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ resources: ['../../base', 'worker.yaml'] }),
        'overlays/dev/worker.yaml': worker(),
      },
      errors: [
        {
          messageId: 'readinessUnrouted',
          object: 'Deployment/loadgen',
          path: `${container}.readinessProbe`,
          data: { container: 'main' },
        },
      ],
    },
    {
      name: 'the same container behind a Service needs a readiness probe',
      located: ['readinessMissing overlays/dev/worker.yaml:13'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({
          resources: ['../../base', 'worker.yaml', 'service.yaml'],
        }),
        'overlays/dev/worker.yaml': worker(),
        'overlays/dev/service.yaml': workerService,
      },
      errors: [
        { messageId: 'readinessMissing', object: 'Deployment/loadgen', path: `${container}.readinessProbe` },
      ],
    },
    {
      name: 'a container that declares a port (something may route to it) needs a readiness probe',
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ resources: ['../../base', 'worker.yaml'] }),
        'overlays/dev/worker.yaml': worker('          ports: [{containerPort: 8089}]\n'),
      },
      errors: [
        { messageId: 'readinessMissing', object: 'Deployment/loadgen', path: `${container}.readinessProbe` },
      ],
    },
    {
      name: 'a patch drops the readiness probe',
      located: ['readinessMissing overlays/dev/probes.yaml:10'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ namePrefix: 'stg-', patches: ['probes.yaml'] }),
        'overlays/dev/probes.yaml': probePatch('readinessProbe: null'),
      },
      errors: [
        {
          messageId: 'readinessMissing',
          object: 'Deployment/stg-triage-backend',
          path: `${container}.readinessProbe`,
          data: { container: 'backend' },
        },
      ],
    },
    {
      name: 'a patch drops the liveness probe',
      located: ['livenessMissing overlays/dev/probes.yaml:10'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['probes.yaml'] }),
        'overlays/dev/probes.yaml': probePatch('livenessProbe: null'),
      },
      errors: [
        {
          messageId: 'livenessMissing',
          object: 'Deployment/triage-backend',
          path: `${container}.livenessProbe`,
        },
      ],
    },
    {
      name: 'a probe port name the container does not declare (the probe never succeeds)',
      located: ['portUnresolved overlays/dev/probes.yaml:12'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['probes.yaml'] }),
        'overlays/dev/probes.yaml': probePatch('livenessProbe:\n  httpGet:\n    port: web'),
      },
      errors: [
        {
          messageId: 'portUnresolved',
          object: 'Deployment/triage-backend',
          path: `${container}.livenessProbe.httpGet.port`,
          data: { port: 'web', probe: 'livenessProbe' },
        },
      ],
    },
    {
      // The kubelet probes the pod IP on a number whether or not containerPort declares it.
      name: 'probe port numbers the container does not declare are only undeclared (tcpSocket, httpGet, grpc)',
      located: [
        'portUndeclared overlays/dev/probes.yaml:12',
        'portUndeclared overlays/dev/probes.yaml:16',
        'portUndeclared overlays/dev/probes.yaml:19',
      ],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['probes.yaml'] }),
        'overlays/dev/probes.yaml': probePatch(
          'readinessProbe:\n  httpGet:\n    port: 9090\nlivenessProbe:\n  httpGet: null\n  grpc:\n    port: 9091\nstartupProbe:\n  tcpSocket:\n    port: 9000',
        ),
      },
      errors: [
        {
          messageId: 'portUndeclared',
          object: 'Deployment/triage-backend',
          path: `${container}.readinessProbe.httpGet.port`,
          data: { port: '9090', probe: 'readinessProbe' },
        },
        {
          messageId: 'portUndeclared',
          object: 'Deployment/triage-backend',
          path: `${container}.livenessProbe.grpc.port`,
          data: { port: '9091', probe: 'livenessProbe' },
        },
        {
          messageId: 'portUndeclared',
          object: 'Deployment/triage-backend',
          path: `${container}.startupProbe.tcpSocket.port`,
          data: { port: '9000', probe: 'startupProbe', container: 'backend' },
        },
      ],
    },
  ],
};
