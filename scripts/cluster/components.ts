import { join } from 'node:path';
import type { Pki } from './certs.js';
import type { HealthProbe } from './health.js';
import type { StatePaths } from './paths.js';
import { CONTROLPLANE_MODULE_DIR, type ComponentName } from './versions.js';

/** The ports one cluster listens on, all on 127.0.0.1, chosen free at `up`. */
export interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
  kwok: number;
  metricsServer: number;
}

export const PORT_NAMES: readonly (keyof Ports)[] = [
  'etcdClient',
  'etcdPeer',
  'apiserver',
  'controllerManager',
  'scheduler',
  'kwok',
  'metricsServer',
];

export interface ComponentSpec {
  name: ComponentName;
  args: string[];
  health: HealthProbe;
  /** Seconds to wait for its health endpoint. */
  readyTimeoutMs: number;
}

export interface ClusterLayout {
  paths: StatePaths;
  pki: Pki;
  ports: Ports;
  /** Kubeconfigs per client identity. */
  kubeconfigs: { admin: string; controllerManager: string; scheduler: string };
}

const LOCAL = '127.0.0.1';
/** Service ClusterIPs; nothing routes them here (no kube-proxy), the API server only allocates them. */
export const SERVICE_CIDR = '10.96.0.0/16';
/** Pod IPs kwok hands out. */
const POD_CIDR = '10.244.0.0/16';

export function apiserverUrl(ports: Ports): string {
  return `https://${LOCAL}:${ports.apiserver}`;
}

/** Every component's command line, in start order. Flags and their reasons: ../shared/CLUSTER.md. */
export function componentSpecs(layout: ClusterLayout): ComponentSpec[] {
  const { paths, pki, ports, kubeconfigs } = layout;
  const etcdUrl = `http://${LOCAL}:${ports.etcdClient}`;
  const peerUrl = `http://${LOCAL}:${ports.etcdPeer}`;
  return [
    {
      name: 'etcd',
      args: [
        '--name=local',
        `--data-dir=${paths.etcdData}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=local=${peerUrl}`,
        '--listen-metrics-urls=',
        // A throwaway cluster: no fsync per write keeps a 2-core machine responsive.
        '--unsafe-no-fsync',
        '--quota-backend-bytes=2147483648',
        '--log-level=warn',
      ],
      health: { url: `${etcdUrl}/health` },
      readyTimeoutMs: 15_000,
    },
    {
      name: 'kube-apiserver',
      args: [
        `--etcd-servers=${etcdUrl}`,
        `--bind-address=${LOCAL}`,
        `--advertise-address=${LOCAL}`,
        `--secure-port=${ports.apiserver}`,
        // The default reconciler writes the advertise address into the kubernetes Endpoints and
        // logs an error every 10 s because it is a loopback address.
        '--endpoint-reconciler-type=none',
        `--tls-cert-file=${pki.apiserver.cert}`,
        `--tls-private-key-file=${pki.apiserver.key}`,
        `--client-ca-file=${pki.ca.cert}`,
        `--service-account-issuer=https://kubernetes.default.svc`,
        `--service-account-key-file=${pki.serviceAccountPub}`,
        `--service-account-signing-key-file=${pki.serviceAccountKey}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        '--authorization-mode=Node,RBAC',
        // Aggregation, so metrics.k8s.io reaches metrics-server.
        `--requestheader-client-ca-file=${pki.frontProxyCa.cert}`,
        '--requestheader-allowed-names=front-proxy-client',
        '--requestheader-username-headers=X-Remote-User',
        '--requestheader-group-headers=X-Remote-Group',
        '--requestheader-extra-headers-prefix=X-Remote-Extra-',
        `--proxy-client-cert-file=${pki.frontProxyClient.cert}`,
        `--proxy-client-key-file=${pki.frontProxyClient.key}`,
        '--profiling=false',
      ],
      health: {
        url: `${apiserverUrl(ports)}/readyz`,
        caFile: pki.ca.cert,
        client: pki.admin,
      },
      readyTimeoutMs: 45_000,
    },
    {
      name: 'kube-controller-manager',
      args: [
        `--kubeconfig=${kubeconfigs.controllerManager}`,
        `--authentication-kubeconfig=${kubeconfigs.controllerManager}`,
        `--authorization-kubeconfig=${kubeconfigs.controllerManager}`,
        `--bind-address=${LOCAL}`,
        `--secure-port=${ports.controllerManager}`,
        `--cert-dir=${join(paths.config, 'controller-manager-certs')}`,
        '--leader-elect=false',
        // Each controller acts as its own service account, with the bootstrap RBAC roles (the HPA
        // controller's includes reading metrics.k8s.io).
        '--use-service-account-credentials',
        `--service-account-private-key-file=${pki.serviceAccountKey}`,
        `--root-ca-file=${pki.ca.cert}`,
        `--cluster-signing-cert-file=${pki.ca.cert}`,
        `--cluster-signing-key-file=${pki.ca.key}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        '--allocate-node-cidrs=false',
        // The HPA's default sync is 15 s; 5 s makes the lab's scale-out observable sooner. The
        // object's own behavior (stabilization windows, policies) still decides.
        '--horizontal-pod-autoscaler-sync-period=5s',
        '--profiling=false',
      ],
      health: { url: `https://${LOCAL}:${ports.controllerManager}/healthz` },
      readyTimeoutMs: 30_000,
    },
    {
      name: 'kube-scheduler',
      args: [
        `--kubeconfig=${kubeconfigs.scheduler}`,
        `--authentication-kubeconfig=${kubeconfigs.scheduler}`,
        `--authorization-kubeconfig=${kubeconfigs.scheduler}`,
        `--bind-address=${LOCAL}`,
        `--secure-port=${ports.scheduler}`,
        `--cert-dir=${join(paths.config, 'scheduler-certs')}`,
        '--leader-elect=false',
        '--profiling=false',
      ],
      health: { url: `https://${LOCAL}:${ports.scheduler}/healthz` },
      readyTimeoutMs: 30_000,
    },
    {
      name: 'kwok',
      args: [
        `--kubeconfig=${kubeconfigs.admin}`,
        `--config=${join(CONTROLPLANE_MODULE_DIR, 'kwok.yaml')}`,
        `--server-address=${LOCAL}:${ports.kwok}`,
        `--tls-cert-file=${pki.kwok.cert}`,
        `--tls-private-key-file=${pki.kwok.key}`,
        `--node-ip=${LOCAL}`,
        `--node-port=${ports.kwok}`,
        `--cidr=${POD_CIDR}`,
        '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      ],
      health: { url: `https://${LOCAL}:${ports.kwok}/healthz`, caFile: pki.ca.cert },
      readyTimeoutMs: 30_000,
    },
    {
      name: 'metrics-server',
      args: [
        `--kubeconfig=${kubeconfigs.admin}`,
        `--authentication-kubeconfig=${kubeconfigs.admin}`,
        `--authorization-kubeconfig=${kubeconfigs.admin}`,
        `--bind-address=${LOCAL}`,
        `--secure-port=${ports.metricsServer}`,
        `--tls-cert-file=${pki.metricsServer.cert}`,
        `--tls-private-key-file=${pki.metricsServer.key}`,
        // The simulated kubelets: kwok's endpoint, on the port and path each Node names.
        '--kubelet-use-node-status-port',
        '--kubelet-preferred-address-types=InternalIP',
        `--kubelet-certificate-authority=${pki.ca.cert}`,
        // The resolution must exceed the request timeout (10 s by default), or metrics-server exits.
        '--metric-resolution=10s',
        '--kubelet-request-timeout=5s',
      ],
      health: { url: `https://${LOCAL}:${ports.metricsServer}/livez`, caFile: pki.ca.cert },
      readyTimeoutMs: 30_000,
    },
  ];
}
