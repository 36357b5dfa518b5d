import { pdbVsHpaPolicy } from '../../../scripts/policies/pdb-vs-hpa.js';
import { kustomization, type PolicyCases } from '../harness.js';

const budget = (spec: string) => `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: triage-backend
spec:
${spec}
`;

export const cases: PolicyCases = {
  policy: pdbVsHpaPolicy,
  valid: [
    { name: 'maxUnavailable 1' },
    {
      name: 'minAvailable 1 at minReplicas 2, prefixed',
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ namePrefix: 'stg-', patches: ['pdb.yaml'] }),
        'overlays/dev/pdb.yaml': budget('  maxUnavailable: null\n  minAvailable: 1'),
      },
    },
    {
      name: 'minAvailable 50% at minReplicas 3 (prod)',
      env: 'prod',
      files: {
        'overlays/prod/kustomization.yaml': kustomization({
          namespace: 'triage',
          patches: ['hpa-patch.yaml', 'pdb.yaml'],
        }),
        'overlays/prod/pdb.yaml': budget('  maxUnavailable: null\n  minAvailable: 50%'),
      },
    },
  ],
  invalid: [
    {
      name: 'minAvailable equal to minReplicas',
      located: ['noDisruption overlays/dev/pdb.yaml:7'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ namePrefix: 'stg-', patches: ['pdb.yaml'] }),
        'overlays/dev/pdb.yaml': budget('  maxUnavailable: null\n  minAvailable: 2'),
      },
      errors: [
        {
          messageId: 'noDisruption',
          object: 'PodDisruptionBudget/stg-triage-backend',
          path: 'spec.minAvailable',
          data: { min: 2, hpa: 'stg-triage-backend-hpa', allowed: 0 },
        },
      ],
    },
    {
      name: 'maxUnavailable 0%',
      located: ['noDisruption overlays/dev/pdb.yaml:6'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['pdb.yaml'] }),
        'overlays/dev/pdb.yaml': budget('  maxUnavailable: 0%'),
      },
      errors: [
        {
          messageId: 'noDisruption',
          object: 'PodDisruptionBudget/triage-backend',
          path: 'spec.maxUnavailable',
        },
      ],
    },
    {
      name: 'minAvailable 90% of 3 rounds up to 3',
      located: ['noDisruption overlays/prod/pdb.yaml:7'],
      env: 'prod',
      files: {
        'overlays/prod/kustomization.yaml': kustomization({
          namespace: 'triage',
          patches: ['hpa-patch.yaml', 'pdb.yaml'],
        }),
        'overlays/prod/pdb.yaml': budget('  maxUnavailable: null\n  minAvailable: 90%'),
      },
      errors: [
        {
          messageId: 'noDisruption',
          object: 'PodDisruptionBudget/triage-backend',
          path: 'spec.minAvailable',
          data: { min: 3 },
        },
      ],
    },
  ],
};
