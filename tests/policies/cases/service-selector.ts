import { serviceSelectorPolicy } from '../../../scripts/policies/service-selector.js';
import { kustomization, type PolicyCases } from '../harness.js';

const servicePatch = (spec: string) => `apiVersion: v1
kind: Service
metadata:
  name: triage-backend
spec:
${spec}
`;

export const cases: PolicyCases = {
  policy: serviceSelectorPolicy,
  valid: [
    { name: 'the fixture' },
    {
      name: 'labels with includeSelectors: true reach selector and template alike (prefixed)',
      files: {
        'overlays/dev/kustomization.yaml': kustomization({
          namePrefix: 'stg-',
          extra: 'labels:\n  - pairs:\n      tier: api\n    includeSelectors: true',
        }),
      },
    },
    {
      name: 'a numeric targetPort the container declares',
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['svc.yaml'] }),
        'overlays/dev/svc.yaml': servicePatch('  ports:\n    - port: 8000\n      targetPort: 8000'),
      },
    },
  ],
  invalid: [
    {
      name: 'a selector on a label kustomize put on metadata only (includeSelectors: false)',
      located: ['noMatch overlays/dev/svc.yaml:6'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({
          patches: ['svc.yaml'],
          extra: 'labels:\n  - pairs:\n      environment: dev\n    includeSelectors: false',
        }),
        'overlays/dev/svc.yaml': servicePatch('  selector:\n    environment: dev'),
      },
      errors: [{ messageId: 'noMatch', object: 'Service/triage-backend', path: 'spec.selector' }],
    },
    {
      name: 'a targetPort name the containers do not declare',
      located: ['targetPortMissing overlays/dev/svc.yaml:8'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['svc.yaml'] }),
        'overlays/dev/svc.yaml': servicePatch('  ports:\n    - port: 8000\n      targetPort: web'),
      },
      errors: [
        {
          messageId: 'targetPortMissing',
          object: 'Service/triage-backend',
          path: 'spec.ports[0].targetPort',
          data: { target: 'web', workloads: 'Deployment triage-backend' },
        },
      ],
    },
    {
      name: 'a numeric targetPort nobody listens on',
      located: ['targetPortMissing overlays/dev/svc.yaml:8'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['svc.yaml'] }),
        'overlays/dev/svc.yaml': servicePatch('  ports:\n    - port: 8000\n      targetPort: 9000'),
      },
      errors: [
        {
          messageId: 'targetPortMissing',
          object: 'Service/triage-backend',
          path: 'spec.ports[0].targetPort',
          data: { target: '9000' },
        },
      ],
    },
  ],
};
