import { describe, expect, it } from 'vitest';
import { formatJson } from '../../scripts/report/json.js';
import { cleanRun, sampleRun } from './fixtures.js';

describe('json reporter', () => {
  it('prints the documented version-1 shape, findings sorted by file, line, column, rule', () => {
    const text = formatJson(sampleRun());
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text)).toStrictEqual({
      version: 1,
      tool: { name: 'triage-validate', version: '0.1.0' },
      summary: {
        overlays: 2,
        resources: 26,
        errors: 2,
        warnings: 3,
        suppressed: 2,
        schemaChecked: true,
        environments: { 'overlays/dev': 'dev', 'overlays/prod': 'prod' },
        durationMs: 1234,
      },
      findings: [
        {
          ruleId: 'probes',
          messageId: 'missingReadiness',
          severity: 'warning',
          message: 'Container api has no readinessProbe.',
          remediation: 'Add a readinessProbe to container api.',
          overlay: 'overlays/dev',
          env: 'dev',
          object: {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            namespace: 'triage-dev',
            name: 'dev-triage-api',
          },
          location: { file: 'base/deployment.yaml', line: 18, column: 9 },
        },
        {
          ruleId: 'resource-limits',
          messageId: 'missingLimits',
          severity: 'warning',
          message: 'Container api has no memory limit.',
          remediation: 'Add resources.limits.memory to container api.',
          overlay: 'overlays/dev',
          env: 'dev',
          object: {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            namespace: 'triage-dev',
            name: 'dev-triage-api',
          },
          field: 'spec.template.spec.containers[0].resources',
          location: { file: 'base/deployment.yaml', line: 24, column: 11 },
        },
        {
          ruleId: 'resource-limits',
          messageId: 'missingLimits',
          severity: 'warning',
          message: 'Container api has no memory limit.',
          remediation: 'Add resources.limits.memory to container api.',
          overlay: 'overlays/prod',
          env: 'prod',
          object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'triage', name: 'triage-api' },
          field: 'spec.template.spec.containers[0].resources',
          location: { file: 'base/deployment.yaml', line: 24, column: 11 },
        },
        {
          ruleId: 'schema',
          messageId: 'invalid',
          severity: 'error',
          message: "spec.replicas: expected integer, got string '3'.",
          remediation: 'Write replicas as a number: replicas: 3.',
          overlay: 'overlays/prod',
          env: 'prod',
          object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'triage', name: 'triage-api' },
          field: 'spec.replicas',
          location: { file: 'overlays/prod/deployment-patch.yaml', line: 7, column: 13 },
        },
        {
          ruleId: 'hpa-bounds',
          messageId: 'minTooLow',
          severity: 'error',
          message: 'minReplicas is 1; must be ≥ 2.',
          remediation: 'Raise spec.minReplicas to at least 2 in overlays/prod.',
          overlay: 'overlays/prod',
          env: 'prod',
          object: {
            apiVersion: 'autoscaling/v2',
            kind: 'HorizontalPodAutoscaler',
            namespace: 'triage',
            name: 'triage-api',
          },
          field: 'spec.minReplicas',
          location: { file: 'overlays/prod/hpa-patch.yaml', line: 9, column: 17 },
        },
      ],
      suppressed: [
        {
          ruleId: 'probes',
          messageId: 'missingLiveness',
          severity: 'warning',
          message: 'Container model-warmup has no livenessProbe.',
          remediation: 'Add a livenessProbe to container model-warmup.',
          overlay: 'overlays/prod',
          env: 'prod',
          object: { apiVersion: 'batch/v1', kind: 'Job', namespace: 'triage', name: 'model-warmup' },
          location: { file: 'base/warmup-job.yaml', line: 15, column: 9 },
          suppression: {
            reason: 'One-shot job; exits within a minute.',
            source: 'config',
            expires: '2031-01-01',
          },
        },
        {
          ruleId: 'resource-limits',
          messageId: 'missingLimits',
          severity: 'warning',
          message: 'Container debug has no cpu limit.',
          remediation: 'Add resources.limits.cpu to container debug.',
          overlay: 'overlays/dev',
          env: 'dev',
          object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'triage-dev', name: 'dev-debug' },
          location: { file: 'overlays/dev/debug.yaml', line: 30, column: 11 },
          suppression: { reason: 'Dev-only debugging pod.', source: 'annotation' },
        },
      ],
    });
  });

  it('keeps keys in a stable order, so the text diffs well', () => {
    const [first] = JSON.parse(formatJson(sampleRun())).findings;
    expect(Object.keys(first)).toEqual([
      'ruleId',
      'messageId',
      'severity',
      'message',
      'remediation',
      'overlay',
      'env',
      'object',
      'location',
    ]);
  });

  it('names the reason when schemas were not checked, and only then', () => {
    const skipped = JSON.parse(
      formatJson(cleanRun({ schemaChecked: false, schemaSkippedReason: 'no kubeconform' })),
    );
    expect(skipped.summary).toMatchObject({ schemaChecked: false, schemaSkippedReason: 'no kubeconform' });
    expect(JSON.parse(formatJson(cleanRun())).summary).not.toHaveProperty('schemaSkippedReason');
  });

  it('prints empty lists for a clean run', () => {
    const clean = JSON.parse(formatJson(cleanRun()));
    expect(clean.findings).toEqual([]);
    expect(clean.suppressed).toEqual([]);
    expect(clean.summary).toEqual({
      overlays: 1,
      resources: 1,
      errors: 0,
      warnings: 0,
      suppressed: 0,
      schemaChecked: true,
      environments: { 'overlays/prod': 'prod' },
      durationMs: 50,
    });
  });
});
