import { hpaRequestsPolicy } from '../../../scripts/policies/hpa-requests.js';
import { deploymentPatch, kustomization, type PolicyCases } from '../harness.js';

const memoryMetric = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: triage-backend-hpa
spec:
  metrics:
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: 70
`;

export const cases: PolicyCases = {
  policy: hpaRequestsPolicy,
  valid: [
    { name: 'the fixture requests CPU' },
    {
      name: 'an HPA on memory with memory requested',
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['memory.yaml'] }),
        'overlays/dev/memory.yaml': memoryMetric,
      },
    },
    {
      name: 'no HPA targets the workload',
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['no-cpu.yaml', 'no-hpa.yaml'] }),
        'overlays/dev/no-cpu.yaml': deploymentPatch(
          'containers:\n  - name: backend\n    resources:\n      requests:\n        cpu: null',
        ),
        'overlays/dev/no-hpa.yaml':
          '$patch: delete\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: triage-backend-hpa\n',
      },
    },
  ],
  invalid: [
    {
      name: 'a patch drops the CPU request (name suffix)',
      located: ['requestMissing overlays/dev/no-cpu.yaml:12'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ nameSuffix: '-v2', patches: ['no-cpu.yaml'] }),
        'overlays/dev/no-cpu.yaml': deploymentPatch(
          'containers:\n  - name: backend\n    resources:\n      requests:\n        cpu: null',
        ),
      },
      errors: [
        {
          messageId: 'requestMissing',
          object: 'Deployment/triage-backend-v2',
          path: 'spec.template.spec.containers[0].resources.requests.cpu',
          data: { container: 'backend', resource: 'cpu', hpa: 'triage-backend-hpa-v2' },
        },
      ],
    },
    {
      name: 'a sidecar without a memory request under a memory HPA',
      located: ['requestMissing overlays/dev/sidecar.yaml:12'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['sidecar.yaml', 'memory.yaml'] }),
        'overlays/dev/sidecar.yaml': deploymentPatch(
          'containers:\n  - name: proxy\n    image: envoyproxy/envoy:v1.31.0\n    resources:\n      requests:\n        cpu: 50m',
        ),
        'overlays/dev/memory.yaml': memoryMetric,
      },
      // Strategic merge puts the new container first.
      errors: [
        {
          messageId: 'requestMissing',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.containers[0].resources.requests.memory',
          data: { container: 'proxy', resource: 'memory' },
        },
      ],
    },
  ],
};
