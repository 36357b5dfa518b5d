import { ingressBackendPolicy } from '../../../scripts/policies/ingress-backend.js';
import { kustomization, type PolicyCases } from '../harness.js';

const ingressPatch = (service: string, port: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: triage-ingress
spec:
  rules:
    - host: triage.contoso.example
      http:
        paths:
          - path: /api
            pathType: Prefix
            backend:
              service:
                name: ${service}
                port:
                  ${port}
`;

const backend = 'spec.rules[0].http.paths[0].backend.service';

export const cases: PolicyCases = {
  policy: ingressBackendPolicy,
  valid: [
    { name: 'the fixture' },
    {
      name: 'namePrefix renames the backend reference',
      files: { 'overlays/dev/kustomization.yaml': kustomization({ namePrefix: 'stg-' }) },
    },
    {
      name: 'a port number the Service has',
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['ingress.yaml'] }),
        'overlays/dev/ingress.yaml': ingressPatch('triage-backend', 'number: 8000'),
      },
    },
  ],
  invalid: [
    {
      name: 'a backend Service the overlay does not render',
      located: ['serviceMissing overlays/dev/ingress.yaml:14'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['ingress.yaml'] }),
        'overlays/dev/ingress.yaml': ingressPatch('triage-frontend', 'number: 80'),
      },
      errors: [
        {
          messageId: 'serviceMissing',
          object: 'Ingress/triage-ingress',
          path: `${backend}.name`,
          data: { service: 'triage-frontend' },
        },
      ],
    },
    {
      name: 'a port number the Service lacks',
      located: ['portMissing overlays/dev/ingress.yaml:16'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['ingress.yaml'] }),
        'overlays/dev/ingress.yaml': ingressPatch('triage-backend', 'number: 80'),
      },
      errors: [
        {
          messageId: 'portMissing',
          object: 'Ingress/triage-ingress',
          path: `${backend}.port.number`,
          data: { port: '80', ports: 'http (8000)' },
        },
      ],
    },
    {
      name: 'a port name the Service lacks',
      located: ['portMissing overlays/dev/ingress.yaml:16'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ nameSuffix: '-blue', patches: ['ingress.yaml'] }),
        'overlays/dev/ingress.yaml': ingressPatch('triage-backend', 'name: https'),
      },
      errors: [
        {
          messageId: 'portMissing',
          object: 'Ingress/triage-ingress-blue',
          path: `${backend}.port.name`,
          data: { service: 'triage-backend-blue' },
        },
      ],
    },
  ],
};
