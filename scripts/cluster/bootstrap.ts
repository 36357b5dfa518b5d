import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { type ApiServiceAvailability, metricsApiAvailability } from '../kube/apiservice.js';
import { serverSideApply, waitForCrds } from '../kube/apply.js';
import { list, text } from '../kube/json.js';
import { kubectlJson } from '../kube/kubectl.js';
import { pollUntil } from '../lib/poll.js';

/**
 * Objects the local cluster needs before it is useful, applied with the admin kubeconfig:
 * kwok's ClusterResourceUsage CRD and the one usage object the load-test bridge later changes,
 * the simulated nodes, and the metrics.k8s.io APIService pointing at metrics-server on the host.
 */

/** The simulated nodes: together they hold both overlays at their HPA maxima (20 × 250m, 256Mi). */
export const NODES = [
  { name: 'kwok-node-0', cpu: '8', memory: '32Gi', pods: '110' },
  { name: 'kwok-node-1', cpu: '8', memory: '32Gi', pods: '110' },
] as const;

/** The ClusterResourceUsage every simulated pod takes its CPU and memory from. */
export const POD_USAGE_OBJECT = 'triage-local-pod-usage';
/** What an idle simulated container reports until something sets a load. */
export const IDLE_USAGE = { cpu: '1m', memory: '32Mi' } as const;

async function apply(kubeconfig: string, documents: unknown[], timeoutMs = 30_000): Promise<void> {
  await serverSideApply(
    { kubeconfig },
    documents.map((document) => stringify(document)).join('---\n'),
    timeoutMs,
  );
}

export async function installKwokCrd(kubeconfig: string, crdFile: string): Promise<void> {
  await serverSideApply({ kubeconfig }, readFileSync(crdFile, 'utf8'), 30_000);
  await waitForCrds({ kubeconfig }, ['clusterresourceusages.kwok.x-k8s.io']);
}

export function podUsageObject(cpu: string, memory: string = IDLE_USAGE.memory) {
  return {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'ClusterResourceUsage',
    metadata: { name: POD_USAGE_OBJECT },
    // No selector and no container list: every container of every simulated pod.
    spec: { usages: [{ usage: { cpu: { value: cpu }, memory: { value: memory } } }] },
  };
}

function nodeObject(node: (typeof NODES)[number]) {
  const resources = { cpu: node.cpu, memory: node.memory, pods: node.pods };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: node.name,
      // kwok manages nodes with this annotation; metrics-server reads each node's metrics path from it.
      annotations: {
        'kwok.x-k8s.io/node': 'fake',
        'metrics.k8s.io/resource-metrics-path': `/metrics/nodes/${node.name}/metrics/resource`,
      },
      labels: {
        'kubernetes.io/hostname': node.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        type: 'kwok',
      },
    },
    status: { capacity: resources, allocatable: resources },
  };
}

export async function createNodesAndUsage(kubeconfig: string): Promise<void> {
  await apply(kubeconfig, [podUsageObject(IDLE_USAGE.cpu), ...NODES.map(nodeObject)]);
}

export async function registerMetricsApi(kubeconfig: string, port: number, caFile: string): Promise<void> {
  await apply(kubeconfig, [
    {
      // Endpoints may not point at loopback; an ExternalName Service may, and the aggregator
      // resolves it to 127.0.0.1:port.
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'metrics-server', namespace: 'kube-system' },
      spec: {
        type: 'ExternalName',
        externalName: '127.0.0.1',
        ports: [{ name: 'https', port, protocol: 'TCP' }],
      },
    },
    {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: 'v1beta1.metrics.k8s.io' },
      spec: {
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        groupPriorityMinimum: 100,
        versionPriority: 100,
        service: { name: 'metrics-server', namespace: 'kube-system', port },
        caBundle: readFileSync(caFile).toString('base64'),
      },
    },
  ]);
}

/** Waits until every simulated node reports Ready (kwok's node stage ran); returns those that are not. */
export async function waitNodesReady(kubeconfig: string, timeoutMs: number): Promise<string[]> {
  return pollUntil(
    async () => {
      const nodes = await kubectlJson(['get', 'nodes'], { kubeconfig, timeoutMs: 10_000 });
      const ready = new Set(
        list(nodes, 'items')
          .filter((node) =>
            list(node, 'status', 'conditions').some(
              (condition) => text(condition, 'type') === 'Ready' && text(condition, 'status') === 'True',
            ),
          )
          .map((node) => text(node, 'metadata', 'name')),
      );
      return NODES.map((node) => node.name).filter((name) => !ready.has(name));
    },
    (notReady) => notReady.length === 0,
    { timeoutMs, intervalMs: 250 },
  );
}

export function waitMetricsApi(kubeconfig: string, timeoutMs: number): Promise<ApiServiceAvailability> {
  return pollUntil(
    () => metricsApiAvailability({ kubeconfig }),
    (state) => state.available,
    { timeoutMs, intervalMs: 300 },
  );
}
