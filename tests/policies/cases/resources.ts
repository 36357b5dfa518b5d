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
      name: 'a patch removes an app container’s resources',
      // The patch's `resources: null` removed them: that line is the edit.
      located: [
        'cpuRequestMissing overlays/dev/res.yaml:10',
        'memoryLimitMissing overlays/dev/res.yaml:10',
        'memoryRequestMissing overlays/dev/res.yaml:10',
      ],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['res.yaml'] }),
        'overlays/dev/res.yaml': deploymentPatch('containers:\n  - name: backend\n    resources: null'),
      },
      errors: [
        {
          messageId: 'cpuRequestMissing',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.containers[0].resources.requests.cpu',
        },
        {
          messageId: 'memoryRequestMissing',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.containers[0].resources.requests.memory',
        },
        {
          messageId: 'memoryLimitMissing',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.containers[0].resources.limits.memory',
        },
      ],
    },
    {
      // Its request counts only while it runs: a warning (warningOnly), worded as such.
      name: 'an init container with no resources at all',
      located: [
        'initCpuRequestMissing overlays/dev/init.yaml:9',
        'initMemoryLimitMissing overlays/dev/init.yaml:9',
        'initMemoryRequestMissing overlays/dev/init.yaml:9',
      ],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['init.yaml'] }),
        'overlays/dev/init.yaml': deploymentPatch(
          'initContainers:\n  - name: wait\n    image: busybox:1.36.1',
        ),
      },
      errors: [
        {
          messageId: 'initCpuRequestMissing',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.initContainers[0].resources.requests.cpu',
        },
        {
          messageId: 'initMemoryRequestMissing',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.initContainers[0].resources.requests.memory',
        },
        {
          messageId: 'initMemoryLimitMissing',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.initContainers[0].resources.limits.memory',
        },
      ],
    },
    {
      // A native sidecar runs beside the app for the pod's life: its requests add to the pod's.
      name: 'a native sidecar (init container with restartPolicy Always) is checked like an app container',
      located: ['cpuRequestMissing overlays/dev/init.yaml:13'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['init.yaml'] }),
        'overlays/dev/init.yaml': deploymentPatch(
          'initContainers:\n  - name: proxy\n    image: busybox:1.36.1\n    restartPolicy: Always\n    resources:\n      requests: {memory: 16Mi}\n      limits: {memory: 32Mi}',
        ),
      },
      errors: [
        {
          messageId: 'cpuRequestMissing',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.initContainers[0].resources.requests.cpu',
          data: { container: 'proxy' },
        },
      ],
    },
  ],
};
