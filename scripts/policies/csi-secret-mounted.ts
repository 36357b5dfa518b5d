import { definePolicy, type RawFinding } from './types.js';
import { asArray, asObject, asString } from './util/json.js';
import { onlySyncedBy } from './util/spc.js';
import {
  containersOf,
  csiVolumesOf,
  objectReferences,
  podTemplate,
  WORKLOAD_KINDS,
} from './util/workload.js';

export const csiSecretMountedPolicy = definePolicy<Record<string, never>>({
  id: 'csi-secret-mounted',
  description:
    'A pod that reads a Secret only a SecretProviderClass syncs also mounts the CSI volume of that SecretProviderClass.',
  remediation:
    'Add a csi volume (driver secrets-store.csi.k8s.io, volumeAttributes.secretProviderClass: <class>) and a read-only ' +
    'volumeMount to the pod that reads the synced Secret (the keyvault-csi component’s Deployment patch does this).',
  defaultSeverity: 'error',
  kinds: [...WORKLOAD_KINDS],
  options: {},
  messages: {
    notMounted:
      '{{via}} reads Secret {{secret}}, which only SecretProviderClass {{spc}} syncs, but the pod mounts no CSI volume of that class: the Secret exists only while such a pod runs.',
    volumeUnused:
      'CSI volume {{volume}} (SecretProviderClass {{spc}}) is mounted by no container; mount it read-only so the secrets are fetched and Secret {{secret}} is synced.',
  },
  docs: {
    rationale:
      'The Secrets Store CSI driver creates a `secretObjects` Secret only while some pod mounts the CSI volume, and ' +
      'deletes it when the last such pod goes. A pod that reads the Secret through env or envFrom without mounting ' +
      'the volume itself works only by accident (another pod happens to mount it) and fails with ' +
      '`CreateContainerConfigError` on a fresh cluster or after a rollout.',
    failing: `apiVersion: apps/v1
kind: Deployment
metadata: {name: triage-backend, namespace: triage}
spec:
  selector: {matchLabels: {app: triage-backend}}
  template:
    metadata: {labels: {app: triage-backend}}
    spec:
      containers:
        - name: backend
          image: triageacr.azurecr.io/triage-backend:1.4.0
          envFrom: [{secretRef: {name: triage-secrets}}]
---
apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata: {name: triage-keyvault, namespace: triage}
spec:
  provider: azure
  secretObjects:
    - secretName: triage-secrets
      type: Opaque
      data: [{objectName: azure-openai-api-key, key: AZURE_OPENAI_API_KEY}]`,
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
          image: triageacr.azurecr.io/triage-backend:1.4.0
          envFrom: [{secretRef: {name: triage-secrets}}]
          volumeMounts: [{name: keyvault-secrets, mountPath: /mnt/secrets-store, readOnly: true}]
      volumes:
        - name: keyvault-secrets
          csi:
            driver: secrets-store.csi.k8s.io
            readOnly: true
            volumeAttributes: {secretProviderClass: triage-keyvault}
---
apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata: {name: triage-keyvault, namespace: triage}
spec:
  provider: azure
  secretObjects:
    - secretName: triage-secrets
      type: Opaque
      data: [{objectName: azure-openai-api-key, key: AZURE_OPENAI_API_KEY}]`,
  },
  check(resource, ctx) {
    const pod = podTemplate(resource);
    if (!pod) return [];
    const csiVolumes = csiVolumesOf(pod);
    const mounted = new Set(
      containersOf(pod).flatMap(({ container }) =>
        asArray(container.volumeMounts).flatMap((mount) => asString(asObject(mount)?.name) ?? []),
      ),
    );
    const findings: RawFinding[] = [];
    const reportedVolumes = new Set<string>();
    for (const reference of objectReferences(pod)) {
      if (reference.kind !== 'Secret') continue;
      const syncers = onlySyncedBy(ctx, reference.name, resource.namespace);
      if (syncers.length === 0) continue;
      const classes = new Set(syncers.map((each) => each.providerClass.name));
      const volume = csiVolumes.find(
        (each) => each.providerClass !== undefined && classes.has(each.providerClass),
      );
      if (!volume) {
        findings.push({
          messageId: 'notMounted',
          data: { via: reference.via, secret: reference.name, spc: [...classes].join(' or ') },
          path: reference.path,
        });
      } else if (!mounted.has(volume.name) && !reportedVolumes.has(volume.name)) {
        reportedVolumes.add(volume.name);
        findings.push({
          messageId: 'volumeUnused',
          data: { volume: volume.name, spc: volume.providerClass ?? '', secret: reference.name },
          path: [...volume.path, 'name'],
        });
      }
    }
    return findings;
  },
});
