import { csiReferencesPolicy } from '../../../scripts/policies/csi-references.js';
import { deploymentPatch, kustomization, type PolicyCases, prodKustomization } from '../harness.js';

const spcPatch = (spec: string) => `apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata:
  name: triage-keyvault
spec:
${spec}
`;

const volume = 'spec.template.spec.volumes[0].csi.volumeAttributes.secretProviderClass';

export const cases: PolicyCases = {
  policy: csiReferencesPolicy,
  valid: [
    { name: 'the fixture prod overlay', env: 'prod' },
    {
      name: 'an aliased object synced under its alias',
      env: 'prod',
      files: {
        'overlays/prod/kustomization.yaml': prodKustomization({ patches: ['alias.yaml'] }),
        'overlays/prod/alias.yaml': spcPatch(
          '  parameters:\n    objects: |\n      array:\n        - |\n          objectName: azure-openai-api-key\n          objectAlias: openai-key\n          objectType: secret\n  secretObjects:\n    - secretName: triage-secrets\n      type: Opaque\n      data:\n        - objectName: openai-key\n          key: AZURE_OPENAI_API_KEY',
        ),
      },
    },
  ],
  invalid: [
    {
      name: 'namePrefix renames the class but not volumeAttributes (kustomize 3320)',
      located: ['spcRenamed components/keyvault-csi/deployment-csi-volume.yaml:23'],
      env: 'prod',
      files: { 'overlays/prod/kustomization.yaml': prodKustomization({ namePrefix: 'prod-' }) },
      errors: [
        {
          messageId: 'spcRenamed',
          object: 'Deployment/prod-triage-backend',
          path: volume,
          data: { name: 'triage-keyvault', rendered: 'prod-triage-keyvault' },
        },
      ],
    },
    {
      name: 'the component’s class lands outside the pod’s namespace (overlay without namespace:)',
      located: ['spcNamespace components/keyvault-csi/deployment-csi-volume.yaml:23'],
      env: 'prod',
      files: {
        'overlays/prod/kustomization.yaml': kustomization({
          components: ['../../components/keyvault-csi'],
          patches: ['hpa-patch.yaml', 'identity-patch.yaml'],
        }),
      },
      errors: [
        {
          messageId: 'spcNamespace',
          object: 'Deployment/triage-backend',
          path: volume,
          data: { name: 'triage-keyvault', actual: '(none)', namespace: 'triage' },
        },
      ],
    },
    {
      name: 'a volume names a class the overlay lacks',
      located: ['spcMissing overlays/prod/volume.yaml:12'],
      env: 'prod',
      files: {
        'overlays/prod/kustomization.yaml': prodKustomization({ patches: ['volume.yaml'] }),
        'overlays/prod/volume.yaml': deploymentPatch(
          'volumes:\n  - name: keyvault-secrets\n    csi:\n      volumeAttributes:\n        secretProviderClass: other-keyvault',
        ),
      },
      errors: [
        {
          messageId: 'spcMissing',
          object: 'Deployment/triage-backend',
          path: volume,
          data: { name: 'other-keyvault' },
        },
      ],
    },
    {
      name: 'a volume without a class',
      located: ['spcUnset overlays/prod/volume.yaml:12'],
      env: 'prod',
      files: {
        'overlays/prod/kustomization.yaml': prodKustomization({ patches: ['volume.yaml'] }),
        'overlays/prod/volume.yaml': deploymentPatch(
          'volumes:\n  - name: keyvault-secrets\n    csi:\n      volumeAttributes:\n        secretProviderClass: null',
        ),
      },
      errors: [{ messageId: 'spcUnset', object: 'Deployment/triage-backend', path: volume }],
    },
    {
      name: 'a secretKeyRef to a key the class does not sync',
      located: ['keyNotSynced overlays/prod/env.yaml:15'],
      env: 'prod',
      files: {
        'overlays/prod/kustomization.yaml': prodKustomization({ patches: ['env.yaml'] }),
        'overlays/prod/env.yaml': deploymentPatch(
          'containers:\n  - name: backend\n    env:\n      - name: DATABASE_URL\n        valueFrom:\n          secretKeyRef:\n            name: triage-secrets\n            key: DATABASE_URL',
        ),
      },
      errors: [
        {
          messageId: 'keyNotSynced',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.key',
          data: { key: 'DATABASE_URL', keys: 'AZURE_OPENAI_API_KEY' },
        },
      ],
    },
    {
      name: 'keys that carry values are shown as markers, numbered among the synced keys',
      located: ['keyNotSynced overlays/prod/env.yaml:15'],
      env: 'prod',
      files: {
        'overlays/prod/kustomization.yaml': prodKustomization({ patches: ['spc.yaml', 'env.yaml'] }),
        'overlays/prod/spc.yaml': spcPatch(
          '  secretObjects:\n    - secretName: triage-secrets\n      type: Opaque\n      data:\n        - objectName: azure-openai-api-key\n          key: AZURE_OPENAI_API_KEY\n        - objectName: azure-openai-api-key\n          key: "DB_PASSWORD planted-spc-Hq7Lm3"',
        ),
        'overlays/prod/env.yaml': deploymentPatch(
          'containers:\n  - name: backend\n    env:\n      - name: DATABASE_URL\n        valueFrom:\n          secretKeyRef:\n            name: triage-secrets\n            key: "URL=planted-ref-Vt5Kc9"',
        ),
      },
      secrets: ['planted-spc-Hq7Lm3', 'planted-ref-Vt5Kc9'],
      errors: [
        {
          messageId: 'keyNotSynced',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.key',
          data: { key: '<redacted: invalid key>', keys: 'AZURE_OPENAI_API_KEY, <redacted: invalid key 1>' },
        },
      ],
    },
    {
      name: 'envFrom a synced Secret without keys',
      located: ['noKeysSynced base/deployment.yaml:28'],
      env: 'prod',
      files: {
        'overlays/prod/kustomization.yaml': prodKustomization({ patches: ['spc.yaml'] }),
        'overlays/prod/spc.yaml': spcPatch(
          '  secretObjects:\n    - secretName: triage-secrets\n      type: Opaque\n      data: []',
        ),
      },
      errors: [
        {
          messageId: 'noKeysSynced',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.containers[0].envFrom[1].secretRef.name',
        },
      ],
    },
    {
      name: 'secretObjects reads an object that is not mounted',
      located: ['objectNotMounted overlays/prod/spc.yaml:12'],
      env: 'prod',
      files: {
        'overlays/prod/kustomization.yaml': prodKustomization({ patches: ['spc.yaml'] }),
        'overlays/prod/spc.yaml': spcPatch(
          '  secretObjects:\n    - secretName: triage-secrets\n      type: Opaque\n      data:\n        - objectName: azure-openai-api-key\n          key: AZURE_OPENAI_API_KEY\n        - objectName: db-password\n          key: DB_PASSWORD',
        ),
      },
      errors: [
        {
          messageId: 'objectNotMounted',
          object: 'SecretProviderClass/triage-keyvault',
          path: 'spec.secretObjects[0].data[1].objectName',
          data: { object: 'db-password', objects: 'azure-openai-api-key' },
        },
      ],
    },
    {
      name: 'secretObjects uses the object name of an aliased object',
      located: ['objectAliased components/keyvault-csi/secretproviderclass.yaml:21'],
      env: 'prod',
      files: {
        'overlays/prod/kustomization.yaml': prodKustomization({ patches: ['alias.yaml'] }),
        'overlays/prod/alias.yaml': spcPatch(
          '  parameters:\n    objects: |\n      array:\n        - |\n          objectName: azure-openai-api-key\n          objectAlias: openai-key',
        ),
      },
      errors: [
        {
          messageId: 'objectAliased',
          object: 'SecretProviderClass/triage-keyvault',
          path: 'spec.secretObjects[0].data[0].objectName',
          data: { alias: 'openai-key' },
        },
      ],
    },
    {
      name: 'an objects parameter that is not the provider’s format',
      located: ['objectsUnparsable overlays/prod/objects.yaml:7'],
      env: 'prod',
      files: {
        'overlays/prod/kustomization.yaml': prodKustomization({ patches: ['objects.yaml'] }),
        'overlays/prod/objects.yaml': spcPatch(
          '  parameters:\n    objects: "- objectName: azure-openai-api-key"',
        ),
      },
      errors: [
        {
          messageId: 'objectsUnparsable',
          object: 'SecretProviderClass/triage-keyvault',
          path: 'spec.parameters.objects',
        },
      ],
    },
  ],
};
