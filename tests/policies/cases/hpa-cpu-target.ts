import { hpaCpuTargetPolicy } from '../../../scripts/policies/hpa-cpu-target.js';
import { kustomization, type PolicyCases } from '../harness.js';

const cpuPatch = (utilization: number) => `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: triage-backend-hpa
spec:
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: ${utilization}
`;

export const cases: PolicyCases = {
  policy: hpaCpuTargetPolicy,
  valid: [
    { name: 'dev may target 10%, with this repository’s config', repositoryConfig: true },
    { name: 'prod at 60%, with this repository’s config', env: 'prod', repositoryConfig: true },
    {
      name: 'built-in defaults: a staging overlay at 95% (the general ceiling)',
      env: 'staging',
      files: {
        'overlays/staging/kustomization.yaml': kustomization({ patches: ['cpu.yaml'] }),
        'overlays/staging/cpu.yaml': cpuPatch(95),
      },
    },
    {
      name: 'built-in defaults: prod at 10%',
      env: 'prod',
      files: {
        'overlays/prod/kustomization.yaml': kustomization({ namespace: 'triage', patches: ['cpu.yaml'] }),
        'overlays/prod/cpu.yaml': cpuPatch(10),
      },
    },
    {
      name: 'a staging overlay (this repository’s range) at 85%',
      repositoryConfig: true,
      env: 'staging',
      files: {
        'overlays/staging/kustomization.yaml': kustomization({
          namespace: 'triage-staging',
          patches: ['cpu.yaml'],
        }),
        'overlays/staging/cpu.yaml': cpuPatch(85),
      },
    },
  ],
  invalid: [
    {
      name: 'prod with the workshop’s 10%',
      repositoryConfig: true,
      located: ['targetTooLow overlays/prod/cpu.yaml:12'],
      env: 'prod',
      files: {
        'overlays/prod/kustomization.yaml': kustomization({ namespace: 'triage', patches: ['cpu.yaml'] }),
        'overlays/prod/cpu.yaml': cpuPatch(10),
      },
      errors: [
        {
          messageId: 'targetTooLow',
          object: 'HorizontalPodAutoscaler/triage-backend-hpa',
          path: 'spec.metrics[0].resource.target.averageUtilization',
          data: { actual: 10, min: 50, env: 'prod' },
        },
      ],
    },
    {
      name: 'a staging overlay at 95%',
      repositoryConfig: true,
      located: ['targetTooHigh overlays/staging/cpu.yaml:12'],
      env: 'staging',
      files: {
        'overlays/staging/kustomization.yaml': kustomization({ namePrefix: 'stg-', patches: ['cpu.yaml'] }),
        'overlays/staging/cpu.yaml': cpuPatch(95),
      },
      errors: [
        {
          messageId: 'targetTooHigh',
          object: 'HorizontalPodAutoscaler/stg-triage-backend-hpa',
          path: 'spec.metrics[0].resource.target.averageUtilization',
          data: { actual: 95, max: 85 },
        },
      ],
    },
    {
      name: 'built-in defaults: 99% leaves no headroom',
      located: ['targetTooHigh overlays/dev/cpu.yaml:12'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['cpu.yaml'] }),
        'overlays/dev/cpu.yaml': cpuPatch(99),
      },
      errors: [
        {
          messageId: 'targetTooHigh',
          object: 'HorizontalPodAutoscaler/triage-backend-hpa',
          path: 'spec.metrics[0].resource.target.averageUtilization',
          data: { actual: 99, max: 95, env: 'dev' },
        },
      ],
    },
    {
      name: 'built-in defaults: 5% scales out on noise',
      located: ['targetTooLow overlays/dev/cpu.yaml:12'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['cpu.yaml'] }),
        'overlays/dev/cpu.yaml': cpuPatch(5),
      },
      errors: [
        {
          messageId: 'targetTooLow',
          object: 'HorizontalPodAutoscaler/triage-backend-hpa',
          path: 'spec.metrics[0].resource.target.averageUtilization',
          data: { actual: 5, min: 10, env: 'dev' },
        },
      ],
    },
    {
      name: 'a patch empties the metrics',
      located: ['noMetrics overlays/dev/metrics.yaml:6'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['metrics.yaml'] }),
        'overlays/dev/metrics.yaml': `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: triage-backend-hpa
spec:
  metrics: []
`,
      },
      errors: [
        {
          messageId: 'noMetrics',
          object: 'HorizontalPodAutoscaler/triage-backend-hpa',
          path: 'spec.metrics',
        },
      ],
    },
  ],
};
