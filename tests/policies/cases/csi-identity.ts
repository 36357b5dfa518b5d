import { csiIdentityPolicy } from '../../../scripts/policies/csi-identity.js';
import { deploymentPatch, kustomization, type PolicyCases, prodKustomization } from '../harness.js';

const sa = 'spec.template.spec.serviceAccountName';

export const cases: PolicyCases = {
  policy: csiIdentityPolicy,
  valid: [
    { name: 'the fixture prod overlay', env: 'prod' },
    { name: 'dev mounts no CSI volume', env: 'dev' },
  ],
  invalid: [
    {
      name: 'an overlay that fills in no identity',
      located: [
        'parameterUnset components/keyvault-csi/secretproviderclass.yaml:10',
        'parameterUnset components/keyvault-csi/secretproviderclass.yaml:11',
        'parameterUnset components/keyvault-csi/secretproviderclass.yaml:9',
        'serviceAccountNoClientId base/deployment.yaml:14',
      ],
      env: 'prod',
      files: {
        'overlays/prod/kustomization.yaml': kustomization({
          namespace: 'triage',
          components: ['../../components/keyvault-csi'],
          patches: ['hpa-patch.yaml'],
        }),
      },
      errors: [
        {
          messageId: 'parameterUnset',
          object: 'SecretProviderClass/triage-keyvault',
          path: 'spec.parameters.clientID',
          data: { value: '"set-by-overlay"' },
        },
        {
          messageId: 'parameterUnset',
          object: 'SecretProviderClass/triage-keyvault',
          path: 'spec.parameters.keyvaultName',
        },
        {
          messageId: 'parameterUnset',
          object: 'SecretProviderClass/triage-keyvault',
          path: 'spec.parameters.tenantId',
        },
        {
          messageId: 'serviceAccountNoClientId',
          object: 'Deployment/triage-backend',
          path: sa,
          data: { sa: 'triage-backend' },
        },
      ],
    },
    {
      name: 'pod identity, and a ServiceAccount naming another client id',
      located: ['clientIdMismatch base/deployment.yaml:14', 'podIdentity overlays/prod/other.yaml:7'],
      env: 'prod',
      files: {
        'overlays/prod/kustomization.yaml': prodKustomization({ patches: ['other.yaml'] }),
        'overlays/prod/other.yaml': `apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata:
  name: triage-keyvault
spec:
  parameters:
    usePodIdentity: "true"
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: triage-backend
  annotations:
    azure.workload.identity/client-id: 11111111-2222-4333-8444-555555555555
`,
      },
      errors: [
        {
          messageId: 'podIdentity',
          object: 'SecretProviderClass/triage-keyvault',
          path: 'spec.parameters.usePodIdentity',
        },
        {
          messageId: 'clientIdMismatch',
          object: 'Deployment/triage-backend',
          path: sa,
          data: { spc: 'triage-keyvault' },
        },
      ],
    },
    {
      name: 'the pod template lacks the workload identity label',
      located: ['podLabelMissing overlays/prod/label.yaml:9'],
      env: 'prod',
      files: {
        'overlays/prod/kustomization.yaml': prodKustomization({ patches: ['label.yaml'] }),
        'overlays/prod/label.yaml': deploymentPatch('', 'labels:\n  azure.workload.identity/use: null'),
      },
      errors: [
        {
          messageId: 'podLabelMissing',
          object: 'Deployment/triage-backend',
          path: 'spec.template.metadata.labels.azure.workload.identity/use',
        },
      ],
    },
    {
      name: 'the pod runs as the default ServiceAccount (prefixed overlay)',
      located: ['serviceAccountMissing overlays/prod/sa.yaml:8'],
      env: 'prod',
      files: {
        'overlays/prod/kustomization.yaml': prodKustomization({
          nameSuffix: '-blue',
          patches: ['sa.yaml', 'attr.yaml'],
        }),
        'overlays/prod/sa.yaml': deploymentPatch('serviceAccountName: null'),
        'overlays/prod/attr.yaml': deploymentPatch(
          'volumes:\n  - name: keyvault-secrets\n    csi:\n      volumeAttributes:\n        secretProviderClass: triage-keyvault-blue',
        ),
      },
      errors: [
        {
          messageId: 'serviceAccountMissing',
          object: 'Deployment/triage-backend-blue',
          path: sa,
          data: { sa: 'default' },
        },
      ],
    },
  ],
};
