import type { Resource } from '../core/resource.js';
import { definePolicy, type RawFinding } from './types.js';
import { hpasTargeting } from './util/hpa.js';
import { asArray, asObject, asString } from './util/json.js';
import { SCALABLE_KINDS } from './util/workload.js';

const REPLICAS_POINTER = '/spec/replicas';
const REPLICAS_JQ = '.spec.replicas';
/** The manager name of the HPA controller's writes to spec.replicas. */
const HPA_MANAGER = 'kube-controller-manager';

type ArgoVerdict = 'ignores' | 'notIgnoring' | 'notRespecting';

/** Whether an Argo CD Application leaves the workload's spec.replicas alone when it syncs. */
function argoVerdict(application: Resource, workload: Resource): ArgoVerdict {
  const spec = asObject(application.body.spec);
  const group = workload.apiVersion.includes('/') ? workload.apiVersion.split('/')[0] : '';
  const listed = asArray(spec?.ignoreDifferences).some((value) => {
    const entry = asObject(value);
    if (!entry) return false;
    const kind = asString(entry.kind);
    const name = asString(entry.name);
    const namespace = asString(entry.namespace);
    if ((asString(entry.group) ?? '') !== group || (kind !== workload.kind && kind !== '*')) return false;
    if (name !== undefined && name !== workload.name) return false;
    if (namespace !== undefined && workload.namespace !== undefined && namespace !== workload.namespace)
      return false;
    return (
      asArray(entry.jsonPointers).includes(REPLICAS_POINTER) ||
      asArray(entry.jqPathExpressions).includes(REPLICAS_JQ) ||
      asArray(entry.managedFieldsManagers).includes(HPA_MANAGER)
    );
  });
  if (!listed) return 'notIgnoring';
  const options = asArray(asObject(spec?.syncPolicy)?.syncOptions);
  return options.includes('RespectIgnoreDifferences=true') ? 'ignores' : 'notRespecting';
}

export const hpaReplicasOwnedPolicy = definePolicy<Record<string, never>>({
  id: 'hpa-replicas-owned',
  description:
    'A workload an HPA scales leaves spec.replicas out, unless every controller syncing the overlay ignores it.',
  remediation:
    'Remove spec.replicas from the workload (base and patches): the HPA owns the count. Only if the field must stay, ' +
    'have every Argo CD Application syncing the overlay ignore /spec/replicas with RespectIgnoreDifferences=true.',
  defaultSeverity: 'error',
  kinds: [...SCALABLE_KINDS],
  options: {},
  messages: {
    replicasSet:
      'spec.replicas is {{replicas}} while HorizontalPodAutoscaler {{hpa}} owns the count: every apply resets it to {{replicas}}.',
    argoNotIgnoring:
      'spec.replicas is {{replicas}} while HorizontalPodAutoscaler {{hpa}} owns the count, and Argo CD Application {{controller}} does not ignore /spec/replicas: every sync resets it.',
    argoNotRespecting:
      'spec.replicas is {{replicas}} while HorizontalPodAutoscaler {{hpa}} owns the count; Argo CD Application {{controller}} ignores /spec/replicas only in the diff (no RespectIgnoreDifferences=true), so a sync still resets it.',
    fluxResets:
      'spec.replicas is {{replicas}} while HorizontalPodAutoscaler {{hpa}} owns the count, and Flux Kustomization {{controller}} applies it on every reconcile.',
  },
  docs: {
    rationale:
      'Git and the HPA cannot both own the replica count. With `spec.replicas` in the manifests, every sync ' +
      'or reconcile scales the workload back to the committed number, then the HPA scales it out again: ' +
      'pods churn, and under load capacity drops at the worst moment.\n\n' +
      'Advice on this differs: some guides keep `replicas` and tell Argo CD to ignore the field, others leave it ' +
      'out. This repository takes the GitOps-correct side and leaves it out, because that works with every ' +
      'controller: Argo CD’s `ignoreDifferences` only affects the diff unless the Application also sets ' +
      '`RespectIgnoreDifferences=true`, and the Flux shipped by the AKS `microsoft.flux` extension cannot ignore ' +
      'the field at all. Leaving the field out of a new Deployment creates it with one pod, which the HPA raises ' +
      'to minReplicas within a controller period (15 s). The rule therefore accepts `spec.replicas` only when ' +
      'every controller syncing the overlay provably ignores it.',
    failing: `apiVersion: apps/v1
kind: Deployment
metadata: {name: triage-backend, namespace: triage}
spec:
  replicas: 1
  selector: {matchLabels: {app: triage-backend}}
  template:
    metadata: {labels: {app: triage-backend}}
    spec:
      containers: [{name: backend, image: triageacr.azurecr.io/triage-backend:1.4.0}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: triage-backend-hpa, namespace: triage}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: triage-backend}
  minReplicas: 3
  maxReplicas: 10`,
    passing: `apiVersion: apps/v1
kind: Deployment
metadata: {name: triage-backend, namespace: triage}
spec:
  selector: {matchLabels: {app: triage-backend}}
  template:
    metadata: {labels: {app: triage-backend}}
    spec:
      containers: [{name: backend, image: triageacr.azurecr.io/triage-backend:1.4.0}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: triage-backend-hpa, namespace: triage}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: triage-backend}
  minReplicas: 3
  maxReplicas: 10`,
  },
  check(resource, ctx) {
    const replicas = asObject(resource.body.spec)?.replicas;
    if (replicas === undefined || replicas === null) return [];
    const hpa = hpasTargeting(ctx, resource)[0];
    if (!hpa) return [];
    const path = ['spec', 'replicas'];
    const data = { replicas: String(replicas), hpa: hpa.name };
    if (ctx.controllers.length === 0) return [{ messageId: 'replicasSet', data, path }];
    const findings: RawFinding[] = [];
    for (const controller of ctx.controllers) {
      if (controller.kind === 'Application') {
        const verdict = argoVerdict(controller, resource);
        if (verdict !== 'ignores')
          findings.push({
            messageId: verdict === 'notIgnoring' ? 'argoNotIgnoring' : 'argoNotRespecting',
            data: { ...data, controller: controller.name },
            path,
          });
      } else {
        findings.push({ messageId: 'fluxResets', data: { ...data, controller: controller.name }, path });
      }
    }
    return findings;
  },
});
