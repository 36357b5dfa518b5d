import type { FieldPath, JsonObject, JsonValue, Resource } from '../../core/resource.js';
import type { PolicyContext } from '../types.js';
import { asArray, asNumber, asObject, asString } from './json.js';

export const HPA_KIND = 'HorizontalPodAutoscaler';

export interface ScaleTargetRef {
  apiVersion?: string;
  kind?: string;
  name?: string;
}

export function scaleTargetRef(hpa: Resource): ScaleTargetRef {
  const ref = asObject(asObject(hpa.body.spec)?.scaleTargetRef);
  return { apiVersion: asString(ref?.apiVersion), kind: asString(ref?.kind), name: asString(ref?.name) };
}

/** The HPAs in the workload's namespace whose scaleTargetRef names it (kind and rendered name). */
export function hpasTargeting(ctx: PolicyContext, workload: Resource): Resource[] {
  return ctx.findAll(HPA_KIND, workload.namespace).filter((hpa) => {
    const ref = scaleTargetRef(hpa);
    return ref.kind === workload.kind && ref.name === workload.name;
  });
}

/** The object an HPA scales, when the overlay renders it in the HPA's namespace. */
export function hpaTarget(ctx: PolicyContext, hpa: Resource): Resource | undefined {
  const ref = scaleTargetRef(hpa);
  if (!ref.kind || !ref.name) return undefined;
  return ctx.find(ref.kind, ref.name, hpa.namespace);
}

/** minReplicas as the API defaults it. */
export function minReplicas(hpa: Resource): number {
  return asNumber(asObject(hpa.body.spec)?.minReplicas) ?? 1;
}

export interface UtilizationMetric {
  resource: 'cpu' | 'memory';
  /** Set for a ContainerResource metric: only this container's request matters. */
  container?: string;
  path: FieldPath;
}

/** The Resource and ContainerResource entries of `spec.metrics`, with the key their source sits under. */
export function resourceMetricSources(
  metrics: readonly JsonValue[],
): { index: number; field: 'resource' | 'containerResource'; source: JsonObject | undefined }[] {
  return metrics.flatMap((value, index) => {
    const metric = asObject(value);
    const type = asString(metric?.type);
    const field =
      type === 'Resource' ? 'resource' : type === 'ContainerResource' ? 'containerResource' : undefined;
    return field ? [{ index, field, source: asObject(metric?.[field]) }] : [];
  });
}

/** The Resource/ContainerResource metrics of an HPA that scale on utilization (a percentage of the request). */
export function utilizationMetrics(hpa: Resource): UtilizationMetric[] {
  const spec = asObject(hpa.body.spec);
  if (hpa.apiVersion === 'autoscaling/v1') {
    // v1 always scales on CPU utilization (80% when unset).
    return [{ resource: 'cpu', path: ['spec', 'targetCPUUtilizationPercentage'] }];
  }
  const metrics = asArray(spec?.metrics);
  // No metrics means the controller's default: 80% average CPU utilization.
  if (metrics.length === 0) return [{ resource: 'cpu', path: ['spec', 'metrics'] }];
  return resourceMetricSources(metrics).flatMap(({ index, field, source }) => {
    const name = asString(source?.name);
    if ((name !== 'cpu' && name !== 'memory') || asString(asObject(source?.target)?.type) !== 'Utilization')
      return [];
    return [
      {
        resource: name,
        container: field === 'containerResource' ? asString(source?.container) : undefined,
        path: ['spec', 'metrics', index],
      },
    ];
  });
}
