import type { Target } from './apply.js';
import { list, text } from './json.js';
import { kubectlJson } from './kubectl.js';

export interface ApiServiceAvailability {
  available: boolean;
  /** `Available`, or the condition's reason and message. */
  detail: string;
}

/** The metrics.k8s.io APIService's Available condition: what the HPA's CPU figures depend on. */
export async function metricsApiAvailability(target: Target): Promise<ApiServiceAvailability> {
  const service = await kubectlJson(['get', 'apiservice', 'v1beta1.metrics.k8s.io'], {
    ...target,
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
