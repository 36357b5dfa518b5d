import { definePolicy, type RawFinding } from './types.js';
import { scaleTargetRef } from './util/hpa.js';
import { SCALABLE_KINDS } from './util/workload.js';

/** The group/version each kind an HPA may scale is served at. */
const API_VERSIONS: Record<string, string> = { Deployment: 'apps/v1', StatefulSet: 'apps/v1' };

export const hpaTargetExistsPolicy = definePolicy<Record<string, never>>({
  id: 'hpa-target-exists',
  description:
    'A HorizontalPodAutoscaler’s scaleTargetRef names a Deployment or StatefulSet the same overlay renders in its namespace.',
  remediation:
    'Point spec.scaleTargetRef at the workload’s kind, apiVersion (apps/v1) and source name; keep the HPA and the ' +
    'workload in the same kustomization tree so namePrefix/nameSuffix rename both.',
  defaultSeverity: 'error',
  kinds: ['HorizontalPodAutoscaler'],
  options: {},
  messages: {
    unsupportedKind:
      'scaleTargetRef kind is {{kind}}; this repository scales only a Deployment or a StatefulSet.',
    targetMissing:
      'scaleTargetRef names {{kind}} {{name}}, which this overlay does not render in namespace {{namespace}}.',
    targetRenamed:
      'scaleTargetRef names {{kind}} {{name}}, which this overlay does not render; it renders {{candidate}}, so kustomize did not rename the reference.',
    wrongApiVersion: 'scaleTargetRef apiVersion is {{actual}}; a {{kind}} is served as {{expected}}.',
  },
  docs: {
    rationale:
      'An HPA whose target does not exist does nothing and reports `FailedGetScale` only in its events; the ' +
      'workload then runs at whatever replica count it was created with. kustomize renames the reference with ' +
      'namePrefix/nameSuffix only when it can match the target’s kind and apiVersion, so a typo there also ' +
      'leaves a dangling name.',
    failing: `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: triage-backend-hpa
  namespace: triage
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: triage-api}
  minReplicas: 3
  maxReplicas: 10`,
    passing: `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: triage-backend-hpa
  namespace: triage
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: triage-backend}
  minReplicas: 3
  maxReplicas: 10
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: triage-backend
  namespace: triage
spec:
  selector: {matchLabels: {app: triage-backend}}
  template:
    metadata: {labels: {app: triage-backend}}
    spec:
      containers: [{name: backend, image: triageacr.azurecr.io/triage-backend:1.4.0}]`,
  },
  check(resource, ctx) {
    const ref = scaleTargetRef(resource);
    const kind = ref.kind ?? '';
    const name = ref.name ?? '';
    const findings: RawFinding[] = [];
    if (!(SCALABLE_KINDS as readonly string[]).includes(kind)) {
      return [
        {
          messageId: 'unsupportedKind',
          data: { kind: kind || '(none)' },
          path: ['spec', 'scaleTargetRef', 'kind'],
        },
      ];
    }
    const target = ctx.find(kind, name, resource.namespace);
    if (!target) {
      // A rendered workload whose name contains the reference was most likely renamed by namePrefix/nameSuffix.
      const candidate = ctx
        .findAll(kind, resource.namespace)
        .find((each) => name !== '' && each.name !== name && each.name.includes(name));
      findings.push(
        candidate
          ? {
              messageId: 'targetRenamed',
              data: { kind, name, candidate: candidate.name },
              path: ['spec', 'scaleTargetRef', 'name'],
            }
          : {
              messageId: 'targetMissing',
              data: { kind, name: name || '(none)', namespace: resource.namespace ?? '(none)' },
              path: ['spec', 'scaleTargetRef', 'name'],
            },
      );
    }
    const expected = API_VERSIONS[kind];
    if (expected && ref.apiVersion !== expected) {
      findings.push({
        messageId: 'wrongApiVersion',
        data: { actual: ref.apiVersion ?? '(none)', kind, expected },
        path: ['spec', 'scaleTargetRef', 'apiVersion'],
      });
    }
    return findings;
  },
});
