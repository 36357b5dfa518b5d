import { serverSideApply } from '../kube/apply.js';
import { readDeployment } from '../kube/deployment.js';
import { type KubectlCallOptions, kubectlJson } from '../kube/kubectl.js';
import { sleep } from '../lib/poll.js';
import { IDLE_USAGE, podUsageObject } from './bootstrap.js';

/**
 * How load becomes pod CPU on the local cluster, where the pods are simulated: the real HTTP
 * server that receives the load reports the CPU it used; every few seconds this sets each simulated
 * pod's CPU (kwok's ClusterResourceUsage) to that measured rate divided by the Deployment's Ready
 * replicas. metrics-server then scrapes it from kwok and the real HPA controller acts on it, and
 * per-pod utilization falls as the HPA adds pods, as it would on AKS.
 */

export interface BridgeSample {
  /** Seconds since the bridge started. */
  t: number;
  /** The server's measured CPU rate over the last interval, millicores. */
  serverMillicores: number;
  readyReplicas: number;
  /** What each simulated pod was set to, millicores. */
  perPodMillicores: number;
}

export interface BridgeOptions {
  /** GET → `{ cpuSeconds, triageRequests }` (the dev server's /api/usage). */
  usageUrl: string;
  cluster: Pick<KubectlCallOptions, 'kubeconfig' | 'context'>;
  namespace: string;
  deployment: string;
  intervalMs: number;
  onError?: (message: string) => void;
}

export interface CpuBridge {
  samples: BridgeSample[];
  /** Server CPU per triage request over the whole run, ms; undefined before any request. */
  cpuPerRequestMs(): number | undefined;
  /** Stops the loop and puts every pod back to idle usage. */
  stop(): Promise<void>;
}

interface Usage {
  cpuSeconds: number;
  triageRequests: number;
}

async function readUsage(url: string): Promise<Usage> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const body = (await response.json()) as Partial<Usage>;
  if (typeof body.cpuSeconds !== 'number' || typeof body.triageRequests !== 'number') {
    throw new Error(`${url} did not report cpuSeconds and triageRequests`);
  }
  return { cpuSeconds: body.cpuSeconds, triageRequests: body.triageRequests };
}

/** Sets every simulated container's CPU to `millicores` (memory stays at the idle figure). */
export async function setPodCpu(cluster: BridgeOptions['cluster'], millicores: number): Promise<void> {
  const value = `${Math.max(1, Math.round(millicores))}m`;
  await serverSideApply(cluster, JSON.stringify(podUsageObject(value, IDLE_USAGE.memory)), 15_000);
}

export async function startCpuBridge(options: BridgeOptions): Promise<CpuBridge> {
  const first = await readUsage(options.usageUrl);
  const started = performance.now();
  let previous = { ...first, at: started };
  let latest = first;
  const samples: BridgeSample[] = [];
  let stopped = false;

  const tick = async () => {
    const usage = await readUsage(options.usageUrl);
    const at = performance.now();
    const millicores = ((usage.cpuSeconds - previous.cpuSeconds) / ((at - previous.at) / 1000)) * 1000;
    previous = { ...usage, at };
    latest = usage;
    const deployment = await kubectlJson(['get', 'deployment', options.deployment], {
      ...options.cluster,
      namespace: options.namespace,
      timeoutMs: 10_000,
    });
    const ready = Math.max(1, readDeployment(deployment).readyReplicas);
    const perPod = millicores / ready;
    await setPodCpu(options.cluster, perPod);
    samples.push({
      t: Math.round((at - started) / 100) / 10,
      serverMillicores: Math.round(millicores),
      readyReplicas: ready,
      perPodMillicores: Math.round(perPod),
    });
  };

  const loop = (async () => {
    // Bounded by stop(): one tick per interval, each with its own timeouts.
    while (!stopped) {
      await sleep(options.intervalMs);
      if (stopped) break;
      try {
        await tick();
      } catch (error) {
        options.onError?.(`cpu bridge: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  })();

  return {
    samples,
    cpuPerRequestMs: () => {
      const requests = latest.triageRequests - first.triageRequests;
      return requests > 0 ? ((latest.cpuSeconds - first.cpuSeconds) * 1000) / requests : undefined;
    },
    stop: async () => {
      stopped = true;
      await loop;
      await setPodCpu(options.cluster, Number.parseInt(IDLE_USAGE.cpu, 10));
    },
  };
}
