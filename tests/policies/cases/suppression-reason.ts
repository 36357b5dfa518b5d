import { suppressionReasonPolicy } from '../../../scripts/policies/suppression-reason.js';
import { kustomization, type PolicyCases } from '../harness.js';

const annotated = (annotations: string) => ({
  'overlays/dev/kustomization.yaml': kustomization({ namePrefix: 'stg-', patches: ['annotate.yaml'] }),
  'overlays/dev/annotate.yaml': `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: triage-backend\n  annotations:\n${annotations.replace(/^/gm, '    ')}\n`,
});

export const cases: PolicyCases = {
  policy: suppressionReasonPolicy,
  valid: [
    { name: 'the fixture has no suppressions' },
    {
      name: 'a reason and an expiry',
      files: annotated('triage-gitops.io/ignore.probes: "Warm-up endpoint lands in 1.5; expires=2030-01-31"'),
    },
    {
      name: 'a reason without expiry',
      files: annotated('triage-gitops.io/ignore.schema: "CRD schema not published yet"'),
    },
  ],
  invalid: [
    {
      name: 'an empty reason',
      located: ['reasonMissing overlays/dev/annotate.yaml:6'],
      files: annotated('triage-gitops.io/ignore.probes: ""'),
      errors: [
        {
          messageId: 'reasonMissing',
          object: 'Deployment/stg-triage-backend',
          path: 'metadata.annotations.triage-gitops.io/ignore.probes',
          data: { rule: 'probes' },
        },
      ],
    },
    {
      name: 'only an expiry',
      located: ['reasonMissing overlays/dev/annotate.yaml:6'],
      files: annotated('triage-gitops.io/ignore.probes: "; expires=2030-01-31"'),
      errors: [
        {
          messageId: 'reasonMissing',
          object: 'Deployment/stg-triage-backend',
          path: 'metadata.annotations.triage-gitops.io/ignore.probes',
        },
      ],
    },
    {
      name: 'a rule id that does not exist',
      located: ['unknownRule overlays/dev/annotate.yaml:6'],
      files: annotated('triage-gitops.io/ignore.probe: "typo"'),
      errors: [
        {
          messageId: 'unknownRule',
          object: 'Deployment/stg-triage-backend',
          path: 'metadata.annotations.triage-gitops.io/ignore.probe',
          data: { rule: 'probe' },
        },
      ],
    },
    {
      name: 'an expiry that is not a date',
      located: ['badExpiry overlays/dev/annotate.yaml:6'],
      files: annotated('triage-gitops.io/ignore.probes: "Fixed in 1.5; expires=2030-02-30"'),
      errors: [
        {
          messageId: 'badExpiry',
          object: 'Deployment/stg-triage-backend',
          path: 'metadata.annotations.triage-gitops.io/ignore.probes',
          data: { expires: '2030-02-30' },
        },
      ],
    },
  ],
};
