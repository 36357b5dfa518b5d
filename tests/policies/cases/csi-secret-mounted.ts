import { csiSecretMountedPolicy } from '../../../scripts/policies/csi-secret-mounted.js';
import type { PolicyCases } from '../harness.js';

const componentPatch = (volumeMounts: boolean, volume: boolean) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: triage-backend
spec:
  template:
    metadata:
      labels:
        azure.workload.identity/use: "true"
${volumeMounts || volume ? '    spec:\n' : ''}${volumeMounts ? '      containers:\n        - name: backend\n          volumeMounts:\n            - name: keyvault-secrets\n              mountPath: /mnt/secrets-store\n              readOnly: true\n' : ''}${volume ? '      volumes:\n        - name: keyvault-secrets\n          csi:\n            driver: secrets-store.csi.k8s.io\n            readOnly: true\n            volumeAttributes:\n              secretProviderClass: triage-keyvault\n' : ''}`;

export const cases: PolicyCases = {
  policy: csiSecretMountedPolicy,
  valid: [{ name: 'prod mounts the CSI volume', env: 'prod' }, { name: 'dev reads a committed Secret' }],
  invalid: [
    {
      name: 'the component no longer adds the CSI volume',
      located: ['notMounted base/deployment.yaml:28'],
      env: 'prod',
      files: { 'components/keyvault-csi/deployment-csi-volume.yaml': componentPatch(false, false) },
      errors: [
        {
          messageId: 'notMounted',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.containers[0].envFrom[1].secretRef.name',
          data: { secret: 'triage-secrets', spc: 'triage-keyvault', via: 'envFrom of container backend' },
        },
      ],
    },
    {
      name: 'the CSI volume is declared but mounted by no container',
      located: ['volumeUnused components/keyvault-csi/deployment-csi-volume.yaml:12'],
      env: 'prod',
      files: { 'components/keyvault-csi/deployment-csi-volume.yaml': componentPatch(false, true) },
      errors: [
        {
          messageId: 'volumeUnused',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.volumes[0].name',
        },
      ],
    },
  ],
};
