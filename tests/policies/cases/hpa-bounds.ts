import { hpaBoundsPolicy } from '../../../scripts/policies/hpa-bounds.js';
import { kustomization, type PolicyCases } from '../harness.js';

const hpaPatch = (spec: string) => `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: triage-backend-hpa
spec:
${spec}
`;

export const cases: PolicyCases = {
  policy: hpaBoundsPolicy,
  valid: [
    { name: 'the fixture dev overlay (2..10)' },
    { name: 'the fixture prod overlay (3..10)', env: 'prod' },
    {
      name: 'a prefixed overlay patching the bounds within range',
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ namePrefix: 'stg-', patches: ['bounds.yaml'] }),
        'overlays/dev/bounds.yaml': hpaPatch('  minReplicas: 4\n  maxReplicas: 8'),
      },
    },
  ],
  invalid: [
    {
      name: 'prod keeps the base minimum of 2',
      located: ['minTooLow overlays/prod/hpa-patch.yaml:6'],
      env: 'prod',
      files: { 'overlays/prod/hpa-patch.yaml': hpaPatch('  minReplicas: 2') },
      errors: [
        {
          messageId: 'minTooLow',
          object: 'HorizontalPodAutoscaler/triage-backend-hpa',
          path: 'spec.minReplicas',
          data: { actual: 2, min: 3, env: 'prod' },
        },
      ],
    },
    {
      name: 'a patch removes minReplicas (API default 1)',
      located: ['minMissing overlays/dev/bounds.yaml:6'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['bounds.yaml'] }),
        'overlays/dev/bounds.yaml': hpaPatch('  minReplicas: null'),
      },
      errors: [
        {
          messageId: 'minMissing',
          object: 'HorizontalPodAutoscaler/triage-backend-hpa',
          path: 'spec.minReplicas',
        },
      ],
    },
    {
      name: 'maxReplicas above the cap, with a name suffix',
      located: ['maxTooHigh overlays/dev/bounds.yaml:6'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ nameSuffix: '-v2', patches: ['bounds.yaml'] }),
        'overlays/dev/bounds.yaml': hpaPatch('  maxReplicas: 50'),
      },
      errors: [
        {
          messageId: 'maxTooHigh',
          object: 'HorizontalPodAutoscaler/triage-backend-hpa-v2',
          path: 'spec.maxReplicas',
          data: { actual: 50, max: 10 },
        },
      ],
    },
    {
      name: 'min above max (cap raised by config)',
      located: ['minAboveMax overlays/dev/bounds.yaml:6'],
      options: { maxReplicas: 20 },
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ namePrefix: 'stg-', patches: ['bounds.yaml'] }),
        'overlays/dev/bounds.yaml': hpaPatch('  minReplicas: 12\n  maxReplicas: 11'),
      },
      errors: [
        {
          messageId: 'minAboveMax',
          object: 'HorizontalPodAutoscaler/stg-triage-backend-hpa',
          path: 'spec.minReplicas',
          data: { min: 12, max: 11 },
        },
      ],
    },
    {
      name: 'a floor raised by config',
      located: ['minTooLow base/hpa.yaml:10'],
      options: { minReplicas: 3 },
      errors: [
        {
          messageId: 'minTooLow',
          object: 'HorizontalPodAutoscaler/triage-backend-hpa',
          path: 'spec.minReplicas',
        },
      ],
    },
  ],
};
