/**
 * The Kubernetes Pod Security Standards (baseline and restricted) as data, one entry per control,
 * as the pod-security-admission controller implements them
 * (kubernetes/kubernetes staging/src/k8s.io/pod-security-admission/policy/check_*.go).
 * evaluate.ts reads this table; nothing else decides what a control allows.
 */

export type Level = 'baseline' | 'restricted';

/** A Kubernetes minor version: `33` for 1.33. */
export type Minor = number;

/** What a field is checked on: the pod spec, each container (containers, initContainers, ephemeralContainers), … */
export type Scope =
  | 'pod'
  | 'container'
  /** each `ports[*]` of each container */
  | 'port'
  /** each `volumes[*]` */
  | 'volume'
  /** the source type of each volume (its one key besides `name`) */
  | 'volumeSource'
  /** each `securityContext.sysctls[*]` of the pod */
  | 'sysctl'
  /** each pod annotation whose key starts with `annotationPrefix` */
  | 'annotation';

export type Scalar = string | number | boolean;

/** Values the standard added to an allowed list in a later Kubernetes version. */
export interface AddedValues {
  since: Minor;
  values: readonly Scalar[];
}

export type Allowed =
  /** The value is one of `values` (or starts with one of `prefixes`); `unset` says whether leaving it out passes. */
  | {
      kind: 'oneOf';
      values: readonly Scalar[];
      prefixes?: readonly string[];
      added?: readonly AddedValues[];
      unset: boolean;
    }
  /** Any value but these; leaving it out passes. */
  | { kind: 'noneOf'; values: readonly Scalar[] }
  /** A list whose every item is one of `values`; leaving it out passes. */
  | { kind: 'eachOneOf'; values: readonly Scalar[] }
  /** A list that contains `value` exactly (case matters); leaving it out fails. */
  | { kind: 'includes'; value: string };

export interface FieldCheck {
  scope: Scope;
  /** Dotted path below the scope (`securityContext.privileged`); empty for `volumeSource`. */
  field: string;
  allowed: Allowed;
  messageId: string;
  /** For a required field left out, when that needs its own message. */
  unsetMessageId?: string;
  /**
   * Container checks: a container that leaves the field out is judged by this pod-level field
   * (`securityContext.runAsNonRoot`); when the pod sets it, the pod's own check judges the value.
   */
  podFallback?: string;
  /** `annotation` scope: the key prefix the check applies to. */
  annotationPrefix?: string;
}

/** Pods a control does not apply to, from a Kubernetes version on. */
export interface Exemption {
  /** `windows`: spec.os.name is windows. `userNamespace`: spec.hostUsers is false. */
  when: 'windows' | 'userNamespace';
  since: Minor;
}

export interface Control {
  /** The admission check's id (`hostNamespaces`, `seccompProfile_restricted`). */
  id: string;
  /** The control's name in the standard, cited in every message. */
  name: string;
  level: Level;
  /** First Kubernetes minor version with the control; default: every version. */
  since?: Minor;
  /** Baseline controls this restricted control replaces (it checks the same fields more strictly). */
  overrides?: readonly string[];
  exempt?: readonly Exemption[];
  /**
   * Message templates by id; the policy prefixes each with the level checked and the control's
   * name. Two controls may share an id only with the same name and template (Seccomp, /proc).
   */
  messages: Readonly<Record<string, string>>;
  checks: readonly FieldCheck[];
}

const SECCOMP_TYPES = ['RuntimeDefault', 'Localhost'] as const;
const SELINUX_TYPES = ['', 'container_t', 'container_init_t', 'container_kvm_t'] as const;
const PROBE_HOST_FIELDS = [
  'livenessProbe.httpGet.host',
  'readinessProbe.httpGet.host',
  'startupProbe.httpGet.host',
  'livenessProbe.tcpSocket.host',
  'readinessProbe.tcpSocket.host',
  'startupProbe.tcpSocket.host',
  'lifecycle.postStart.httpGet.host',
  'lifecycle.preStop.httpGet.host',
  'lifecycle.postStart.tcpSocket.host',
  'lifecycle.preStop.tcpSocket.host',
] as const;

/** Pod and container scope for the same field: the standard restricts both. */
function podAndContainer(field: string, allowed: Allowed, messageId: string): FieldCheck[] {
  return [
    { scope: 'pod', field, allowed, messageId },
    { scope: 'container', field, allowed, messageId },
  ];
}

export const BASELINE_CONTROLS: readonly Control[] = [
  {
    id: 'windowsHostProcess',
    name: 'HostProcess',
    level: 'baseline',
    messages: { hostProcess: '{{where}} sets {{field}}: true and runs as a Windows HostProcess container.' },
    checks: podAndContainer(
      'securityContext.windowsOptions.hostProcess',
      { kind: 'oneOf', values: [false], unset: true },
      'hostProcess',
    ),
  },
  {
    id: 'hostNamespaces',
    name: 'Host Namespaces',
    level: 'baseline',
    messages: { hostNamespace: 'the pod sets {{field}}: true and shares the node’s namespace.' },
    checks: ['hostNetwork', 'hostPID', 'hostIPC'].map((field) => ({
      scope: 'pod',
      field,
      allowed: { kind: 'oneOf', values: [false], unset: true },
      messageId: 'hostNamespace',
    })),
  },
  {
    id: 'privileged',
    name: 'Privileged Containers',
    level: 'baseline',
    messages: { privileged: '{{where}} runs privileged.' },
    checks: [
      {
        scope: 'container',
        field: 'securityContext.privileged',
        allowed: { kind: 'oneOf', values: [false], unset: true },
        messageId: 'privileged',
      },
    ],
  },
  {
    id: 'capabilities_baseline',
    name: 'Capabilities',
    level: 'baseline',
    messages: {
      capabilityNotDefault:
        '{{where}} adds capability {{value}}, which is not in the default set ({{allowed}}).',
    },
    checks: [
      {
        scope: 'container',
        field: 'securityContext.capabilities.add',
        allowed: {
          kind: 'eachOneOf',
          values: [
            'AUDIT_WRITE',
            'CHOWN',
            'DAC_OVERRIDE',
            'FOWNER',
            'FSETID',
            'KILL',
            'MKNOD',
            'NET_BIND_SERVICE',
            'SETFCAP',
            'SETGID',
            'SETPCAP',
            'SETUID',
            'SYS_CHROOT',
          ],
        },
        messageId: 'capabilityNotDefault',
      },
    ],
  },
  {
    id: 'hostPathVolumes',
    name: 'HostPath Volumes',
    level: 'baseline',
    messages: { hostPath: '{{where}} mounts a hostPath from the node.' },
    checks: [
      {
        scope: 'volume',
        field: 'hostPath',
        allowed: { kind: 'oneOf', values: [], unset: true },
        messageId: 'hostPath',
      },
    ],
  },
  {
    id: 'hostPorts',
    name: 'Host Ports',
    level: 'baseline',
    messages: { hostPort: '{{where}} opens hostPort {{value}} on the node; leave hostPort out (or 0).' },
    checks: [
      {
        scope: 'port',
        field: 'hostPort',
        allowed: { kind: 'oneOf', values: [0], unset: true },
        messageId: 'hostPort',
      },
    ],
  },
  {
    id: 'hostProbesAndHostLifecycle',
    name: 'Host Probes / Lifecycle Hooks',
    level: 'baseline',
    since: 34,
    messages: {
      probeHost:
        '{{where}} sets {{field}} to {{value}}; leave the host out so the kubelet targets the pod’s IP.',
    },
    checks: PROBE_HOST_FIELDS.map((field) => ({
      scope: 'container',
      field,
      allowed: { kind: 'oneOf', values: [''], unset: true },
      messageId: 'probeHost',
    })),
  },
  {
    id: 'appArmorProfile',
    name: 'AppArmor',
    level: 'baseline',
    messages: {
      appArmor: '{{where}} sets {{field}} to {{value}}; allowed: {{allowed}}, or leave it out.',
      appArmorAnnotation:
        'the pod annotation {{field}} is {{value}}; allowed: runtime/default, localhost/<profile>, or empty.',
    },
    checks: [
      ...podAndContainer(
        'securityContext.appArmorProfile.type',
        { kind: 'oneOf', values: ['RuntimeDefault', 'Localhost'], unset: true },
        'appArmor',
      ),
      {
        scope: 'annotation',
        annotationPrefix: 'container.apparmor.security.beta.kubernetes.io/',
        field: '',
        allowed: { kind: 'oneOf', values: ['', 'runtime/default'], prefixes: ['localhost/'], unset: true },
        messageId: 'appArmorAnnotation',
      },
    ],
  },
  {
    id: 'seLinuxOptions',
    name: 'SELinux',
    level: 'baseline',
    messages: {
      seLinuxType: '{{where}} sets {{field}} to {{value}}; allowed: {{allowed}}, or leave it out.',
      seLinuxUserRole: '{{where}} sets {{field}} to {{value}}; a custom SELinux user or role is not allowed.',
    },
    checks: [
      ...podAndContainer(
        'securityContext.seLinuxOptions.type',
        {
          kind: 'oneOf',
          values: SELINUX_TYPES,
          added: [{ since: 31, values: ['container_engine_t'] }],
          unset: true,
        },
        'seLinuxType',
      ),
      ...['user', 'role'].flatMap((part) =>
        podAndContainer(
          `securityContext.seLinuxOptions.${part}`,
          { kind: 'oneOf', values: [''], unset: true },
          'seLinuxUserRole',
        ),
      ),
    ],
  },
  {
    id: 'procMount',
    name: '/proc Mount Type',
    level: 'baseline',
    exempt: [{ when: 'userNamespace', since: 35 }],
    messages: { procMount: '{{where}} sets {{field}} to {{value}}; only Default masks /proc.' },
    checks: [
      {
        scope: 'container',
        field: 'securityContext.procMount',
        allowed: { kind: 'oneOf', values: ['Default'], unset: true },
        messageId: 'procMount',
      },
    ],
  },
  {
    id: 'seccompProfile_baseline',
    name: 'Seccomp',
    level: 'baseline',
    messages: { seccompNotAllowed: '{{where}} sets {{field}} to {{value}}; allowed: {{allowed}}.' },
    checks: podAndContainer(
      'securityContext.seccompProfile.type',
      { kind: 'oneOf', values: SECCOMP_TYPES, unset: true },
      'seccompNotAllowed',
    ),
  },
  {
    id: 'sysctls',
    name: 'Sysctls',
    level: 'baseline',
    messages: { unsafeSysctl: 'the pod sets sysctl {{value}}, which is not in the safe set ({{allowed}}).' },
    checks: [
      {
        scope: 'sysctl',
        field: 'name',
        allowed: {
          kind: 'oneOf',
          values: [
            'kernel.shm_rmid_forced',
            'net.ipv4.ip_local_port_range',
            'net.ipv4.tcp_syncookies',
            'net.ipv4.ping_group_range',
            'net.ipv4.ip_unprivileged_port_start',
          ],
          added: [
            { since: 27, values: ['net.ipv4.ip_local_reserved_ports'] },
            {
              since: 29,
              values: [
                'net.ipv4.tcp_keepalive_time',
                'net.ipv4.tcp_fin_timeout',
                'net.ipv4.tcp_keepalive_intvl',
                'net.ipv4.tcp_keepalive_probes',
              ],
            },
            { since: 32, values: ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'] },
            { since: 37, values: ['net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat'] },
          ],
          unset: false,
        },
        messageId: 'unsafeSysctl',
      },
    ],
  },
];

/** Inline volume sources the restricted level allows (everything else is node- or cloud-specific). */
export const RESTRICTED_VOLUME_SOURCES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
] as const;

export const RESTRICTED_CONTROLS: readonly Control[] = [
  {
    id: 'restrictedVolumes',
    name: 'Volume Types',
    level: 'restricted',
    overrides: ['hostPathVolumes'],
    messages: { volumeType: '{{where}} is a {{value}} volume; allowed types: {{allowed}}.' },
    checks: [
      {
        scope: 'volumeSource',
        field: '',
        allowed: { kind: 'oneOf', values: RESTRICTED_VOLUME_SOURCES, unset: false },
        messageId: 'volumeType',
      },
    ],
  },
  {
    id: 'allowPrivilegeEscalation',
    name: 'Privilege Escalation',
    level: 'restricted',
    since: 8,
    exempt: [{ when: 'windows', since: 25 }],
    messages: {
      privilegeEscalation: '{{where}} must set {{field}}: false (it is {{value}}).',
    },
    checks: [
      {
        scope: 'container',
        field: 'securityContext.allowPrivilegeEscalation',
        allowed: { kind: 'oneOf', values: [false], unset: false },
        messageId: 'privilegeEscalation',
      },
    ],
  },
  {
    id: 'runAsNonRoot',
    name: 'Running as Non-root',
    level: 'restricted',
    exempt: [{ when: 'userNamespace', since: 35 }],
    messages: {
      runAsRoot: '{{where}} sets {{field}} to {{value}}; it must be true.',
      runAsNonRootUnset:
        '{{where}} may run as root: set securityContext.runAsNonRoot: true on the pod or the container.',
    },
    checks: [
      {
        scope: 'pod',
        field: 'securityContext.runAsNonRoot',
        allowed: { kind: 'oneOf', values: [true], unset: true },
        messageId: 'runAsRoot',
      },
      {
        scope: 'container',
        field: 'securityContext.runAsNonRoot',
        allowed: { kind: 'oneOf', values: [true], unset: false },
        podFallback: 'securityContext.runAsNonRoot',
        messageId: 'runAsRoot',
        unsetMessageId: 'runAsNonRootUnset',
      },
    ],
  },
  {
    id: 'runAsUser',
    name: 'Running as Non-root user',
    level: 'restricted',
    since: 23,
    exempt: [{ when: 'userNamespace', since: 35 }],
    messages: { runAsUserZero: '{{where}} sets {{field}}: 0 (root).' },
    checks: podAndContainer('securityContext.runAsUser', { kind: 'noneOf', values: [0] }, 'runAsUserZero'),
  },
  {
    id: 'seccompProfile_restricted',
    name: 'Seccomp',
    level: 'restricted',
    since: 19,
    overrides: ['seccompProfile_baseline'],
    exempt: [{ when: 'windows', since: 25 }],
    messages: {
      seccompNotAllowed: '{{where}} sets {{field}} to {{value}}; allowed: {{allowed}}.',
      seccompMissing:
        '{{where}} has no seccomp profile: set securityContext.seccompProfile.type to RuntimeDefault (or Localhost) on the pod or the container.',
    },
    checks: [
      {
        scope: 'pod',
        field: 'securityContext.seccompProfile.type',
        allowed: { kind: 'oneOf', values: SECCOMP_TYPES, unset: true },
        messageId: 'seccompNotAllowed',
      },
      {
        scope: 'container',
        field: 'securityContext.seccompProfile.type',
        allowed: { kind: 'oneOf', values: SECCOMP_TYPES, unset: false },
        podFallback: 'securityContext.seccompProfile.type',
        messageId: 'seccompNotAllowed',
        unsetMessageId: 'seccompMissing',
      },
    ],
  },
  {
    id: 'capabilities_restricted',
    name: 'Capabilities',
    level: 'restricted',
    since: 22,
    overrides: ['capabilities_baseline'],
    exempt: [{ when: 'windows', since: 25 }],
    messages: {
      capabilitiesNotDropped:
        '{{where}} must drop all capabilities: {{field}} must contain "ALL", in capitals (it is {{value}}).',
      capabilityAdded: '{{where}} adds capability {{value}}; only {{allowed}} may be added.',
    },
    checks: [
      {
        scope: 'container',
        field: 'securityContext.capabilities.drop',
        allowed: { kind: 'includes', value: 'ALL' },
        messageId: 'capabilitiesNotDropped',
      },
      {
        scope: 'container',
        field: 'securityContext.capabilities.add',
        allowed: { kind: 'eachOneOf', values: ['NET_BIND_SERVICE'] },
        messageId: 'capabilityAdded',
      },
    ],
  },
  {
    id: 'procMount_restricted',
    name: '/proc Mount Type',
    level: 'restricted',
    since: 35,
    overrides: ['procMount'],
    messages: { procMount: '{{where}} sets {{field}} to {{value}}; only Default masks /proc.' },
    checks: [
      {
        scope: 'container',
        field: 'securityContext.procMount',
        allowed: { kind: 'oneOf', values: ['Default'], unset: true },
        messageId: 'procMount',
      },
    ],
  },
];

export const CONTROLS: readonly Control[] = [...BASELINE_CONTROLS, ...RESTRICTED_CONTROLS];
