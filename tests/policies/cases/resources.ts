import { resourcesPolicy } from '../../../scripts/policies/resources.js';
import { deploymentPatch, kustomization, type PolicyCases } from '../harness.js';

export const cases: PolicyCases = {
  policy: resourcesPolicy,
  valid: [
    { name: 'the fixture' },
    {
      name: 'an init container with requests and a memory limit',
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['init.yaml'] }),
        'overlays/dev/init.yaml': deploymentPatch(
          'initContainers:\n  - name: wait\n    image: busybox:1.36.1\n    resources:\n      requests: {cpu: 10m, memory: 16Mi}\n      limits: {memory: 32Mi}',
        ),
      },
    },
  ],
  invalid: [
    {
      name: 'a patch drops the CPU request',
      located: ['cpuRequestMissing overlays/dev/res.yaml:12'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ nameSuffix: '-v2', patches: ['res.yaml'] }),
        'overlays/dev/res.yaml': deploymentPatch(
          'containers:\n  - name: backend\n    resources:\n      requests:\n        cpu: null',
        ),
      },
      errors: [
        {
          messageId: 'cpuRequestMissing',
          object: 'Deployment/triage-backend-v2',
          path: 'spec.template.spec.containers[0].resources.requests.cpu',
          data: { container: 'backend' },
        },
      ],
    },
    {
      name: 'an init container with no resources at all',
      located: [
        'cpuRequestMissing overlays/dev/init.yaml:9',
        'memoryLimitMissing overlays/dev/init.yaml:9',
        'memoryRequestMissing overlays/dev/init.yaml:9',
      ],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['init.yaml'] }),
        'overlays/dev/init.yaml': deploymentPatch(
          'initContainers:\n  - name: wait\n    image: busybox:1.36.1',
        ),
      },
      errors: [
        {
          messageId: 'cpuRequestMissing',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.initContainers[0].resources.requests.cpu',
        },
        {
          messageId: 'memoryRequestMissing',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.initContainers[0].resources.requests.memory',
        },
        {
          messageId: 'memoryLimitMissing',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.initContainers[0].resources.limits.memory',
        },
      ],
    },
  ],
};
