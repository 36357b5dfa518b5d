import { type ClusterClient, describeKubectlError, getObject } from '../kube/client.js';
import { readDeployment } from '../kube/deployment.js';
import { readHpa } from '../kube/hpa.js';
import { items, text } from '../kube/json.js';

export type Phase = 'before' | 'load' | 'after';

/** The HPA and its Deployment at one moment. */
export interface ClusterSample {
  /** Seconds since the load started (negative: before it). */
  t: number;
  phase: Phase;
  /** HPA status.currentReplicas / desiredReplicas. */
  currentReplicas?: number;
  desiredReplicas?: number;
  /** Deployment status: pods that exist, and pods ready. */
  replicas?: number;
  readyReplicas?: number;
  /** HPA's current average CPU utilization, % of request; undefined when `<unknown>`. */
  cpuUtilization?: number;
  metricsAvailable?: boolean;
  error?: string;
}

/** Reads a `kubectl get horizontalpodautoscaler/H deployment/D -o json` List into one sample. */
export function sampleFromList(list: unknown, t: number, phase: Phase): ClusterSample {
  const all = items(list);
  const hpaJson = all.find((item) => text(item, 'kind') === 'HorizontalPodAutoscaler');
  const deploymentJson = all.find((item) => text(item, 'kind') === 'Deployment');
  const sample: ClusterSample = { t, phase };
  if (hpaJson) {
    const hpa = readHpa(hpaJson);
    Object.assign(sample, {
      currentReplicas: hpa.currentReplicas,
      desiredReplicas: hpa.desiredReplicas,
      cpuUtilization: hpa.cpuUtilization,
      metricsAvailable: hpa.metricsAvailable,
    });
  }
  if (deploymentJson) {
    const deployment = readDeployment(deploymentJson);
    Object.assign(sample, { replicas: deployment.replicas, readyReplicas: deployment.readyReplicas });
  }
  if (!hpaJson || !deploymentJson) sample.error = `kubectl returned ${all.length} of the 2 objects asked for`;
  return sample;
}

/** One poll: one kubectl call for both objects, so the two halves of a sample are from one moment. */
export async function sampleCluster(
  cluster: ClusterClient,
  names: { hpa: string; deployment: string },
  t: number,
  phase: Phase,
): Promise<ClusterSample> {
  try {
    const list = await getObject(
      cluster,
      `horizontalpodautoscaler/${names.hpa}`,
      `deployment/${names.deployment}`,
    );
    return sampleFromList(list, t, phase);
  } catch (error) {
    return { t, phase, error: describeKubectlError(error) };
  }
}
