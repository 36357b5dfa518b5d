import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { KeyPair } from './certs.js';

/** The context name of the local cluster in every kubeconfig it writes. */
export const LOCAL_CONTEXT = 'triage-local';

/** A kubeconfig with one cluster, one user (a client certificate) and one current context. */
export function writeKubeconfig(file: string, server: string, caFile: string, user: KeyPair): void {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: LOCAL_CONTEXT, cluster: { server, 'certificate-authority': caFile } }],
    users: [{ name: LOCAL_CONTEXT, user: { 'client-certificate': user.cert, 'client-key': user.key } }],
    contexts: [{ name: LOCAL_CONTEXT, context: { cluster: LOCAL_CONTEXT, user: LOCAL_CONTEXT } }],
    'current-context': LOCAL_CONTEXT,
    preferences: {},
  };
  writeFileSync(file, stringify(config), { mode: 0o600 });
}
