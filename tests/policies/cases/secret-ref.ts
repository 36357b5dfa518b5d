import { secretRefPolicy } from '../../../scripts/policies/secret-ref.js';
import { deploymentPatch, kustomization, type PolicyCases, prodKustomization } from '../harness.js';

const keyRef = (name: string, key: string, optional = false) =>
  deploymentPatch(
    `containers:\n  - name: backend\n    env:\n      - name: CREDENTIAL\n        valueFrom:\n          secretKeyRef:\n            name: ${name}\n            key: ${key}${optional ? '\n            optional: true' : ''}`,
  );

export const cases: PolicyCases = {
  policy: secretRefPolicy,
  valid: [
    { name: 'dev: the generated placeholder Secret' },
    { name: 'prod: the Secret synced by the SecretProviderClass', env: 'prod' },
    {
      name: 'prod: a key of the synced Secret',
      env: 'prod',
      files: {
        'overlays/prod/kustomization.yaml': prodKustomization({ patches: ['env.yaml'] }),
        'overlays/prod/env.yaml': keyRef('triage-secrets', 'AZURE_OPENAI_API_KEY'),
      },
    },
    {
      name: 'an optional Secret nobody renders',
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['env.yaml'] }),
        'overlays/dev/env.yaml': keyRef('extra-credentials', 'TOKEN', true),
      },
    },
  ],
  invalid: [
    {
      name: 'a secretKeyRef to a Secret that does not exist',
      located: ['missing overlays/dev/env.yaml:14'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ nameSuffix: '-v2', patches: ['env.yaml'] }),
        'overlays/dev/env.yaml': keyRef('triage-credentials', 'AZURE_OPENAI_API_KEY'),
      },
      errors: [
        {
          messageId: 'missing',
          object: 'Deployment/triage-backend-v2',
          path: 'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name',
          data: { name: 'triage-credentials' },
        },
      ],
    },
    {
      name: 'a key the generated Secret lacks',
      located: ['keyMissing overlays/dev/env.yaml:15'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['env.yaml'] }),
        'overlays/dev/env.yaml': keyRef('triage-secrets', 'DATABASE_URL'),
      },
      errors: [
        {
          messageId: 'keyMissing',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.key',
          data: { key: 'DATABASE_URL' },
        },
      ],
    },
    {
      name: 'a missing key that carries a value is shown as the marker',
      located: ['keyMissing overlays/dev/env.yaml:15'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['env.yaml'] }),
        'overlays/dev/env.yaml': keyRef('triage-secrets', '"DATABASE_URL planted-Jr6Wc2Ty"'),
      },
      secrets: ['planted-Jr6Wc2Ty'],
      errors: [
        {
          messageId: 'keyMissing',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.key',
          data: { key: '<redacted: invalid key>' },
        },
      ],
    },
    {
      name: 'an image pull Secret the overlay does not render',
      located: ['missing overlays/dev/pull.yaml:9'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['pull.yaml'] }),
        'overlays/dev/pull.yaml': deploymentPatch('imagePullSecrets:\n  - name: acr-pull'),
      },
      errors: [
        {
          messageId: 'missing',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.imagePullSecrets[0].name',
        },
      ],
    },
    {
      name: 'a sibling kustomization keeps the unhashed name',
      located: ['notRewritten overlays/dev/worker/job.yaml:16'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ resources: ['../../base', 'worker'] }),
        'overlays/dev/worker/kustomization.yaml': 'resources:\n  - job.yaml\n',
        'overlays/dev/worker/job.yaml': `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: triageacr.azurecr.io/triage-migrate:1.0.0
          volumeMounts: [{name: creds, mountPath: /creds, readOnly: true}]
      volumes:
        - name: creds
          secret:
            secretName: triage-secrets
`,
      },
      errors: [
        {
          messageId: 'notRewritten',
          object: 'Job/migrate',
          path: 'spec.template.spec.volumes[0].secret.secretName',
          data: { name: 'triage-secrets' },
        },
      ],
    },
  ],
};
