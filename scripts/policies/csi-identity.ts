import type { Resource } from '../core/resource.js';
import { definePolicy, type PolicyContext, type RawFinding } from './types.js';
import { asObject, asString, asStringMap } from './util/json.js';
import { isUnsetIdentifier } from './util/secrets.js';
import { SPC_KIND, spcParameter } from './util/spc.js';
import { csiVolumesOf, podTemplate, WORKLOAD_KINDS } from './util/workload.js';

const CLIENT_ID_ANNOTATION = 'azure.workload.identity/client-id';
const USE_LABEL = 'azure.workload.identity/use';
/** The parameters workload identity needs, with what each names. */
const REQUIRED_PARAMETERS = ['clientID', 'keyvaultName', 'tenantId'] as const;

function isAzure(spc: Resource): boolean {
  return asString(asObject(spc.body.spec)?.provider) === 'azure';
}

function checkProviderClass(spc: Resource): RawFinding[] {
  if (!isAzure(spc)) return [];
  const findings: RawFinding[] = [];
  if (spcParameter(spc, 'usePodIdentity')?.toLowerCase() === 'true') {
    findings.push({ messageId: 'podIdentity', path: ['spec', 'parameters', 'usePodIdentity'] });
  }
  for (const param of REQUIRED_PARAMETERS) {
    const value = spcParameter(spc, param);
    if (isUnsetIdentifier(value)) {
      findings.push({
        messageId: 'parameterUnset',
        data: { param, value: value === undefined ? '(missing)' : JSON.stringify(value) },
        path: ['spec', 'parameters', param],
      });
    }
  }
  return findings;
}

function checkWorkload(resource: Resource, ctx: PolicyContext): RawFinding[] {
  const pod = podTemplate(resource);
  if (!pod) return [];
  const classes = csiVolumesOf(pod)
    .map((volume) =>
      volume.providerClass ? ctx.find(SPC_KIND, volume.providerClass, resource.namespace) : undefined,
    )
    .filter((spc): spc is Resource => spc !== undefined && isAzure(spc));
  if (classes.length === 0) return [];
  const findings: RawFinding[] = [];
  if (pod.labels[USE_LABEL] !== 'true') {
    findings.push({ messageId: 'podLabelMissing', path: [...pod.metadataPath, 'labels', USE_LABEL] });
  }
  const saName = asString(pod.spec.serviceAccountName) ?? asString(pod.spec.serviceAccount) ?? 'default';
  const saPath = [...pod.specPath, 'serviceAccountName'];
  const sa = ctx.find('ServiceAccount', saName, resource.namespace);
  if (!sa) {
    findings.push({ messageId: 'serviceAccountMissing', data: { sa: saName }, path: saPath });
    return findings;
  }
  const clientId = asStringMap(asObject(sa.body.metadata)?.annotations)[CLIENT_ID_ANNOTATION];
  if (isUnsetIdentifier(clientId)) {
    findings.push({ messageId: 'serviceAccountNoClientId', data: { sa: saName }, path: saPath });
    return findings;
  }
  for (const spc of new Set(classes)) {
    const spcClientId = spcParameter(spc, 'clientID');
    if (
      !isUnsetIdentifier(spcClientId) &&
      spcClientId?.trim().toLowerCase() !== clientId?.trim().toLowerCase()
    ) {
      findings.push({ messageId: 'clientIdMismatch', data: { sa: saName, spc: spc.name }, path: saPath });
    }
  }
  return findings;
}

export const csiIdentityPolicy = definePolicy<Record<string, never>>({
  id: 'csi-identity',
  description:
    'Key Vault access uses workload identity: the SecretProviderClass names the identity, vault and tenant, and the pod runs as a ServiceAccount federated with that identity.',
  remediation:
    'Set parameters clientID, keyvaultName and tenantId in the overlay’s SecretProviderClass patch with usePodIdentity "false"; ' +
    'run the pod as a ServiceAccount annotated azure.workload.identity/client-id with the same client id; label the pod ' +
    'template azure.workload.identity/use: "true".',
  defaultSeverity: 'error',
  kinds: [...WORKLOAD_KINDS, SPC_KIND],
  options: {},
  messages: {
    podIdentity:
      'usePodIdentity is "true": AAD pod identity is retired; use workload identity (clientID) with usePodIdentity "false".',
    parameterUnset: 'parameters.{{param}} is {{value}}; the overlay must set it.',
    podLabelMissing:
      'the pod template lacks the label azure.workload.identity/use: "true", so no federated token is injected and the mount fails.',
    serviceAccountMissing:
      'the pod runs as ServiceAccount {{sa}}, which this overlay does not render with a workload identity.',
    serviceAccountNoClientId:
      'ServiceAccount {{sa}} has no azure.workload.identity/client-id annotation (or only a placeholder).',
    clientIdMismatch:
      'ServiceAccount {{sa}} names a different client id than SecretProviderClass {{spc}}; the token exchange only works for the identity federated with the ServiceAccount.',
  },
  warningOnly: ['clientIdMismatch'],
  docs: {
    rationale:
      'With workload identity the CSI driver exchanges the pod’s ServiceAccount token for an Entra ID token of the ' +
      'identity named by `clientID`. That needs the pod label `azure.workload.identity/use: "true"`, a ServiceAccount ' +
      'annotated with the identity’s client id (federated for `system:serviceaccount:<namespace>:<name>`), and real ' +
      'vault, tenant and client ids — the component ships `set-by-overlay` placeholders and the base the zero GUID. ' +
      'A different client id on the ServiceAccount than in the SecretProviderClass is reported as a warning: it can ' +
      'be deliberate, but usually is a copy-paste slip.',
    failing: `apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata: {name: triage-keyvault, namespace: triage}
spec:
  provider: azure
  parameters:
    usePodIdentity: "false"
    clientID: set-by-overlay
    keyvaultName: set-by-overlay
    tenantId: set-by-overlay`,
    passing: `apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata: {name: triage-keyvault, namespace: triage}
spec:
  provider: azure
  parameters:
    usePodIdentity: "false"
    clientID: 6a1f3c2e-8b4d-4e7a-9c5f-2d8e1b0a7f34
    keyvaultName: kv-triage-prod
    tenantId: 5b8e2d41-7c3a-4f9e-b6d2-0a1c9e8f7b35`,
  },
  check(resource, ctx) {
    return resource.kind === SPC_KIND ? checkProviderClass(resource) : checkWorkload(resource, ctx);
  },
});
