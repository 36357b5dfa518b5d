import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { FIELD_MANAGER } from '../kube/apply.js';
import { list, text } from '../kube/json.js';
import { kubectl, kubectlJson } from '../kube/kubectl.js';

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
  await kubectl(
    ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '--force-conflicts', '-f', '-'],
    {
      kubeconfig,
      timeoutMs,
      input: documents.map((document) => stringify(document)).join('---\n'),
    },
  );
}

export async function installKwokCrd(kubeconfig: string, crdFile: string): Promise<void> {
  await kubectl(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], {
    kubeconfig,
    timeoutMs: 30_000,
    input: readFileSync(crdFile, 'utf8'),
  });
  await kubectl(
    ['wait', '--for=condition=Established', '--timeout=20s', 'crd/clusterresourceusages.kwok.x-k8s.io'],
    {
      kubeconfig,
      timeoutMs: 25_000,
    },
  );
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

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** Waits until every simulated node reports Ready (kwok's node stage ran). */
export async function waitNodesReady(kubeconfig: string, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let notReady: string[] = NODES.map((node) => node.name);
  while (Date.now() < deadline) {
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
    notReady = NODES.map((node) => node.name).filter((name) => !ready.has(name));
    if (notReady.length === 0) return [];
    await sleep(250);
  }
  return notReady;
}

/** The APIService's Available condition: `True`, or its reason and message. */
export async function metricsApiAvailability(
  kubeconfig: string,
): Promise<{ available: boolean; detail: string }> {
  const service = await kubectlJson(['get', 'apiservice', 'v1beta1.metrics.k8s.io'], {
    kubeconfig,
    timeoutMs: 10_000,
  });
  const condition = list(service, 'status', 'conditions').find((each) => text(each, 'type') === 'Available');
  const available = text(condition, 'status') === 'True';
  return {
    available,
    detail: available
      ? 'Available'
      : `${text(condition, 'reason') ?? 'no status yet'}: ${text(condition, 'message') ?? ''}`,
  };
}

export async function waitMetricsApi(
  kubeconfig: string,
  timeoutMs: number,
): Promise<{ available: boolean; detail: string }> {
  const deadline = Date.now() + timeoutMs;
  let last = { available: false, detail: 'not checked' };
  while (Date.now() < deadline) {
    last = await metricsApiAvailability(kubeconfig);
    if (last.available) return last;
    await sleep(300);
  }
  return last;
}
