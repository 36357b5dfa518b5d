import { serviceaccountExistsPolicy } from '../../../scripts/policies/serviceaccount-exists.js';
import { deploymentPatch, kustomization, type PolicyCases } from '../harness.js';

export const cases: PolicyCases = {
  policy: serviceaccountExistsPolicy,
  valid: [
    { name: 'the fixture' },
    {
      name: 'namePrefix renames both',
      files: { 'overlays/dev/kustomization.yaml': kustomization({ namePrefix: 'stg-' }) },
    },
    {
      name: 'the default ServiceAccount',
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['sa.yaml'] }),
        'overlays/dev/sa.yaml': deploymentPatch('serviceAccountName: null'),
      },
    },
    {
      name: 'a ServiceAccount listed as external',
      options: { external: ['platform-reader'] },
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['sa.yaml'] }),
        'overlays/dev/sa.yaml': deploymentPatch('serviceAccountName: platform-reader'),
      },
    },
  ],
  invalid: [
    {
      name: 'a ServiceAccount the overlay does not render',
      located: ['missing overlays/dev/sa.yaml:8'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ namespace: 'triage-dev', patches: ['sa.yaml'] }),
        'overlays/dev/sa.yaml': deploymentPatch('serviceAccountName: triage-api'),
      },
      errors: [
        {
          messageId: 'missing',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.serviceAccountName',
          data: { sa: 'triage-api', namespace: 'triage-dev' },
        },
      ],
    },
  ],
};
