import { imagePinnedPolicy } from '../../../scripts/policies/image-pinned.js';
import { deploymentPatch, kustomization, type PolicyCases } from '../harness.js';

const images = (entry: string) => `images:\n  - name: triageacr.azurecr.io/triage-backend\n${entry}`;
const image = 'spec.template.spec.containers[0].image';

export const cases: PolicyCases = {
  policy: imagePinnedPolicy,
  valid: [
    { name: 'dev: an exact version' },
    { name: 'prod: a version and a digest', env: 'prod' },
    {
      name: 'dev may use a minor tag',
      files: { 'overlays/dev/kustomization.yaml': kustomization({ extra: images('    newTag: "1.4"') }) },
    },
    {
      name: 'prod: a pre-release exact version',
      env: 'prod',
      files: {
        'overlays/prod/kustomization.yaml': kustomization({
          namespace: 'triage',
          extra: images('    newTag: 1.5.0-rc.2'),
        }),
      },
    },
    {
      name: 'a registry with a port and a digest only',
      files: {
        'overlays/dev/kustomization.yaml': kustomization({
          extra: images(
            '    newName: registry.internal:5000/triage-backend\n    digest: sha256:3f1c5e8a9b7d6c4e2f0a1b3c5d7e9f8a6b4c2d0e1f3a5b7c9d8e6f4a2b0c1d3e',
          ),
        }),
      },
    },
  ],
  invalid: [
    {
      name: 'dev: latest',
      located: ['latest overlays/dev/kustomization.yaml:7'],
      files: { 'overlays/dev/kustomization.yaml': kustomization({ extra: images('    newTag: latest') }) },
      errors: [
        {
          messageId: 'latest',
          object: 'Deployment/triage-backend',
          path: image,
          data: { image: 'triageacr.azurecr.io/triage-backend:latest', container: 'backend' },
        },
      ],
    },
    {
      name: 'an init container without a tag',
      located: ['untagged overlays/dev/init.yaml:10'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['init.yaml'] }),
        'overlays/dev/init.yaml': deploymentPatch('initContainers:\n  - name: wait\n    image: busybox'),
      },
      errors: [
        {
          messageId: 'untagged',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.initContainers[0].image',
          data: { container: 'wait' },
        },
      ],
    },
    {
      name: 'prod: a moving minor tag without a digest',
      located: ['movingTag overlays/prod/kustomization.yaml:8'],
      env: 'prod',
      files: {
        'overlays/prod/kustomization.yaml': kustomization({
          namespace: 'triage',
          extra: images('    newTag: "1.4"'),
        }),
      },
      errors: [
        {
          messageId: 'movingTag',
          object: 'Deployment/triage-backend',
          path: image,
          data: { tag: '1.4', env: 'prod' },
        },
      ],
    },
    {
      name: 'digests required by config',
      located: ['digestRequired base/deployment.yaml:20'],
      options: { requireDigest: true },
      files: { 'overlays/dev/kustomization.yaml': kustomization({ namePrefix: 'stg-' }) },
      errors: [{ messageId: 'digestRequired', object: 'Deployment/stg-triage-backend', path: image }],
    },
  ],
};
