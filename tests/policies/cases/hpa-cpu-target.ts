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
    { name: 'dev may target 10%' },
    { name: 'prod at 60%', env: 'prod' },
    {
      name: 'a staging overlay (default range) at 85%',
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
