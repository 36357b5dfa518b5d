import type { Resource } from '../core/resource.js';
import { displayKey, keyDisplay } from '../core/secret-keys.js';
import { definePolicy, type PolicyContext, type RawFinding } from './types.js';
import { asArray, asObject, asString } from './util/json.js';
import { onlySyncedBy, parseProviderObjects, SPC_KIND, spcParameter } from './util/spc.js';
import { csiVolumesOf, objectReferences, podTemplate, WORKLOAD_KINDS } from './util/workload.js';

function checkWorkload(resource: Resource, ctx: PolicyContext): RawFinding[] {
  const pod = podTemplate(resource);
  if (!pod) return [];
  const findings: RawFinding[] = [];
  for (const volume of csiVolumesOf(pod)) {
    const path = [...volume.path, 'csi', 'volumeAttributes', 'secretProviderClass'];
    const name = volume.providerClass;
    if (!name) {
      findings.push({ messageId: 'spcUnset', data: { volume: volume.name }, path });
      continue;
    }
    const spc =
      ctx.find(SPC_KIND, name, resource.namespace) ??
      ctx.findAll(SPC_KIND).find((each) => each.name === name);
    if (!spc) {
      // namePrefix/nameSuffix renamed the class but not this attribute (kustomize issue 3320).
      const renamed = ctx.findAll(SPC_KIND, resource.namespace).find((each) => each.name.includes(name));
      findings.push(
        renamed
          ? { messageId: 'spcRenamed', data: { volume: volume.name, name, rendered: renamed.name }, path }
          : {
              messageId: 'spcMissing',
              data: { volume: volume.name, name, namespace: resource.namespace ?? '(none)' },
              path,
            },
      );
    } else if (spc.namespace !== resource.namespace) {
      findings.push({
        messageId: 'spcNamespace',
        data: { name, actual: spc.namespace ?? '(none)', namespace: resource.namespace ?? '(none)' },
        path,
      });
    }
  }
  for (const reference of objectReferences(pod)) {
    if (reference.kind !== 'Secret') continue;
    const syncers = onlySyncedBy(ctx, reference.name, resource.namespace);
    if (syncers.length === 0) continue;
    const keys = [...new Set(syncers.flatMap((each) => each.keys))];
    const spc = syncers.map((each) => each.providerClass.name).join(' or ');
    if (reference.key !== undefined && !keys.includes(reference.key)) {
      findings.push({
        messageId: 'keyNotSynced',
        data: {
          via: reference.via,
          secret: reference.name,
          // Keys the API server would refuse may hold values: markers only, numbered among the synced keys.
          key: displayKey(reference.key),
          spc,
          keys: keys.map(keyDisplay(keys)).join(', ') || '(none)',
        },
        path: reference.keyPath ?? reference.path,
      });
    } else if (reference.wholeObject && keys.length === 0) {
      findings.push({
        messageId: 'noKeysSynced',
        data: { via: reference.via, secret: reference.name, spc },
        path: reference.path,
      });
    }
  }
  return findings;
}

function checkProviderClass(resource: Resource): RawFinding[] {
  const parsed = parseProviderObjects(spcParameter(resource, 'objects'));
  if (!parsed.ok) {
    return [
      {
        messageId: 'objectsUnparsable',
        data: { reason: parsed.reason },
        path: ['spec', 'parameters', 'objects'],
      },
    ];
  }
  const files = new Set(parsed.objects.map((each) => each.fileName));
  const findings: RawFinding[] = [];
  asArray(asObject(resource.body.spec)?.secretObjects).forEach((entry, i) => {
    asArray(asObject(entry)?.data).forEach((data, j) => {
      const objectName = asString(asObject(data)?.objectName);
      if (objectName === undefined || files.has(objectName)) return;
      const path = ['spec', 'secretObjects', i, 'data', j, 'objectName'];
      const aliased = parsed.objects.find(
        (each) => each.objectName === objectName && each.objectAlias !== undefined,
      );
      findings.push(
        aliased
          ? { messageId: 'objectAliased', data: { object: objectName, alias: aliased.fileName }, path }
          : {
              messageId: 'objectNotMounted',
              data: { object: objectName, objects: [...files].join(', ') || '(none)' },
              path,
            },
      );
    });
  });
  return findings;
}

export const csiReferencesPolicy = definePolicy<Record<string, never>>({
  id: 'csi-references',
  description:
    'CSI volumes name a SecretProviderClass of the overlay in the pod’s namespace, and synced Secrets hold the keys pods read from them.',
  remediation:
    'Make volumeAttributes.secretProviderClass the rendered SecretProviderClass name (patch it when namePrefix/nameSuffix ' +
    'renames the class), put the class in the pod’s namespace, and sync every key pods read: secretObjects[].data[].key, ' +
    'with objectName set to a file the `objects` parameter mounts (the alias when one is set).',
  defaultSeverity: 'error',
  kinds: [...WORKLOAD_KINDS, SPC_KIND],
  options: {},
  messages: {
    spcUnset: 'CSI volume {{volume}} names no SecretProviderClass (volumeAttributes.secretProviderClass).',
    spcMissing:
      'CSI volume {{volume}} names SecretProviderClass {{name}}, which this overlay does not render in namespace {{namespace}}.',
    spcRenamed:
      'CSI volume {{volume}} names SecretProviderClass {{name}}, but the overlay renders it as {{rendered}}: namePrefix/nameSuffix does not rewrite volumeAttributes (kustomize issue 3320).',
    spcNamespace:
      'SecretProviderClass {{name}} is rendered in namespace {{actual}}, not the pod’s namespace {{namespace}}; the driver looks it up in the pod’s namespace.',
    keyNotSynced:
      '{{via}} reads key {{key}} of Secret {{secret}}, which SecretProviderClass {{spc}} does not sync (it syncs {{keys}}).',
    noKeysSynced: '{{via}} reads Secret {{secret}}, to which SecretProviderClass {{spc}} syncs no key.',
    objectNotMounted:
      'secretObjects reads object {{object}}, which the objects parameter does not mount (it mounts {{objects}}).',
    objectAliased:
      'secretObjects reads object {{object}}, which the objects parameter mounts under its alias {{alias}}; use the alias.',
    objectsUnparsable: 'the objects parameter cannot be read: {{reason}}.',
  },
  docs: {
    rationale:
      'Each of these mistakes renders and applies cleanly, then fails at pod start: the driver cannot find the ' +
      'SecretProviderClass (kustomize’s namePrefix renames the object but not `volumeAttributes.secretProviderClass`, ' +
      'kustomize issue 3320; and the class must live in the pod’s namespace), or the synced Secret lacks the key ' +
      'the pod reads (`CreateContainerConfigError`), or `secretObjects` names a file the mount does not have ' +
      '(the mounted file is the `objectAlias` when one is set), so the Secret is never synced.',
    failing: `apiVersion: apps/v1
kind: Deployment
metadata: {name: prod-triage-backend, namespace: triage}
spec:
  selector: {matchLabels: {app: triage-backend}}
  template:
    metadata: {labels: {app: triage-backend}}
    spec:
      containers:
        - name: backend
          image: triageacr.azurecr.io/triage-backend:1.4.0
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
metadata: {name: prod-triage-keyvault, namespace: triage}
spec:
  provider: azure
  parameters:
    objects: |
      array:
        - |
          objectName: azure-openai-api-key
          objectType: secret`,
    passing: `apiVersion: apps/v1
kind: Deployment
metadata: {name: prod-triage-backend, namespace: triage}
spec:
  selector: {matchLabels: {app: triage-backend}}
  template:
    metadata: {labels: {app: triage-backend}}
    spec:
      containers:
        - name: backend
          image: triageacr.azurecr.io/triage-backend:1.4.0
          volumeMounts: [{name: keyvault-secrets, mountPath: /mnt/secrets-store, readOnly: true}]
      volumes:
        - name: keyvault-secrets
          csi:
            driver: secrets-store.csi.k8s.io
            readOnly: true
            volumeAttributes: {secretProviderClass: prod-triage-keyvault}
---
apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata: {name: prod-triage-keyvault, namespace: triage}
spec:
  provider: azure
  parameters:
    objects: |
      array:
        - |
          objectName: azure-openai-api-key
          objectType: secret`,
  },
  check(resource, ctx) {
    return resource.kind === SPC_KIND ? checkProviderClass(resource) : checkWorkload(resource, ctx);
  },
});
