import { probesPolicy } from '../../../scripts/policies/probes.js';
import { deploymentPatch, kustomization, type PolicyCases } from '../harness.js';

const container = 'spec.template.spec.containers[0]';
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
      name: 'probe ports the container does not declare',
      located: ['portUnresolved overlays/dev/probes.yaml:12', 'portUnresolved overlays/dev/probes.yaml:15'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['probes.yaml'] }),
        'overlays/dev/probes.yaml': probePatch(
          'livenessProbe:\n  httpGet:\n    port: web\nstartupProbe:\n  tcpSocket:\n    port: 9000',
        ),
      },
      errors: [
        {
          messageId: 'portUnresolved',
          object: 'Deployment/triage-backend',
          path: `${container}.livenessProbe.httpGet.port`,
          data: { port: 'web', probe: 'livenessProbe' },
        },
        {
          messageId: 'portUnresolved',
          object: 'Deployment/triage-backend',
          path: `${container}.startupProbe.tcpSocket.port`,
          data: { port: '9000' },
        },
      ],
    },
  ],
};
