// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${REGISTRY} here is an envsubst placeholder in an image, not a JS template
import { imagePinnedPolicy } from '../../../scripts/policies/image-pinned.js';
import { deploymentPatch, kustomization, type PolicyCases } from '../harness.js';

const images = (entry: string) => `images:\n  - name: triageacr.azurecr.io/triage-backend\n${entry}`;
const image = 'spec.template.spec.containers[0].image';
const HEX64 = '3f1c5e8a9b7d6c4e2f0a1b3c5d7e9f8a6b4c2d0e1f3a5b7c9d8e6f4a2b0c1d3e';

/** A dev overlay whose patch adds init containers `init0`, `init1`, … with these images (image i on line 10 + 2i). */
function initImages(...refs: string[]): Record<string, string> {
  const containers = refs.map((ref, index) => `  - name: init${index}\n    image: ${JSON.stringify(ref)}`);
  return {
    'overlays/dev/kustomization.yaml': kustomization({ patches: ['init.yaml'] }),
    'overlays/dev/init.yaml': deploymentPatch(`initContainers:\n${containers.join('\n')}`),
  };
}
const initImage = (index: number) => `spec.template.spec.initContainers[${index}].image`;

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
    {
      name: 'references a node can pull: Docker Hub, digest only, localhost and a registry with a port, an upper-case host',
      files: initImages(
        'docker.io/library/nginx:1.27',
        `nginx@sha256:${HEX64}`,
        'localhost:5000/a/b:c',
        'registry.example.com:443/team/app:1.2.3-rc.1',
        'Registry.Example.com/team/app_x__y.z-w:V1.0_b',
        '[::1]:5000/app:1.0.0',
        `gcr.io/distroless/static:nonroot@sha512:${HEX64}${HEX64}`,
      ),
    },
  ],
  invalid: [
    {
      name: 'a placeholder registry set by the images override is reported at the override entry',
      located: ['placeholder overlays/dev/kustomization.yaml:8'],
      // The source map points at the entry's most specific field (digest, then newTag, then newName).
      files: {
        'overlays/dev/kustomization.yaml': kustomization({
          extra: images('    newName: <ACR_NAME>.azurecr.io/triage-backend\n    newTag: v1'),
        }),
      },
      errors: [
        {
          messageId: 'placeholder',
          object: 'Deployment/triage-backend',
          path: image,
          data: { image: '<ACR_NAME>.azurecr.io/triage-backend:v1', placeholder: '<ACR_NAME>' },
        },
      ],
    },
    {
      name: 'placeholders left in images: an upper-case dot-less host, ${…}, a bare REPLACE_ME, a project id',
      located: [
        'placeholder overlays/dev/init.yaml:10',
        'placeholder overlays/dev/init.yaml:12',
        'placeholder overlays/dev/init.yaml:14',
        'placeholder overlays/dev/init.yaml:16',
      ],
      files: initImages(
        'CONTAINER_IMAGES_REGISTRY/app:1.0.0',
        '${REGISTRY}/app:1.0.0',
        'REPLACE_ME',
        'gcr.io/PROJECT_ID/app:1.0.0',
      ),
      errors: [
        {
          messageId: 'placeholder',
          object: 'Deployment/triage-backend',
          path: initImage(0),
          data: { placeholder: 'CONTAINER_IMAGES_REGISTRY' },
        },
        {
          messageId: 'placeholder',
          object: 'Deployment/triage-backend',
          path: initImage(1),
          data: { placeholder: '${REGISTRY}' },
        },
        {
          messageId: 'placeholder',
          object: 'Deployment/triage-backend',
          path: initImage(2),
          data: { placeholder: 'REPLACE_ME' },
        },
        {
          messageId: 'placeholder',
          object: 'Deployment/triage-backend',
          path: initImage(3),
          data: { placeholder: 'PROJECT_ID' },
        },
      ],
    },
    {
      name: 'upper case in the repository path',
      located: ['invalidReference overlays/dev/init.yaml:10'],
      files: initImages('registry.io/MyApp:1'),
      errors: [
        {
          messageId: 'invalidReference',
          object: 'Deployment/triage-backend',
          path: initImage(0),
          data: { image: 'registry.io/MyApp:1', problem: 'the repository path MyApp must be lower case' },
        },
      ],
    },
    {
      name: 'a repository path component with a doubled separator, and a host with an underscore',
      files: initImages('registry.io/team/my..app:1.0.0', 'my_registry.io/app:1.0.0'),
      errors: [
        {
          messageId: 'invalidReference',
          object: 'Deployment/triage-backend',
          path: initImage(0),
          data: {
            problem:
              'the repository path component my..app may hold only lower-case letters and digits, separated by one ".", one or two "_", or dashes',
          },
        },
        {
          messageId: 'invalidReference',
          object: 'Deployment/triage-backend',
          path: initImage(1),
          data: { problem: 'the registry host my_registry.io is not a valid host name' },
        },
      ],
    },
    {
      name: 'tags with characters a tag cannot hold: semver build metadata, a leading dot, an empty tag',
      located: [
        'invalidReference overlays/dev/init.yaml:10',
        'invalidReference overlays/dev/init.yaml:12',
        'invalidReference overlays/dev/init.yaml:14',
      ],
      files: initImages('registry.io/app:1.0.0+build.5', 'registry.io/app:.1', 'registry.io/app:'),
      errors: [
        {
          messageId: 'invalidReference',
          object: 'Deployment/triage-backend',
          path: initImage(0),
          data: {
            problem:
              'the tag 1.0.0+build.5 may hold only letters, digits, "_", "." and "-", and must not start with "." or "-"',
          },
        },
        {
          messageId: 'invalidReference',
          object: 'Deployment/triage-backend',
          path: initImage(1),
          data: {
            problem:
              'the tag .1 may hold only letters, digits, "_", "." and "-", and must not start with "." or "-"',
          },
        },
        {
          messageId: 'invalidReference',
          object: 'Deployment/triage-backend',
          path: initImage(2),
          data: { problem: 'the tag after ":" is empty' },
        },
      ],
    },
    {
      name: 'a digest set by the images override that is too short is reported at the override entry',
      located: ['invalidReference overlays/dev/kustomization.yaml:7'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ extra: images('    digest: sha256:3f1c5e8a') }),
      },
      errors: [
        {
          messageId: 'invalidReference',
          object: 'Deployment/triage-backend',
          path: image,
          data: { problem: 'the sha256 digest must have 64 hex digits, not 8' },
        },
      ],
    },
    {
      name: 'digests that are not algorithm:hex of the right form: no algorithm, upper-case hex, an unknown algorithm',
      files: initImages(
        `nginx@${HEX64}`,
        `nginx@sha256:${HEX64.toUpperCase()}`,
        `nginx@md5:${HEX64.slice(0, 32)}`,
      ),
      errors: [
        {
          messageId: 'invalidReference',
          object: 'Deployment/triage-backend',
          path: initImage(0),
          data: { problem: `the digest ${HEX64} must be algorithm:hex, such as sha256:<64 hex digits>` },
        },
        {
          messageId: 'invalidReference',
          object: 'Deployment/triage-backend',
          path: initImage(1),
          data: { problem: 'the sha256 digest may hold only the lower-case hex digits 0-9 and a-f' },
        },
        {
          messageId: 'invalidReference',
          object: 'Deployment/triage-backend',
          path: initImage(2),
          data: { problem: 'the digest algorithm md5 is not one of sha256, sha384, sha512' },
        },
      ],
    },
    {
      name: 'an empty image, and one with only a tag',
      located: ['invalidReference overlays/dev/init.yaml:10', 'invalidReference overlays/dev/init.yaml:12'],
      files: initImages('', ':1.0.0'),
      errors: [
        {
          messageId: 'invalidReference',
          object: 'Deployment/triage-backend',
          path: initImage(0),
          data: { problem: 'the image name is empty' },
        },
        {
          messageId: 'invalidReference',
          object: 'Deployment/triage-backend',
          path: initImage(1),
          data: { problem: 'the image name is empty (only a tag or digest is given)' },
        },
      ],
    },
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
