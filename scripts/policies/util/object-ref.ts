import type { Resource } from '../../core/resource.js';
import { displayKey } from '../../core/secret-keys.js';
import type { PolicyContext, PolicyDocs, RawFinding } from '../types.js';
import { asObject } from './json.js';
import { onlySyncedBy } from './spc.js';
import { objectReferences, podTemplate } from './workload.js';

/** Message templates shared by configmap-ref and secret-ref. */
export const OBJECT_REF_MESSAGES = {
  missing:
    '{{via}} references {{kind}} {{name}}, which this overlay does not render in namespace {{namespace}}.',
  notRewritten:
    '{{via}} references {{kind}} {{name}}, but the overlay renders {{candidate}}: kustomize did not rewrite this reference (namePrefix/nameSuffix or the generator’s hash suffix).',
  keyMissing: '{{via}} reads key {{key}} of {{kind}} {{name}}, which has no such key.',
};

/** The data keys a ConfigMap or Secret holds. */
function keysOf(object: Resource): Set<string> {
  const fields = object.kind === 'Secret' ? ['data', 'stringData'] : ['data', 'binaryData'];
  return new Set(fields.flatMap((field) => Object.keys(asObject(object.body[field]) ?? {})));
}

/**
 * The template behind configmap-ref and secret-ref: every non-optional reference of the pod to a
 * `kind` resolves to a rendered object (Secrets synced by a SecretProviderClass excepted) that has
 * the key read.
 */
export function checkObjectReferences(
  kind: 'ConfigMap' | 'Secret',
  resource: Resource,
  ctx: PolicyContext,
): RawFinding[] {
  const pod = podTemplate(resource);
  if (!pod) return [];
  const findings: RawFinding[] = [];
  for (const reference of objectReferences(pod)) {
    if (reference.kind !== kind || reference.optional) continue;
    const target = ctx.find(kind, reference.name, resource.namespace);
    const data = { via: reference.via, kind, name: reference.name };
    if (!target) {
      if (kind === 'Secret' && onlySyncedBy(ctx, reference.name, resource.namespace).length > 0) continue;
      // The rendered object the reference most likely meant: its name plus a prefix, suffix or hash.
      const candidate = ctx
        .findAll(kind, resource.namespace)
        .find((each) => each.name.includes(reference.name));
      findings.push(
        candidate
          ? { messageId: 'notRewritten', data: { ...data, candidate: candidate.name }, path: reference.path }
          : {
              messageId: 'missing',
              data: { ...data, namespace: resource.namespace ?? '(none)' },
              path: reference.path,
            },
      );
      continue;
    }
    if (reference.key !== undefined && !keysOf(target).has(reference.key)) {
      findings.push({
        messageId: 'keyMissing',
        // A missing key is in no map, so an invalid one gets the unnumbered marker.
        data: { ...data, key: displayKey(reference.key) },
        path: reference.keyPath ?? reference.path,
      });
    }
  }
  return findings;
}

export function objectRefDocs(kind: 'ConfigMap' | 'Secret'): Pick<PolicyDocs, 'rationale'> {
  return {
    rationale:
      `A pod that references a ${kind} the overlay does not render stays in \`CreateContainerConfigError\` (env) or ` +
      '`ContainerCreating` (volumes) — after the apply succeeded, so nothing before the rollout notices. References ' +
      'are compared with the rendered names, which already carry namePrefix/nameSuffix and the generators’ hash ' +
      'suffixes; a reference kustomize did not rewrite (typically from a sibling kustomization that does not include ' +
      'the generator) is reported with the name the overlay does render. `optional: true` references are skipped.',
  };
}
