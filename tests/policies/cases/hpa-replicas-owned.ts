import { hpaReplicasOwnedPolicy } from '../../../scripts/policies/hpa-replicas-owned.js';
import { kustomization, type PolicyCases } from '../harness.js';

const replicas = {
  'overlays/dev/kustomization.yaml': kustomization({ patches: ['replicas.yaml'] }),
  'overlays/dev/replicas.yaml':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: triage-backend\nspec:\n  replicas: 1\n',
};

const application = (syncOptions: string[], ignore: boolean) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: triage-dev
  namespace: argocd
spec:
  source:
    path: overlays/dev
  syncPolicy:
    automated: {prune: true, selfHeal: true}
    syncOptions: [${syncOptions.join(', ')}]
${ignore ? '  ignoreDifferences:\n    - group: apps\n      kind: Deployment\n      jsonPointers: [/spec/replicas]\n' : ''}`;

const flux = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: triage-dev
  namespace: flux-system
spec:
  interval: 5m
  path: ./overlays/dev
  prune: true
  sourceRef: {kind: GitRepository, name: triage-gitops}
`;

export const cases: PolicyCases = {
  policy: hpaReplicasOwnedPolicy,
  valid: [
    { name: 'the fixture sets no replicas', controllers: `${application([], false)}---\n${flux}` },
    {
      name: 'replicas set, and the only controller ignores them with RespectIgnoreDifferences',
      files: replicas,
      controllers: application(['CreateNamespace=true', 'RespectIgnoreDifferences=true'], true),
    },
  ],
  invalid: [
    {
      name: 'replicas set, no controller known',
      located: ['replicasSet overlays/dev/replicas.yaml:6'],
      files: replicas,
      errors: [
        {
          messageId: 'replicasSet',
          object: 'Deployment/triage-backend',
          path: 'spec.replicas',
          data: { replicas: '1', hpa: 'triage-backend-hpa' },
        },
      ],
    },
    {
      name: 'an Application that does not ignore replicas',
      located: ['argoNotIgnoring overlays/dev/replicas.yaml:6'],
      files: replicas,
      controllers: application(['RespectIgnoreDifferences=true'], false),
      errors: [
        {
          messageId: 'argoNotIgnoring',
          object: 'Deployment/triage-backend',
          path: 'spec.replicas',
          data: { controller: 'triage-dev' },
        },
      ],
    },
    {
      name: 'an Application that ignores replicas only in the diff',
      located: ['argoNotRespecting overlays/dev/replicas.yaml:6'],
      files: replicas,
      controllers: application(['CreateNamespace=true'], true),
      errors: [
        { messageId: 'argoNotRespecting', object: 'Deployment/triage-backend', path: 'spec.replicas' },
      ],
    },
    {
      name: 'a Flux Kustomization next to a correct Application',
      located: ['fluxResets overlays/dev/replicas.yaml:6'],
      files: replicas,
      controllers: `${application(['RespectIgnoreDifferences=true'], true)}---\n${flux}`,
      errors: [
        {
          messageId: 'fluxResets',
          object: 'Deployment/triage-backend',
          path: 'spec.replicas',
          data: { controller: 'triage-dev' },
        },
      ],
    },
  ],
};
