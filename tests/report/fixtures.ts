/** A small, realistic run over two overlays, shared by the reporter tests. */

import type { Finding, SuppressedFinding } from '../../scripts/core/finding.js';
import type { RuleMeta, RunResult } from '../../scripts/report/types.js';

export const RULES: RuleMeta[] = [
  {
    id: 'schema',
    description: 'Rendered objects are valid against the Kubernetes and CRD schemas.',
    remediation: 'Fix the field named in the message so the object matches its schema.',
    defaultSeverity: 'error',
  },
  {
    id: 'hpa-bounds',
    description: 'HorizontalPodAutoscaler bounds fit the environment.',
    remediation: 'Set spec.minReplicas and spec.maxReplicas within the bounds for the environment.',
    defaultSeverity: 'error',
    helpUri: 'https://example.org/docs/policies#hpa-bounds',
  },
  {
    id: 'resource-limits',
    description: 'Every container sets CPU and memory limits.',
    remediation: 'Add resources.limits.cpu and resources.limits.memory to the container.',
    defaultSeverity: 'warning',
  },
  {
    id: 'probes',
    description: 'Every container has readiness and liveness probes.',
    remediation: 'Add a readinessProbe and a livenessProbe to the container.',
    defaultSeverity: 'warning',
  },
];

export function finding(overrides: Partial<Finding> & Pick<Finding, 'ruleId' | 'location'>): Finding {
  return {
    messageId: 'default',
    severity: 'error',
    message: 'Something is wrong.',
    remediation: 'Make it right.',
    overlay: 'overlays/prod',
    env: 'prod',
    ...overrides,
  };
}

const hpaTooLow = finding({
  ruleId: 'hpa-bounds',
  messageId: 'minTooLow',
  message: 'minReplicas is 1; must be ≥ 2.',
  remediation: 'Raise spec.minReplicas to at least 2 in overlays/prod.',
  object: {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    namespace: 'triage',
    name: 'triage-api',
  },
  field: 'spec.minReplicas',
  location: { file: 'overlays/prod/hpa-patch.yaml', line: 9, column: 17 },
});

const prodLimits = finding({
  ruleId: 'resource-limits',
  messageId: 'missingLimits',
  severity: 'warning',
  message: 'Container api has no memory limit.',
  remediation: 'Add resources.limits.memory to container api.',
  object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'triage', name: 'triage-api' },
  field: 'spec.template.spec.containers[0].resources',
  location: { file: 'base/deployment.yaml', line: 24, column: 11 },
});

const devLimits = finding({
  ...prodLimits,
  overlay: 'overlays/dev',
  env: 'dev',
  object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'triage-dev', name: 'dev-triage-api' },
});

const schemaError = finding({
  ruleId: 'schema',
  messageId: 'invalid',
  message: "spec.replicas: expected integer, got string '3'.",
  remediation: 'Write replicas as a number: replicas: 3.',
  object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'triage', name: 'triage-api' },
  field: 'spec.replicas',
  location: { file: 'overlays/prod/deployment-patch.yaml', line: 7, column: 13 },
});

const namespaceProbe = finding({
  ruleId: 'probes',
  messageId: 'missingReadiness',
  severity: 'warning',
  overlay: 'overlays/dev',
  env: 'dev',
  message: 'Container api has no readinessProbe.',
  remediation: 'Add a readinessProbe to container api.',
  object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'triage-dev', name: 'dev-triage-api' },
  location: { file: 'base/deployment.yaml', line: 18, column: 9 },
});

const configSuppressed: SuppressedFinding = {
  ...finding({
    ruleId: 'probes',
    messageId: 'missingLiveness',
    severity: 'warning',
    message: 'Container model-warmup has no livenessProbe.',
    remediation: 'Add a livenessProbe to container model-warmup.',
    object: { apiVersion: 'batch/v1', kind: 'Job', namespace: 'triage', name: 'model-warmup' },
    location: { file: 'base/warmup-job.yaml', line: 15, column: 9 },
  }),
  suppression: { reason: 'One-shot job; exits within a minute.', source: 'config', expires: '2031-01-01' },
};

const annotationSuppressed: SuppressedFinding = {
  ...finding({
    ruleId: 'resource-limits',
    messageId: 'missingLimits',
    severity: 'warning',
    overlay: 'overlays/dev',
    env: 'dev',
    message: 'Container debug has no cpu limit.',
    remediation: 'Add resources.limits.cpu to container debug.',
    object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'triage-dev', name: 'dev-debug' },
    location: { file: 'overlays/dev/debug.yaml', line: 30, column: 11 },
  }),
  suppression: { reason: 'Dev-only debugging pod.', source: 'annotation' },
};

/** Findings are deliberately out of report order within each overlay. */
export function sampleRun(overrides: Partial<RunResult> = {}): RunResult {
  return {
    overlays: [
      {
        overlay: 'overlays/dev',
        env: 'dev',
        resources: 12,
        findings: [devLimits, namespaceProbe],
        suppressed: [annotationSuppressed],
      },
      {
        overlay: 'overlays/prod',
        env: 'prod',
        resources: 14,
        findings: [prodLimits, schemaError, hpaTooLow],
        suppressed: [configSuppressed],
      },
    ],
    rules: RULES,
    schemaChecked: true,
    durationMs: 1234.4,
    toolVersion: '0.1.0',
    ...overrides,
  };
}

export function cleanRun(overrides: Partial<RunResult> = {}): RunResult {
  return {
    overlays: [{ overlay: 'overlays/prod', env: 'prod', resources: 1, findings: [], suppressed: [] }],
    rules: RULES,
    schemaChecked: true,
    durationMs: 50,
    toolVersion: '0.1.0',
    ...overrides,
  };
}
