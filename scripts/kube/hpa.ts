import { count, expectKind, type Json, list, text } from './json.js';

/** What the load test needs from an `autoscaling/v2` HorizontalPodAutoscaler. */
export interface HpaState {
  name: string;
  namespace?: string;
  minReplicas: number;
  maxReplicas: number;
  /** spec: the CPU utilization target (% of request), when the HPA scales on CPU utilization. */
  targetCpuUtilization?: number;
  scaleTarget: { kind: string; name: string };
  currentReplicas: number;
  desiredReplicas: number;
  /** status: the average CPU utilization now (% of request); undefined is `<unknown>` in kubectl. */
  cpuUtilization?: number;
  /** True when the HPA has a current CPU figure and is actively scaling on it. */
  metricsAvailable: boolean;
  /** Why metrics are not available, in the controller's words. */
  metricsProblem?: string;
  lastScaleTime?: string;
}

export function readHpa(hpa: Json): HpaState {
  expectKind(hpa, 'HorizontalPodAutoscaler');
  const cpuTarget = list(hpa, 'spec', 'metrics').find(
    (metric) => text(metric, 'type') === 'Resource' && text(metric, 'resource', 'name') === 'cpu',
  );
  const cpuCurrent = list(hpa, 'status', 'currentMetrics').find(
    (metric) => text(metric, 'type') === 'Resource' && text(metric, 'resource', 'name') === 'cpu',
  );
  const cpuUtilization = count(cpuCurrent, 'resource', 'current', 'averageUtilization');
  const scalingActive = list(hpa, 'status', 'conditions').find(
    (condition) => text(condition, 'type') === 'ScalingActive',
  );

  let metricsProblem: string | undefined;
  if (text(scalingActive, 'status') === 'False') {
    metricsProblem =
      `ScalingActive=False (${text(scalingActive, 'reason') ?? 'no reason'}): ${text(scalingActive, 'message') ?? ''}`.trim();
  } else if (cpuUtilization === undefined) {
    metricsProblem = 'status.currentMetrics has no CPU utilization (kubectl get hpa shows <unknown>)';
  }

  return {
    name: text(hpa, 'metadata', 'name') ?? '?',
    namespace: text(hpa, 'metadata', 'namespace'),
    minReplicas: count(hpa, 'spec', 'minReplicas') ?? 1,
    maxReplicas: count(hpa, 'spec', 'maxReplicas') ?? 0,
    targetCpuUtilization: count(cpuTarget, 'resource', 'target', 'averageUtilization'),
    scaleTarget: {
      kind: text(hpa, 'spec', 'scaleTargetRef', 'kind') ?? 'Deployment',
      name: text(hpa, 'spec', 'scaleTargetRef', 'name') ?? '?',
    },
    currentReplicas: count(hpa, 'status', 'currentReplicas') ?? 0,
    desiredReplicas: count(hpa, 'status', 'desiredReplicas') ?? 0,
    cpuUtilization,
    metricsAvailable: metricsProblem === undefined,
    metricsProblem,
    lastScaleTime: text(hpa, 'status', 'lastScaleTime'),
  };
}
