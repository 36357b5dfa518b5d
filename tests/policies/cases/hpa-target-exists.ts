import { hpaTargetExistsPolicy } from '../../../scripts/policies/hpa-target-exists.js';
import { kustomization, type PolicyCases } from '../harness.js';

const targetPatch = (ref: string) => `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: triage-backend-hpa
spec:
  scaleTargetRef:
${ref}
`;

export const cases: PolicyCases = {
  policy: hpaTargetExistsPolicy,
  valid: [
    { name: 'the fixture' },
    {
      name: 'namePrefix renames the target and the reference',
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ namePrefix: 'stg-', namespace: 'triage-stg' }),
      },
    },
  ],
  invalid: [
    {
      name: 'a patch points at a Deployment that does not exist',
      located: ['targetMissing overlays/dev/target.yaml:7'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['target.yaml'] }),
        'overlays/dev/target.yaml': targetPatch('    name: triage-api'),
      },
      errors: [
        {
          messageId: 'targetMissing',
          object: 'HorizontalPodAutoscaler/triage-backend-hpa',
          path: 'spec.scaleTargetRef.name',
          data: { kind: 'Deployment', name: 'triage-api', namespace: 'triage' },
        },
      ],
    },
    {
      name: 'an HPA from a sibling kustomization (no namespace) keeps the unprefixed name',
      located: ['targetRenamed overlays/dev/extra/hpa.yaml:6'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({
          namePrefix: 'stg-',
          resources: ['../../base', 'extra'],
        }),
        'overlays/dev/extra/kustomization.yaml': 'resources:\n  - hpa.yaml\n',
        'overlays/dev/extra/hpa.yaml': `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: extra-hpa
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: triage-backend}
  minReplicas: 2
  maxReplicas: 4
`,
      },
      errors: [
        {
          messageId: 'targetRenamed',
          object: 'HorizontalPodAutoscaler/stg-extra-hpa',
          path: 'spec.scaleTargetRef.name',
          data: { name: 'triage-backend', candidate: 'stg-triage-backend' },
        },
      ],
    },
    {
      name: 'a wrong apiVersion',
      located: ['wrongApiVersion overlays/dev/target.yaml:7'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['target.yaml'] }),
        'overlays/dev/target.yaml': targetPatch('    apiVersion: extensions/v1beta1'),
      },
      errors: [
        {
          messageId: 'wrongApiVersion',
          object: 'HorizontalPodAutoscaler/triage-backend-hpa',
          path: 'spec.scaleTargetRef.apiVersion',
          data: { actual: 'extensions/v1beta1', expected: 'apps/v1' },
        },
      ],
    },
    {
      name: 'a kind this repository does not scale',
      located: ['unsupportedKind overlays/dev/target.yaml:7'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['target.yaml'] }),
        'overlays/dev/target.yaml': targetPatch('    kind: ReplicaSet'),
      },
      errors: [
        {
          messageId: 'unsupportedKind',
          object: 'HorizontalPodAutoscaler/triage-backend-hpa',
          path: 'spec.scaleTargetRef.kind',
        },
      ],
    },
  ],
};
