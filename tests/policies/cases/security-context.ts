import { securityContextPolicy } from '../../../scripts/policies/security-context.js';
import { deploymentPatch, kustomization, type PolicyCases, prodKustomization } from '../harness.js';

const pod = 'spec.template.spec';
const container = `${pod}.containers[0].securityContext`;
const backend = 'Deployment/triage-backend';
/** A dev overlay patching the fixture Deployment's pod spec (line 8 of the patch is the first line of `podSpec`). */
const patched = (podSpec: string, prefix?: string, templateMetadata?: string) => ({
  'overlays/dev/kustomization.yaml': kustomization({ namePrefix: prefix, patches: ['security.yaml'] }),
  'overlays/dev/security.yaml': deploymentPatch(podSpec, templateMetadata),
});
const containerContext = (fields: string) =>
  `containers:\n  - name: backend\n    securityContext:\n${fields.replace(/^/gm, '      ')}`;
/** The fixture has no seccomp profile; restricted cases add it on the pod, after the lines under test. */
const withSeccomp = (podSpec: string) =>
  `${podSpec}\nsecurityContext:\n  seccompProfile:\n    type: RuntimeDefault`;
const restricted = { level: 'restricted' };
/** A dev overlay that also renders Namespace `name` with these labels (the fixture's pods are in `triage`). */
const withNamespace = (name: string, labels: string, overlay = 'dev') => ({
  [`overlays/${overlay}/kustomization.yaml`]:
    overlay === 'prod'
      ? prodKustomization({ resources: ['../../base', 'namespace.yaml'] })
      : kustomization({ resources: ['../../base', 'namespace.yaml'] }),
  [`overlays/${overlay}/namespace.yaml`]: `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
  labels:
${labels.replace(/^/gm, '    ')}
`,
});
/** A second workload kind, added next to the base. */
const withResource = (file: string, text: string) => ({
  'overlays/dev/kustomization.yaml': kustomization({ resources: ['../../base', file] }),
  [`overlays/dev/${file}`]: text,
});

export const cases: PolicyCases = {
  policy: securityContextPolicy,
  valid: [
    // The fixture sets no seccomp profile: dev is checked at baseline, which does not require one.
    { name: 'the fixture (dev: baseline by default)' },
    {
      name: 'a restricted enforce label on another namespace leaves dev at baseline',
      files: withNamespace('other', 'pod-security.kubernetes.io/enforce: restricted'),
    },
    {
      name: 'a privileged enforce label does not lower the configured level (dev: baseline, fixture passes)',
      files: withNamespace('triage', 'pod-security.kubernetes.io/enforce: privileged'),
    },
    {
      name: 'the fixture in prod, with the level lowered to baseline by config',
      env: 'prod',
      options: { level: 'baseline' },
    },
    {
      name: 'a restricted prod pod: seccomp, non-root, no escalation, drop ALL, NET_BIND_SERVICE, allowed volumes',
      env: 'prod',
      files: {
        'overlays/prod/kustomization.yaml': prodKustomization({ patches: ['security.yaml'] }),
        'overlays/prod/security.yaml': deploymentPatch(`securityContext:
  seccompProfile:
    type: RuntimeDefault
initContainers:
  - name: migrate
    image: triageacr.azurecr.io/triage-backend:1.4.0
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: {drop: [ALL]}
containers:
  - name: backend
    securityContext:
      capabilities:
        add: [NET_BIND_SERVICE]
volumes:
  - {name: config, configMap: {name: triage-config}}
  - {name: token, projected: {sources: [{serviceAccountToken: {path: token}}]}}
  - {name: info, downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}}
  - {name: scratch, emptyDir: {}}
  - {name: data, persistentVolumeClaim: {claimName: triage-data}}
  - {name: cache, ephemeral: {volumeClaimTemplate: {spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}}}`),
      },
    },
    {
      name: 'restricted: runAsNonRoot on the container instead of the pod',
      options: restricted,
      files: patched(
        `securityContext:\n  runAsNonRoot: null\n  seccompProfile:\n    type: RuntimeDefault\n${containerContext('runAsNonRoot: true')}`,
      ),
    },
    {
      name: 'restricted: a Localhost seccomp profile on the container instead of the pod',
      options: restricted,
      files: patched(
        containerContext('seccompProfile:\n  type: Localhost\n  localhostProfile: profiles/triage.json'),
      ),
    },
    {
      name: 'baseline: safe sysctls, a localhost AppArmor annotation, default capabilities, container_t',
      files: patched(
        `securityContext:
  sysctls:
    - {name: net.ipv4.ip_unprivileged_port_start, value: "0"}
    - {name: net.ipv4.tcp_keepalive_time, value: "60"}
  seLinuxOptions: {type: container_t}
${containerContext('capabilities:\n  drop: [ALL]\n  add: [CHOWN, NET_BIND_SERVICE]\nprocMount: Default')}`,
        undefined,
        'annotations:\n  container.apparmor.security.beta.kubernetes.io/backend: localhost/triage',
      ),
    },
    {
      name: 'restricted: a Windows pod is exempt from Seccomp, Privilege Escalation and Capabilities',
      options: restricted,
      files: patched(
        `os:\n  name: windows\n${containerContext('allowPrivilegeEscalation: null\ncapabilities: null')}`,
      ),
    },
    {
      name: 'restricted: a pod in a user namespace (hostUsers: false) may leave runAsNonRoot out',
      options: restricted,
      files: patched(
        'hostUsers: false\nsecurityContext:\n  runAsNonRoot: null\n  seccompProfile:\n    type: RuntimeDefault',
      ),
    },
    {
      name: 'level privileged checks none of the controls',
      options: { level: 'privileged' },
      files: patched('hostNetwork: true\nhostPID: true'),
    },
    {
      name: 'readOnlyRootFilesystem turned off by option (not part of the standard)',
      options: { readOnlyRootFilesystem: false },
      files: patched(containerContext('readOnlyRootFilesystem: false')),
    },
  ],
  invalid: [
    // --- the level per environment -------------------------------------------------------------
    {
      name: 'prod is restricted by default: the fixture has no seccomp profile',
      env: 'prod',
      located: ['seccompMissing base/deployment.yaml:43'],
      errors: [
        {
          messageId: 'seccompMissing',
          object: backend,
          path: `${container}.seccompProfile.type`,
          data: { where: 'container backend', level: 'restricted' },
        },
      ],
    },
    {
      // The API server rejects pods that break the namespace's enforce level, whatever the config says.
      name: 'the Namespace’s enforce label raises dev to restricted, and the message says so',
      located: ['seccompMissing base/deployment.yaml:43'],
      files: withNamespace('triage', 'pod-security.kubernetes.io/enforce: restricted'),
      errors: [
        {
          messageId: 'seccompMissing',
          object: backend,
          path: `${container}.seccompProfile.type`,
          data: {
            level: 'restricted',
            levelSource: 'label pod-security.kubernetes.io/enforce of Namespace triage',
          },
        },
      ],
    },
    {
      name: 'a baseline enforce label in prod keeps the stricter configured restricted',
      env: 'prod',
      files: withNamespace('triage', 'pod-security.kubernetes.io/enforce: baseline', 'prod'),
      errors: [
        {
          messageId: 'seccompMissing',
          object: backend,
          path: `${container}.seccompProfile.type`,
          data: { level: 'restricted', levelSource: 'the level set for prod' },
        },
      ],
    },
    {
      name: 'the label’s enforce-version applies with its level (a sysctl safe only from 1.29)',
      files: {
        ...withNamespace(
          'triage',
          'pod-security.kubernetes.io/enforce: restricted\npod-security.kubernetes.io/enforce-version: v1.28',
        ),
        'overlays/dev/kustomization.yaml': kustomization({
          resources: ['../../base', 'namespace.yaml'],
          patches: ['security.yaml'],
        }),
        // Safe from Kubernetes 1.29 on: unsafe at the label's 1.28, so the label's version was used.
        'overlays/dev/security.yaml': deploymentPatch(`securityContext:
  seccompProfile:
    type: RuntimeDefault
  sysctls:
    - name: net.ipv4.tcp_keepalive_time
      value: "60"`),
      },
      errors: [
        {
          messageId: 'unsafeSysctl',
          object: backend,
          path: `${pod}.securityContext.sysctls[0].name`,
          data: {
            level: 'restricted',
            levelSource: 'label pod-security.kubernetes.io/enforce of Namespace triage',
          },
        },
      ],
    },
    {
      name: 'dev raised to restricted by config: the fixture has no seccomp profile',
      options: restricted,
      errors: [
        {
          messageId: 'seccompMissing',
          object: backend,
          path: `${container}.seccompProfile.type`,
          data: { level: 'restricted' },
        },
      ],
    },
    // --- restricted controls --------------------------------------------------------------------
    {
      name: 'restricted: an init container without a seccomp profile when only the main container has one',
      options: restricted,
      files: patched(`initContainers:
  - name: migrate
    image: triageacr.azurecr.io/triage-backend:1.4.0
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: {drop: [ALL]}
${containerContext('seccompProfile: {type: RuntimeDefault}')}`),
      located: ['seccompMissing overlays/dev/security.yaml:11'],
      errors: [
        {
          messageId: 'seccompMissing',
          object: backend,
          path: `${pod}.initContainers[0].securityContext.seccompProfile.type`,
          data: { where: 'init container migrate' },
        },
      ],
    },
    {
      name: 'restricted: capabilities add SYS_ADMIN (NET_BIND_SERVICE allowed)',
      options: restricted,
      located: ['capabilityAdded overlays/dev/security.yaml:15'],
      files: patched(
        withSeccomp(
          containerContext('capabilities:\n  drop: [ALL]\n  add:\n    - NET_BIND_SERVICE\n    - SYS_ADMIN'),
        ),
      ),
      errors: [
        {
          messageId: 'capabilityAdded',
          object: backend,
          path: `${container}.capabilities.add[1]`,
          data: { value: '"SYS_ADMIN"', allowed: 'NET_BIND_SERVICE' },
        },
      ],
    },
    {
      name: 'restricted: drop ["all"] in lower case does not satisfy admission',
      options: restricted,
      located: ['capabilitiesNotDropped overlays/dev/security.yaml:12'],
      files: patched(withSeccomp(containerContext('capabilities:\n  drop: [all]'))),
      errors: [
        {
          messageId: 'capabilitiesNotDropped',
          object: backend,
          path: `${container}.capabilities.drop`,
          data: { value: '["all"]' },
        },
      ],
    },
    {
      name: 'restricted: no runAsNonRoot anywhere',
      options: restricted,
      located: ['runAsNonRootUnset base/deployment.yaml:43'],
      files: patched('securityContext:\n  runAsNonRoot: null\n  seccompProfile:\n    type: RuntimeDefault'),
      errors: [{ messageId: 'runAsNonRootUnset', object: backend, path: `${container}.runAsNonRoot` }],
    },
    {
      name: 'restricted: a container sets runAsNonRoot false over the pod’s true',
      options: restricted,
      located: ['runAsRoot overlays/dev/security.yaml:11'],
      files: patched(withSeccomp(containerContext('runAsNonRoot: false'))),
      errors: [
        {
          messageId: 'runAsRoot',
          object: backend,
          path: `${container}.runAsNonRoot`,
          data: { value: 'false' },
        },
      ],
    },
    {
      name: 'restricted: runAsUser 0 on the pod',
      options: restricted,
      located: ['runAsUserZero overlays/dev/security.yaml:9'],
      files: patched('securityContext:\n  runAsUser: 0\n  seccompProfile:\n    type: RuntimeDefault'),
      errors: [{ messageId: 'runAsUserZero', object: backend, path: `${pod}.securityContext.runAsUser` }],
    },
    {
      name: 'restricted: allowPrivilegeEscalation left out',
      options: restricted,
      located: ['privilegeEscalation overlays/dev/security.yaml:11'],
      files: patched(withSeccomp(containerContext('allowPrivilegeEscalation: null')), 'stg-'),
      errors: [
        {
          messageId: 'privilegeEscalation',
          object: 'Deployment/stg-triage-backend',
          path: `${container}.allowPrivilegeEscalation`,
          data: { value: 'not set', where: 'container backend' },
        },
      ],
    },
    {
      name: 'restricted: nfs and hostPath volumes are not allowed volume types',
      options: restricted,
      located: ['volumeType overlays/dev/security.yaml:10', 'volumeType overlays/dev/security.yaml:12'],
      files: patched(
        withSeccomp(
          'volumes:\n  - name: shared\n    nfs: {server: nfs.internal, path: /exports}\n  - name: docker\n    hostPath: {path: /var/run/docker.sock}',
        ),
      ),
      errors: [
        {
          messageId: 'volumeType',
          object: backend,
          path: `${pod}.volumes[0].nfs`,
          data: { where: 'volume shared' },
        },
        {
          messageId: 'volumeType',
          object: backend,
          path: `${pod}.volumes[1].hostPath`,
          data: { where: 'volume docker' },
        },
      ],
    },
    {
      name: 'restricted at Kubernetes 1.34: a user namespace does not yet exempt runAsNonRoot',
      options: { ...restricted, version: '1.34' },
      files: patched(
        'hostUsers: false\nsecurityContext:\n  runAsNonRoot: null\n  seccompProfile:\n    type: RuntimeDefault',
      ),
      errors: [{ messageId: 'runAsNonRootUnset', object: backend, path: `${container}.runAsNonRoot` }],
    },
    // --- baseline controls (dev) ----------------------------------------------------------------
    {
      name: 'baseline: privileged',
      located: ['privileged overlays/dev/security.yaml:11'],
      files: patched(containerContext('privileged: true'), 'stg-'),
      errors: [
        {
          messageId: 'privileged',
          object: 'Deployment/stg-triage-backend',
          path: `${container}.privileged`,
          data: { where: 'container backend', level: 'baseline' },
        },
      ],
    },
    {
      name: 'baseline: capabilities add SYS_ADMIN, beyond the default set',
      located: ['capabilityNotDefault overlays/dev/security.yaml:15'],
      files: patched(containerContext('capabilities:\n  drop: [ALL]\n  add:\n    - CHOWN\n    - SYS_ADMIN')),
      errors: [
        {
          messageId: 'capabilityNotDefault',
          object: backend,
          path: `${container}.capabilities.add[1]`,
          data: { value: '"SYS_ADMIN"' },
        },
      ],
    },
    {
      name: 'baseline: host network and a hostPath volume',
      located: ['hostNamespace overlays/dev/security.yaml:8', 'hostPath overlays/dev/security.yaml:11'],
      files: patched(
        'hostNetwork: true\nvolumes:\n  - name: docker\n    hostPath:\n      path: /var/run/docker.sock',
      ),
      errors: [
        {
          messageId: 'hostNamespace',
          object: backend,
          path: `${pod}.hostNetwork`,
          data: { field: 'hostNetwork' },
        },
        {
          messageId: 'hostPath',
          object: backend,
          path: `${pod}.volumes[0].hostPath`,
          data: { where: 'volume docker' },
        },
      ],
    },
    {
      name: 'baseline: a hostPort',
      located: ['hostPort overlays/dev/security.yaml:12'],
      files: patched(
        'containers:\n  - name: backend\n    ports:\n      - containerPort: 8000\n        hostPort: 8000',
      ),
      errors: [
        {
          messageId: 'hostPort',
          object: backend,
          path: `${pod}.containers[0].ports[0].hostPort`,
          data: { value: '8000', where: 'container backend' },
        },
      ],
    },
    {
      name: 'baseline: an unsafe sysctl (and one safe only from Kubernetes 1.29, with version 1.28)',
      options: { version: '1.28' },
      located: ['unsafeSysctl overlays/dev/security.yaml:12', 'unsafeSysctl overlays/dev/security.yaml:14'],
      files: patched(`securityContext:
  sysctls:
    - name: net.ipv4.ip_local_port_range
      value: "1024 65000"
    - name: kernel.msgmax
      value: "65536"
    - name: net.ipv4.tcp_keepalive_time
      value: "60"`),
      errors: [
        {
          messageId: 'unsafeSysctl',
          object: backend,
          path: `${pod}.securityContext.sysctls[1].name`,
          data: { value: '"kernel.msgmax"' },
        },
        {
          messageId: 'unsafeSysctl',
          object: backend,
          path: `${pod}.securityContext.sysctls[2].name`,
          data: { value: '"net.ipv4.tcp_keepalive_time"' },
        },
      ],
    },
    {
      name: 'baseline: AppArmor unconfined, by annotation and by field',
      located: ['appArmor overlays/dev/security.yaml:15', 'appArmorAnnotation overlays/dev/security.yaml:9'],
      files: patched(
        containerContext('appArmorProfile:\n  type: Unconfined'),
        undefined,
        'annotations:\n  container.apparmor.security.beta.kubernetes.io/backend: unconfined',
      ),
      errors: [
        {
          messageId: 'appArmor',
          object: backend,
          path: `${container}.appArmorProfile.type`,
          data: { value: '"Unconfined"' },
        },
        {
          messageId: 'appArmorAnnotation',
          object: backend,
          path: 'spec.template.metadata.annotations.container.apparmor.security.beta.kubernetes.io/backend',
          data: { value: '"unconfined"' },
        },
      ],
    },
    {
      name: 'baseline: SELinux type spc_t and a custom user, /proc Unmasked, seccomp Unconfined',
      located: [
        'procMount overlays/dev/security.yaml:17',
        'seLinuxType overlays/dev/security.yaml:10',
        'seLinuxUserRole overlays/dev/security.yaml:11',
        'seccompNotAllowed overlays/dev/security.yaml:13',
      ],
      files: patched(`securityContext:
  seLinuxOptions:
    type: spc_t
    user: system_u
  seccompProfile:
    type: Unconfined
${containerContext('procMount: Unmasked')}`),
      errors: [
        { messageId: 'seLinuxType', object: backend, path: `${pod}.securityContext.seLinuxOptions.type` },
        { messageId: 'seLinuxUserRole', object: backend, path: `${pod}.securityContext.seLinuxOptions.user` },
        {
          messageId: 'seccompNotAllowed',
          object: backend,
          path: `${pod}.securityContext.seccompProfile.type`,
          data: { where: 'the pod', value: '"Unconfined"' },
        },
        { messageId: 'procMount', object: backend, path: `${container}.procMount` },
      ],
    },
    {
      name: 'baseline: a probe host (Host Probes / Lifecycle Hooks)',
      located: ['probeHost overlays/dev/security.yaml:12'],
      files: patched(
        'containers:\n  - name: backend\n    livenessProbe:\n      httpGet:\n        host: 169.254.169.254',
      ),
      errors: [
        { messageId: 'probeHost', object: backend, path: `${pod}.containers[0].livenessProbe.httpGet.host` },
      ],
    },
    {
      name: 'baseline: a Windows HostProcess pod',
      located: ['hostProcess overlays/dev/security.yaml:10'],
      files: patched('securityContext:\n  windowsOptions:\n    hostProcess: true'),
      errors: [
        {
          messageId: 'hostProcess',
          object: backend,
          path: `${pod}.securityContext.windowsOptions.hostProcess`,
          data: { where: 'the pod' },
        },
      ],
    },
    {
      name: 'baseline: a privileged init container and hostPID in a CronJob',
      files: withResource(
        'cronjob.yaml',
        `apiVersion: batch/v1
kind: CronJob
metadata:
  name: cleanup
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          hostPID: true
          initContainers:
            - name: prepare
              image: triageacr.azurecr.io/triage-backend:1.4.0
              securityContext: {privileged: true, readOnlyRootFilesystem: true}
          containers:
            - name: cleanup
              image: triageacr.azurecr.io/triage-backend:1.4.0
              securityContext: {readOnlyRootFilesystem: true}
`,
      ),
      located: ['hostNamespace overlays/dev/cronjob.yaml:12', 'privileged overlays/dev/cronjob.yaml:16'],
      errors: [
        {
          messageId: 'hostNamespace',
          object: 'CronJob/cleanup',
          path: 'spec.jobTemplate.spec.template.spec.hostPID',
          data: { field: 'hostPID' },
        },
        {
          messageId: 'privileged',
          object: 'CronJob/cleanup',
          path: 'spec.jobTemplate.spec.template.spec.initContainers[0].securityContext.privileged',
          data: { where: 'init container prepare' },
        },
      ],
    },
    {
      name: 'baseline: an ephemeral container running privileged in a Pod',
      files: withResource(
        'debug.yaml',
        `apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  containers:
    - name: app
      image: triageacr.azurecr.io/triage-backend:1.4.0
      securityContext: {readOnlyRootFilesystem: true}
  ephemeralContainers:
    - name: shell
      image: triageacr.azurecr.io/debug:1.0.0
      securityContext: {privileged: true}
`,
      ),
      errors: [
        {
          messageId: 'privileged',
          object: 'Pod/debug',
          path: 'spec.ephemeralContainers[0].securityContext.privileged',
          data: { where: 'ephemeral container shell' },
        },
      ],
    },
    // --- beyond the standard --------------------------------------------------------------------
    {
      name: 'a writable root filesystem (checked at every level)',
      located: ['writableRootFilesystem overlays/dev/security.yaml:11'],
      files: patched(containerContext('readOnlyRootFilesystem: false')),
      errors: [
        { messageId: 'writableRootFilesystem', object: backend, path: `${container}.readOnlyRootFilesystem` },
      ],
    },
  ],
};
