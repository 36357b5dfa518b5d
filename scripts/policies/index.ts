import { ENGINE_RULES, type RuleCatalogue } from '../config/catalogue.js';
import { configmapRefPolicy } from './configmap-ref.js';
import { csiIdentityPolicy } from './csi-identity.js';
import { csiReferencesPolicy } from './csi-references.js';
import { csiSecretMountedPolicy } from './csi-secret-mounted.js';
import { hpaBoundsPolicy } from './hpa-bounds.js';
import { hpaCpuTargetPolicy } from './hpa-cpu-target.js';
import { hpaReplicasOwnedPolicy } from './hpa-replicas-owned.js';
import { hpaRequestsPolicy } from './hpa-requests.js';
import { hpaTargetExistsPolicy } from './hpa-target-exists.js';
import { imagePinnedPolicy } from './image-pinned.js';
import { ingressBackendPolicy } from './ingress-backend.js';
import { noPlaintextSecretPolicy } from './no-plaintext-secret.js';
import { pdbVsHpaPolicy } from './pdb-vs-hpa.js';
import { probesPolicy } from './probes.js';
import { resourcesPolicy } from './resources.js';
import { secretInConfigPolicy } from './secret-in-config.js';
import { secretRefPolicy } from './secret-ref.js';
import { securityContextPolicy } from './security-context.js';
import { serviceSelectorPolicy } from './service-selector.js';
import { serviceaccountExistsPolicy } from './serviceaccount-exists.js';
import { suppressionReasonPolicy } from './suppression-reason.js';
import type { Policy } from './types.js';

/** Every policy, sorted by id. */
export const policies: readonly Policy[] = [
  configmapRefPolicy,
  csiIdentityPolicy,
  csiReferencesPolicy,
  csiSecretMountedPolicy,
  hpaBoundsPolicy,
  hpaCpuTargetPolicy,
  hpaReplicasOwnedPolicy,
  hpaRequestsPolicy,
  hpaTargetExistsPolicy,
  imagePinnedPolicy,
  ingressBackendPolicy,
  noPlaintextSecretPolicy,
  pdbVsHpaPolicy,
  probesPolicy,
  resourcesPolicy,
  secretInConfigPolicy,
  secretRefPolicy,
  securityContextPolicy,
  serviceSelectorPolicy,
  serviceaccountExistsPolicy,
  suppressionReasonPolicy,
];

/**
 * Every rule the tool knows, sorted by id: the engine's own (`schema`) and the policies. This is
 * what callers hand to config/ (loadConfig, buildConfigSchema, knownRuleIds).
 */
export const ruleCatalogue: RuleCatalogue = [...ENGINE_RULES, ...policies].sort((a, b) =>
  a.id.localeCompare(b.id),
);

/** The policy with this id, if any. */
export function policyById(id: string): Policy | undefined {
  return policies.find((policy) => policy.id === id);
}

/** Whether a policy looks at objects of this kind. */
export function appliesTo(policy: Policy, kind: string): boolean {
  return policy.kinds.includes('*') || policy.kinds.includes(kind);
}
