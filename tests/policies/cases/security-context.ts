import { securityContextPolicy } from '../../../scripts/policies/security-context.js';
import { deploymentPatch, kustomization, type PolicyCases } from '../harness.js';

const container = 'spec.template.spec.containers[0].securityContext';
const patched = (podSpec: string, prefix?: string) => ({
  'overlays/dev/kustomization.yaml': kustomization({ namePrefix: prefix, patches: ['security.yaml'] }),
  'overlays/dev/security.yaml': deploymentPatch(podSpec),
});
const containerContext = (fields: string) =>
  `containers:\n  - name: backend\n    securityContext:\n${fields.replace(/^/gm, '      ')}`;

export const cases: PolicyCases = {
  policy: securityContextPolicy,
  valid: [
    { name: 'the fixture' },
    {
      name: 'runAsNonRoot on the container instead of the pod',
      files: patched(`securityContext:\n  runAsNonRoot: null\n${containerContext('runAsNonRoot: true')}`),
    },
  ],
  invalid: [
    {
      name: 'privileged',
      located: ['privileged overlays/dev/security.yaml:11'],
      files: patched(containerContext('privileged: true'), 'stg-'),
      errors: [
        {
          messageId: 'privileged',
          object: 'Deployment/stg-triage-backend',
          path: `${container}.privileged`,
          data: { container: 'backend' },
        },
      ],
    },
    {
      name: 'escalation, writable root, capabilities kept',
      located: [
        'capabilitiesNotDropped overlays/dev/security.yaml:14',
        'privilegeEscalation overlays/dev/security.yaml:11',
        'writableRootFilesystem overlays/dev/security.yaml:12',
      ],
      files: patched(
        containerContext(
          'allowPrivilegeEscalation: true\nreadOnlyRootFilesystem: false\ncapabilities:\n  drop: [NET_RAW]',
        ),
      ),
      errors: [
        {
          messageId: 'privilegeEscalation',
          object: 'Deployment/triage-backend',
          path: `${container}.allowPrivilegeEscalation`,
        },
        {
          messageId: 'writableRootFilesystem',
          object: 'Deployment/triage-backend',
          path: `${container}.readOnlyRootFilesystem`,
        },
        {
          messageId: 'capabilitiesNotDropped',
          object: 'Deployment/triage-backend',
          path: `${container}.capabilities.drop`,
        },
      ],
    },
    {
      name: 'no runAsNonRoot anywhere',
      located: ['runAsRoot base/deployment.yaml:43'],
      files: patched('securityContext:\n  runAsNonRoot: null'),
      errors: [
        { messageId: 'runAsRoot', object: 'Deployment/triage-backend', path: `${container}.runAsNonRoot` },
      ],
    },
    {
      name: 'runAsUser 0 on the pod',
      located: ['runAsUserZero overlays/dev/security.yaml:9'],
      files: patched('securityContext:\n  runAsUser: 0'),
      errors: [
        {
          messageId: 'runAsUserZero',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.securityContext.runAsUser',
        },
      ],
    },
    {
      name: 'host network and a hostPath volume',
      located: ['hostNamespace overlays/dev/security.yaml:8', 'hostPath overlays/dev/security.yaml:11'],
      files: patched(
        'hostNetwork: true\nvolumes:\n  - name: docker\n    hostPath:\n      path: /var/run/docker.sock',
      ),
      errors: [
        {
          messageId: 'hostNamespace',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.hostNetwork',
          data: { field: 'hostNetwork' },
        },
        {
          messageId: 'hostPath',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.volumes[0].hostPath',
          data: { volume: 'docker' },
        },
      ],
    },
  ],
};
