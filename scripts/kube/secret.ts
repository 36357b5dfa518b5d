import { expectKind, type Json, list, record, text } from './json.js';

export const CSI_MANAGED_LABEL = 'secrets-store.csi.k8s.io/managed';

/** A Secret as far as the load test may know it: names of keys, never values. */
export interface SecretKeys {
  name: string;
  type: string;
  keys: string[];
  /** Created by the Secrets Store CSI driver from a SecretProviderClass (label managed=true). */
  managedByCsi: boolean;
}

/** Reads key names only; values are dropped here and go no further. */
export function readSecretKeys(secret: Json): SecretKeys {
  expectKind(secret, 'Secret');
  return {
    name: text(secret, 'metadata', 'name') ?? '?',
    type: text(secret, 'type') ?? 'Opaque',
    keys: Object.keys({ ...record(secret, 'data'), ...record(secret, 'stringData') }).sort(),
    managedByCsi: record(secret, 'metadata', 'labels')[CSI_MANAGED_LABEL] === 'true',
  };
}

export interface SecretProviderClassState {
  name: string;
  provider?: string;
  /** Secrets it syncs (spec.secretObjects[].secretName), with the keys each gets. */
  syncedSecrets: { name: string; keys: string[] }[];
}

export function readSecretProviderClass(spc: Json): SecretProviderClassState {
  expectKind(spc, 'SecretProviderClass');
  return {
    name: text(spc, 'metadata', 'name') ?? '?',
    provider: text(spc, 'spec', 'provider'),
    syncedSecrets: list(spc, 'spec', 'secretObjects').map((object) => ({
      name: text(object, 'secretName') ?? '?',
      keys: list(object, 'data')
        .map((entry) => text(entry, 'key'))
        .filter((key): key is string => key !== undefined),
    })),
  };
}
