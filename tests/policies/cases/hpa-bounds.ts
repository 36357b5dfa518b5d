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
    { name: 'the fixture dev overlay (2..10), with this repository’s config', repositoryConfig: true },
    {
      name: 'the fixture prod overlay (3..10), with this repository’s config',
      env: 'prod',
      repositoryConfig: true,
    },
    {
      name: 'a prefixed overlay patching the bounds within range',
      repositoryConfig: true,
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ namePrefix: 'stg-', patches: ['bounds.yaml'] }),
        'overlays/dev/bounds.yaml': hpaPatch('  minReplicas: 4\n  maxReplicas: 8'),
      },
    },
    // The built-in defaults, as on a tree with no config: one pod is fine outside prod.
    {
      name: 'built-in defaults: dev with minReplicas 1',
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['bounds.yaml'] }),
        'overlays/dev/bounds.yaml': hpaPatch('  minReplicas: 1'),
      },
    },
    {
      name: 'built-in defaults: an unknown environment without minReplicas (API default 1)',
      env: 'qa',
      files: {
        'overlays/qa/kustomization.yaml': kustomization({ patches: ['bounds.yaml'] }),
        'overlays/qa/bounds.yaml': hpaPatch('  minReplicas: null'),
      },
    },
    {
      name: 'built-in defaults: prod with 2 pods and 50 at most (no built-in cap)',
      env: 'prod',
      files: { 'overlays/prod/hpa-patch.yaml': hpaPatch('  minReplicas: 2\n  maxReplicas: 50') },
    },
  ],
  invalid: [
    {
      name: 'prod keeps the base minimum of 2',
      repositoryConfig: true,
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
      repositoryConfig: true,
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
      repositoryConfig: true,
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
      repositoryConfig: true,
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
      name: 'built-in defaults: prod with a single pod (a node drain is an outage)',
      located: ['minTooLow overlays/prod/hpa-patch.yaml:6'],
      env: 'prod',
      files: { 'overlays/prod/hpa-patch.yaml': hpaPatch('  minReplicas: 1') },
      errors: [
        {
          messageId: 'minTooLow',
          object: 'HorizontalPodAutoscaler/triage-backend-hpa',
          path: 'spec.minReplicas',
          data: { actual: 1, min: 2, env: 'prod' },
        },
      ],
    },
    {
      name: 'built-in defaults: prod without minReplicas (API default 1)',
      located: ['minMissing overlays/prod/hpa-patch.yaml:6'],
      env: 'prod',
      files: { 'overlays/prod/hpa-patch.yaml': hpaPatch('  minReplicas: null') },
      errors: [
        {
          messageId: 'minMissing',
          object: 'HorizontalPodAutoscaler/triage-backend-hpa',
          path: 'spec.minReplicas',
          data: { min: 2, env: 'prod' },
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
