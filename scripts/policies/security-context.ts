import type { Resource } from '../core/resource.js';
import { type CheckedLevel, evaluatePod, LATEST, parseVersion } from './pod-security/evaluate.js';
import { CONTROLS } from './pod-security/standard.js';
import { definePolicy, type PolicyContext, type RawFinding } from './types.js';
import { asObject, asStringMap } from './util/json.js';
import { containersOf, podTemplate, WORKLOAD_KINDS } from './util/workload.js';

/** Checks of this rule that the Pod Security Standards do not make; kept apart from the table. */
const HARDENING_MESSAGES = {
  writableRootFilesystem:
    'container {{container}} does not set readOnlyRootFilesystem: true (hardening beyond the Pod Security Standards).',
};

/** Every control's messages, each citing the level checked and the control's name. */
function controlMessages(): Record<string, string> {
  const messages: Record<string, string> = {};
  for (const control of CONTROLS) {
    for (const [id, template] of Object.entries(control.messages)) {
      const text = `Pod Security "{{level}}" ({{levelSource}}), control "${control.name}": ${template}`;
      // Two controls share a message id only when they say the same (restricted Seccomp over baseline's).
      if (messages[id] !== undefined && messages[id] !== text)
        throw new Error(`security-context: message id ${id} is used by two controls with different texts`);
      messages[id] = text;
    }
  }
  return messages;
}

const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
const ENFORCE_VERSION_LABEL = 'pod-security.kubernetes.io/enforce-version';
const STRICTNESS: readonly CheckedLevel[] = ['privileged', 'baseline', 'restricted'];

/** The level (and version) a pod is judged at, and where it came from, for the messages. */
interface EffectiveLevel {
  level: CheckedLevel;
  version: string;
  source: string;
}

/**
 * The stricter of the configured level and the enforce label of the workload's Namespace, when the
 * overlay renders that Namespace: the API server rejects pods that break the label's level, whatever
 * the config says.
 */
function effectiveLevel(resource: Resource, ctx: PolicyContext<SecurityContextOptions>): EffectiveLevel {
  const configured: EffectiveLevel = {
    level: ctx.options.level,
    version: ctx.options.version,
    source: `the level set for ${ctx.env}`,
  };
  if (resource.namespace === undefined) return configured;
  const namespace = ctx.find('Namespace', resource.namespace, undefined);
  const labels = asStringMap(asObject(namespace?.body.metadata)?.labels);
  const label = labels[ENFORCE_LABEL] as CheckedLevel | undefined;
  if (!label || !STRICTNESS.includes(label)) return configured;
  if (STRICTNESS.indexOf(label) <= STRICTNESS.indexOf(configured.level)) return configured;
  const labelVersion = labels[ENFORCE_VERSION_LABEL];
  return {
    level: label,
    // The admission controller reads an unset or unparsable version as latest.
    version: labelVersion !== undefined && parseVersion(labelVersion) !== undefined ? labelVersion : 'latest',
    source: `label ${ENFORCE_LABEL} of Namespace ${resource.namespace}`,
  };
}

type SecurityContextOptions = {
  level: CheckedLevel;
  version: string;
  readOnlyRootFilesystem: boolean;
};

export const securityContextPolicy = definePolicy<SecurityContextOptions>({
  id: 'security-context',
  description:
    'Pod templates meet the Kubernetes Pod Security Standard of the environment (restricted in prod, baseline elsewhere), and run on a read-only root filesystem.',
  remediation:
    'Change the field the message names as its control allows. A restricted pod sets seccompProfile.type: ' +
    'RuntimeDefault and runAsNonRoot: true on the pod and, per container, allowPrivilegeEscalation: false and ' +
    'capabilities.drop: [ALL]; plus readOnlyRootFilesystem: true (mount an emptyDir for scratch space).',
  defaultSeverity: 'error',
  kinds: [...WORKLOAD_KINDS],
  options: {
    level: {
      description:
        'The Pod Security Standard level checked (restricted, baseline, or privileged for none of its ' +
        'controls). A Namespace the overlay renders with a stricter `pod-security.kubernetes.io/enforce` ' +
        'label raises it for the workloads in that namespace (with its `enforce-version`).',
      schema: { type: 'string', enum: ['privileged', 'baseline', 'restricted'] },
      default: 'baseline',
      envDefaults: { prod: 'restricted' },
    },
    version: {
      description:
        'The Kubernetes version of the standard (`latest`, or e.g. `1.33`), as the ' +
        '`pod-security.kubernetes.io/enforce-version` label would set it: it decides the safe sysctls, the ' +
        'SELinux types, and the controls added in later versions.',
      schema: { type: 'string', pattern: '^(latest|v?1\\.[0-9]+)$' },
      default: 'latest',
    },
    readOnlyRootFilesystem: {
      description: 'Also require readOnlyRootFilesystem: true on every container (not part of the standard).',
      schema: { type: 'boolean' },
      default: true,
    },
  },
  messages: { ...controlMessages(), ...HARDENING_MESSAGES },
  // Hardening advice beyond the standard (no admission rule refuses it): a warning, so a tree that
  // meets its Pod Security level is not failed for it (found on every public tree tried).
  warningOnly: ['writableRootFilesystem'],
  docs: {
    rationale:
      'The API handles patient data and calls a paid model with a credential: a compromised process must not become ' +
      'root, gain capabilities, write into its image, or reach the node. AKS enforces the Kubernetes Pod Security ' +
      'Standards per namespace; this rule checks the same controls (the table in ' +
      '`scripts/policies/pod-security/standard.ts`, taken from the pod-security-admission controller) so a pull ' +
      'request fails instead of the rollout. Prod is checked at "restricted". Other environments are checked at ' +
      '"baseline", which flags only what a pod asks for (host namespaces, privileges, host paths and ports, added ' +
      'capabilities, unsafe sysctls) and never what it leaves out; base is shared, so prod still catches a base ' +
      'change that breaks "restricted". When the overlay renders the workload’s Namespace with a ' +
      '`pod-security.kubernetes.io/enforce` label stricter than that, the label’s level applies (the API server ' +
      'would reject the pods), and each message says where its level came from. readOnlyRootFilesystem is ' +
      'checked on top of the standard.',
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
          securityContext: {privileged: true}`,
    passing: `apiVersion: apps/v1
kind: Deployment
metadata: {name: triage-backend, namespace: triage}
spec:
  selector: {matchLabels: {app: triage-backend}}
  template:
    metadata: {labels: {app: triage-backend}}
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile: {type: RuntimeDefault}
      containers:
        - name: backend
          image: triageacr.azurecr.io/triage-backend:1.4.0
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}`,
  },
  check(resource, ctx) {
    const pod = podTemplate(resource);
    if (!pod) return [];
    const judged = effectiveLevel(resource, ctx);
    const version = parseVersion(judged.version) ?? LATEST;
    const findings: RawFinding[] = evaluatePod(pod, judged.level, version).map((violation) => ({
      messageId: violation.messageId,
      data: { ...violation.data, levelSource: judged.source },
      path: violation.path,
    }));
    if (ctx.options.readOnlyRootFilesystem) {
      for (const { container, name, path } of containersOf(pod)) {
        if (asObject(container.securityContext)?.readOnlyRootFilesystem !== true) {
          findings.push({
            messageId: 'writableRootFilesystem',
            data: { container: name },
            path: [...path, 'securityContext', 'readOnlyRootFilesystem'],
          });
        }
      }
    }
    return findings;
  },
});
