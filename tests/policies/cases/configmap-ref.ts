import { configmapRefPolicy } from '../../../scripts/policies/configmap-ref.js';
import { deploymentPatch, kustomization, type PolicyCases } from '../harness.js';

const keyRef = (name: string, key: string, optional = false) =>
  deploymentPatch(
    `containers:\n  - name: backend\n    env:\n      - name: SETTING\n        valueFrom:\n          configMapKeyRef:\n            name: ${name}\n            key: ${key}${optional ? '\n            optional: true' : ''}`,
  );

export const cases: PolicyCases = {
  policy: configmapRefPolicy,
  valid: [
    { name: 'the generated ConfigMap, hash suffix rewritten by kustomize' },
    {
      name: 'a key the generator produces, in a prefixed overlay',
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ namePrefix: 'stg-', patches: ['env.yaml'] }),
        'overlays/dev/env.yaml': keyRef('triage-config', 'LOG_LEVEL'),
      },
    },
    {
      name: 'an optional reference to a ConfigMap nobody renders',
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['env.yaml'] }),
        'overlays/dev/env.yaml': keyRef('feature-flags', 'FLAGS', true),
      },
    },
  ],
  invalid: [
    {
      name: 'a key the ConfigMap lacks',
      located: ['keyMissing overlays/dev/env.yaml:15'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['env.yaml'] }),
        'overlays/dev/env.yaml': keyRef('triage-config', 'MISSING_KEY'),
      },
      errors: [
        {
          messageId: 'keyMissing',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.containers[0].env[0].valueFrom.configMapKeyRef.key',
          data: { key: 'MISSING_KEY', via: 'env SETTING of container backend' },
        },
      ],
    },
    {
      name: 'a volume of a ConfigMap the overlay does not render',
      located: ['missing overlays/dev/volume.yaml:11'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({
          namespace: 'triage-dev',
          patches: ['volume.yaml'],
        }),
        'overlays/dev/volume.yaml': deploymentPatch(
          'volumes:\n  - name: nginx\n    configMap:\n      name: nginx-config',
        ),
      },
      errors: [
        {
          messageId: 'missing',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.volumes[0].configMap.name',
          data: { name: 'nginx-config', namespace: 'triage-dev', via: 'volume nginx' },
        },
      ],
    },
    {
      name: 'a workload from a sibling kustomization keeps the unhashed, unprefixed name',
      located: ['notRewritten overlays/dev/worker/worker.yaml:17'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({
          namePrefix: 'stg-',
          resources: ['../../base', 'worker'],
        }),
        'overlays/dev/worker/kustomization.yaml': 'resources:\n  - worker.yaml\n',
        'overlays/dev/worker/worker.yaml': `apiVersion: batch/v1
kind: CronJob
metadata:
  name: cleanup
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: cleanup
              image: triageacr.azurecr.io/triage-cleanup:1.0.0
              envFrom:
                - configMapRef:
                    name: triage-config
`,
      },
      errors: [
        {
          messageId: 'notRewritten',
          object: 'CronJob/stg-cleanup',
          path: 'spec.jobTemplate.spec.template.spec.containers[0].envFrom[0].configMapRef.name',
          data: { name: 'triage-config' },
        },
      ],
    },
  ],
};
