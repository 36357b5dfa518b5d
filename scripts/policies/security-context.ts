import { definePolicy, type RawFinding } from './types.js';
import { asArray, asNumber, asObject } from './util/json.js';
import { containersOf, podTemplate, volumesOf, WORKLOAD_KINDS } from './util/workload.js';

const HOST_NAMESPACES = ['hostNetwork', 'hostPID', 'hostIPC'] as const;

export const securityContextPolicy = definePolicy<Record<string, never>>({
  id: 'security-context',
  description:
    'Pods run as non-root without privilege escalation, on a read-only root filesystem with all capabilities dropped, and share nothing with the host.',
  remediation:
    'Set runAsNonRoot: true (pod or container), and per container allowPrivilegeEscalation: false, ' +
    'readOnlyRootFilesystem: true (mount an emptyDir for scratch space) and capabilities.drop: [ALL]; remove privileged, ' +
    'hostNetwork/hostPID/hostIPC and hostPath volumes.',
  defaultSeverity: 'error',
  kinds: [...WORKLOAD_KINDS],
  options: {},
  messages: {
    runAsRoot: 'container {{container}} may run as root: set runAsNonRoot: true on the pod or the container.',
    runAsUserZero: 'container {{container}} runs as user 0 (root).',
    privilegeEscalation: 'container {{container}} does not set allowPrivilegeEscalation: false.',
    writableRootFilesystem: 'container {{container}} does not set readOnlyRootFilesystem: true.',
    capabilitiesNotDropped: 'container {{container}} does not drop ALL capabilities.',
    privileged: 'container {{container}} runs privileged.',
    hostNamespace: 'the pod sets {{field}}: true and shares the node’s namespace.',
    hostPath: 'volume {{volume}} mounts a hostPath from the node.',
  },
  docs: {
    rationale:
      'The API handles patient data and calls a paid model with a credential: a compromised process must not become ' +
      'root, gain capabilities, write into its image, or reach the node. These settings meet the Kubernetes ' +
      '"restricted" Pod Security Standard, which AKS can enforce per namespace; checking them here fails the pull ' +
      'request instead of the rollout.',
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
      securityContext: {runAsNonRoot: true, runAsUser: 10001}
      containers:
        - name: backend
          image: triageacr.azurecr.io/triage-backend:1.4.0
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}`,
  },
  check(resource) {
    const pod = podTemplate(resource);
    if (!pod) return [];
    const findings: RawFinding[] = [];
    const podContext = asObject(pod.spec.securityContext);
    for (const field of HOST_NAMESPACES) {
      if (pod.spec[field] === true)
        findings.push({ messageId: 'hostNamespace', data: { field }, path: [...pod.specPath, field] });
    }
    for (const { volume, name, path } of volumesOf(pod)) {
      if (asObject(volume.hostPath))
        findings.push({ messageId: 'hostPath', data: { volume: name }, path: [...path, 'hostPath'] });
    }
    for (const { container, name, path } of containersOf(pod)) {
      const context = asObject(container.securityContext);
      const at = (...rest: string[]) => [...path, 'securityContext', ...rest];
      const data = { container: name };
      const user = asNumber(context?.runAsUser) ?? asNumber(podContext?.runAsUser);
      if (user === 0) {
        findings.push({
          messageId: 'runAsUserZero',
          data,
          path:
            asNumber(context?.runAsUser) === 0
              ? at('runAsUser')
              : [...pod.specPath, 'securityContext', 'runAsUser'],
        });
      } else if ((context?.runAsNonRoot ?? podContext?.runAsNonRoot) !== true) {
        findings.push({ messageId: 'runAsRoot', data, path: at('runAsNonRoot') });
      }
      if (context?.allowPrivilegeEscalation !== false)
        findings.push({ messageId: 'privilegeEscalation', data, path: at('allowPrivilegeEscalation') });
      if (context?.readOnlyRootFilesystem !== true)
        findings.push({ messageId: 'writableRootFilesystem', data, path: at('readOnlyRootFilesystem') });
      const drop = asArray(asObject(context?.capabilities)?.drop).map((each) => String(each).toUpperCase());
      if (!drop.includes('ALL'))
        findings.push({ messageId: 'capabilitiesNotDropped', data, path: at('capabilities', 'drop') });
      if (context?.privileged === true)
        findings.push({ messageId: 'privileged', data, path: at('privileged') });
    }
    return findings;
  },
});
