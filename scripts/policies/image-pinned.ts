// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${REGISTRY} here is an envsubst placeholder in an image, not a JS template
import { definePolicy, type RawFinding } from './types.js';
import { parseImageReference } from './util/image-ref.js';
import { asString } from './util/json.js';
import { containersOf, podTemplate, WORKLOAD_KINDS } from './util/workload.js';

/** Semantic Versioning 2.0 MAJOR.MINOR.PATCH, with an optional `v`, pre-release and build metadata. */
const EXACT_VERSION = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

export const imagePinnedPolicy = definePolicy<{ requireExactVersion: boolean; requireDigest: boolean }>({
  id: 'image-pinned',
  description:
    'Container images are references a node can pull, with a tag other than latest; in prod an exact MAJOR.MINOR.PATCH version or a digest.',
  remediation:
    'Set the image in the overlay’s `images:` list (newTag: an exact release such as 1.4.0, and ideally digest: sha256:…) ' +
    'instead of latest or a moving tag such as 1 or 1.4; replace placeholders such as <ACR_NAME> or ${REGISTRY} with the real registry.',
  defaultSeverity: 'error',
  kinds: [...WORKLOAD_KINDS],
  options: {
    requireExactVersion: {
      description: 'Whether a tag must be an exact MAJOR.MINOR.PATCH version when no digest pins the image.',
      schema: { type: 'boolean' },
      default: false,
      envDefaults: { prod: true },
    },
    requireDigest: {
      description: 'Whether every image must be pinned by digest.',
      schema: { type: 'boolean' },
      default: false,
    },
  },
  messages: {
    placeholder:
      'image {{image}} of container {{container}} cannot be pulled: {{placeholder}} is a placeholder left in the image; set the real value (the overlay’s `images:` list can).',
    invalidReference: 'image {{image}} of container {{container}} cannot be pulled: {{problem}}.',
    untagged:
      'image {{image}} of container {{container}} has neither a tag nor a digest, so it means :latest.',
    latest: 'image {{image}} of container {{container}} uses the tag latest, which moves with every push.',
    movingTag:
      'image {{image}} of container {{container}} uses tag {{tag}}, which is not an exact MAJOR.MINOR.PATCH version and can move; pin a release or a digest in {{env}}.',
    digestRequired: 'image {{image}} of container {{container}} is not pinned by digest.',
  },
  docs: {
    rationale:
      'A tag that moves makes the running version depend on when a node pulled the image: two pods of one ' +
      'ReplicaSet can run different code, a rollback does not roll back, and a diff of the manifests says nothing ' +
      'about what changed. `latest` (or no tag) is refused everywhere. In prod a tag must be an exact semantic ' +
      'version — `1.4.0`, `v1.4.0`, `1.5.0-rc.2` — because `1` and `1.4` are moving tags by convention (they follow ' +
      'the newest patch); a digest (`@sha256:…`) pins the image whatever the tag. kustomize’s `images:` list with ' +
      '`newTag` and `digest` is the place to set it. A reference the kubelet cannot parse (a placeholder such as ' +
      '`<ACR_NAME>` or `${REGISTRY}` left in, upper case in the repository path, a tag or digest of the wrong form) ' +
      'never starts: the pod sits in InvalidImageName or ErrImagePull, so it is refused everywhere.',
    failing: `apiVersion: apps/v1
kind: Deployment
metadata: {name: triage-backend, namespace: triage}
spec:
  selector: {matchLabels: {app: triage-backend}}
  template:
    metadata: {labels: {app: triage-backend}}
    spec:
      containers: [{name: backend, image: triageacr.azurecr.io/triage-backend:1.4}]`,
    passing: `apiVersion: apps/v1
kind: Deployment
metadata: {name: triage-backend, namespace: triage}
spec:
  selector: {matchLabels: {app: triage-backend}}
  template:
    metadata: {labels: {app: triage-backend}}
    spec:
      containers:
        - name: backend
          image: triageacr.azurecr.io/triage-backend:1.4.0@sha256:3f1c5e8a9b7d6c4e2f0a1b3c5d7e9f8a6b4c2d0e1f3a5b7c9d8e6f4a2b0c1d3e`,
  },
  check(resource, ctx) {
    const pod = podTemplate(resource);
    if (!pod) return [];
    const findings: RawFinding[] = [];
    for (const { container, name, path } of containersOf(pod)) {
      const image = asString(container.image);
      if (image === undefined) continue;
      const data = { image, container: name };
      const at = [...path, 'image'];
      const reference = parseImageReference(image);
      if (!reference.ok) {
        if (reference.placeholder !== undefined) {
          findings.push({
            messageId: 'placeholder',
            data: { ...data, placeholder: reference.placeholder },
            path: at,
          });
        } else
          findings.push({
            messageId: 'invalidReference',
            data: { ...data, problem: reference.problem },
            path: at,
          });
        continue;
      }
      const { tag, digest } = reference;
      if (digest) continue;
      if (ctx.options.requireDigest) findings.push({ messageId: 'digestRequired', data, path: at });
      else if (tag === undefined) findings.push({ messageId: 'untagged', data, path: at });
      else if (tag === 'latest') findings.push({ messageId: 'latest', data, path: at });
      else if (ctx.options.requireExactVersion && !EXACT_VERSION.test(tag)) {
        findings.push({ messageId: 'movingTag', data: { ...data, tag, env: ctx.env }, path: at });
      }
    }
    return findings;
  },
});
