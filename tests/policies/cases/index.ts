import type { PolicyCases } from '../harness.js';
import { cases as configmapRef } from './configmap-ref.js';
import { cases as csiIdentity } from './csi-identity.js';
import { cases as csiReferences } from './csi-references.js';
import { cases as csiSecretMounted } from './csi-secret-mounted.js';
import { cases as hpaBounds } from './hpa-bounds.js';
import { cases as hpaCpuTarget } from './hpa-cpu-target.js';
import { cases as hpaReplicasOwned } from './hpa-replicas-owned.js';
import { cases as hpaRequests } from './hpa-requests.js';
import { cases as hpaTargetExists } from './hpa-target-exists.js';
import { cases as imagePinned } from './image-pinned.js';
import { cases as ingressBackend } from './ingress-backend.js';
import { cases as noPlaintextSecret } from './no-plaintext-secret.js';
import { cases as pdbVsHpa } from './pdb-vs-hpa.js';
import { cases as probes } from './probes.js';
import { cases as resources } from './resources.js';
import { cases as secretInConfig } from './secret-in-config.js';
import { cases as secretRef } from './secret-ref.js';
import { cases as securityContext } from './security-context.js';
import { cases as serviceSelector } from './service-selector.js';
import { cases as serviceaccountExists } from './serviceaccount-exists.js';
import { cases as suppressionReason } from './suppression-reason.js';

/** One table per policy, in the order of scripts/policies/index.ts. */
export const policyCases: readonly PolicyCases[] = [
  configmapRef,
  csiIdentity,
  csiReferences,
  csiSecretMounted,
  hpaBounds,
  hpaCpuTarget,
  hpaReplicasOwned,
  hpaRequests,
  hpaTargetExists,
  imagePinned,
  ingressBackend,
  noPlaintextSecret,
  pdbVsHpa,
  probes,
  resources,
  secretInConfig,
  secretRef,
  securityContext,
  serviceSelector,
  serviceaccountExists,
  suppressionReason,
];
