import { describe, expect, it } from 'vitest';
import type { Finding } from '../../scripts/core/finding.js';
import { buildSarif, FINGERPRINT_KEY, formatSarif, type SarifLog } from '../../scripts/report/sarif.js';
import { cleanRun, finding, sampleRun } from './fixtures.js';
import { validateSarif } from './sarif-validator.js';

function expectValidSarif(log: unknown): void {
  const valid = validateSarif(log);
  expect(validateSarif.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
}

function resultsOf(log: SarifLog) {
  const [run] = log.runs;
  if (!run) throw new Error('no run');
  return run.results;
}

function fingerprint(f: Finding): string {
  const run = cleanRun();
  run.overlays[0]?.findings.push(f);
  const [result] = resultsOf(buildSarif(run));
  return result?.partialFingerprints[FINGERPRINT_KEY] ?? '';
}

const base = finding({
  ruleId: 'probes',
  messageId: 'missingReadiness',
  object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'triage', name: 'triage-api' },
  location: { file: 'base/deployment.yaml', line: 18, column: 9 },
});

describe('sarif reporter', () => {
  it('is valid SARIF 2.1.0 for a run with findings, suppressions and a skipped schema check', () => {
    expectValidSarif(
      JSON.parse(formatSarif(sampleRun(), { informationUri: 'https://github.com/acme/triage-gitops' })),
    );
    expectValidSarif(buildSarif(sampleRun({ schemaChecked: false, schemaSkippedReason: 'no kubeconform' })));
    expectValidSarif(buildSarif(cleanRun()));
  });

  it('is checked by a validator that does reject bad SARIF', () => {
    const log = buildSarif(sampleRun()) as unknown as { runs: { results: { level: string }[] }[] };
    const first = log.runs[0]?.results[0];
    if (first) first.level = 'fatal';
    expect(validateSarif(log)).toBe(false);
    expect(
      validateSarif({
        version: '2.1.0',
        runs: [{ tool: { driver: { name: 'x', informationUri: 'not a uri' } } }],
      }),
    ).toBe(false);
  });

  it('describes the tool and every rule that ran', () => {
    const log = buildSarif(sampleRun(), { informationUri: 'https://github.com/acme/triage-gitops' });
    expect(log.$schema).toBe(
      'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json',
    );
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const driver = log.runs[0]?.tool.driver;
    expect(driver?.name).toBe('triage-validate');
    expect(driver?.version).toBe('0.1.0');
    expect(driver?.informationUri).toBe('https://github.com/acme/triage-gitops');
    expect(driver?.rules.map((r) => r.id)).toEqual(['schema', 'hpa-bounds', 'resource-limits', 'probes']);
    expect(driver?.rules[1]).toStrictEqual({
      id: 'hpa-bounds',
      name: 'HpaBounds',
      shortDescription: { text: 'HorizontalPodAutoscaler bounds fit the environment.' },
      fullDescription: { text: 'HorizontalPodAutoscaler bounds fit the environment.' },
      help: { text: 'Set spec.minReplicas and spec.maxReplicas within the bounds for the environment.' },
      helpUri: 'https://example.org/docs/policies#hpa-bounds',
      defaultConfiguration: { level: 'error' },
    });
    expect(driver?.rules[2]?.defaultConfiguration).toEqual({ level: 'warning' });
    expect(buildSarif(sampleRun()).runs[0]?.tool.driver).not.toHaveProperty('informationUri');
  });

  it('writes each finding as a result at its source line, in report order', () => {
    const results = resultsOf(buildSarif(sampleRun()));
    expect(
      results.map((r) => `${r.ruleId} ${r.locations[0]?.physicalLocation.artifactLocation.uri}`),
    ).toEqual([
      'probes base/deployment.yaml',
      'resource-limits base/deployment.yaml',
      'resource-limits base/deployment.yaml',
      'schema overlays/prod/deployment-patch.yaml',
      'hpa-bounds overlays/prod/hpa-patch.yaml',
      'probes base/warmup-job.yaml',
      'resource-limits overlays/dev/debug.yaml',
    ]);
    const hpa = results[4];
    expect(hpa).toMatchObject({
      ruleId: 'hpa-bounds',
      ruleIndex: 1,
      level: 'error',
      message: {
        text: 'minReplicas is 1; must be ≥ 2. (HorizontalPodAutoscaler/triage-api (ns triage), overlays/prod)',
      },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'overlays/prod/hpa-patch.yaml', uriBaseId: '%SRCROOT%' },
            region: { startLine: 9, startColumn: 17 },
          },
          logicalLocations: [
            {
              name: 'triage-api',
              fullyQualifiedName: 'triage/HorizontalPodAutoscaler/triage-api',
              kind: 'resource',
            },
          ],
        },
      ],
      properties: {
        overlay: 'overlays/prod',
        env: 'prod',
        messageId: 'minTooLow',
        object: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'triage-api' },
        namespace: 'triage',
        field: 'spec.minReplicas',
      },
    });
    expect(hpa?.partialFingerprints[FINGERPRINT_KEY]).toMatch(/^[0-9a-f]{32}:1$/);
    expect(hpa).not.toHaveProperty('suppressions');
    const rules = buildSarif(sampleRun()).runs[0]?.tool.driver.rules ?? [];
    for (const result of results) expect(rules[result.ruleIndex]?.id).toBe(result.ruleId);
  });

  it('keeps suppressed findings as results carrying their suppression', () => {
    const results = resultsOf(buildSarif(sampleRun()));
    expect(results[5]?.suppressions).toStrictEqual([
      {
        kind: 'external',
        status: 'accepted',
        justification: 'One-shot job; exits within a minute.',
        properties: { source: 'config', expires: '2031-01-01' },
      },
    ]);
    expect(results[6]?.suppressions).toStrictEqual([
      {
        kind: 'inSource',
        status: 'accepted',
        justification: 'Dev-only debugging pod.',
        properties: { source: 'annotation' },
      },
    ]);
  });

  it('fingerprints a finding by what it is, not by where its line moved', () => {
    const moved = { ...base, location: { ...base.location, line: 40, column: 3 }, message: 'Reworded.' };
    expect(fingerprint(moved)).toBe(fingerprint(base));
    const other = [
      { ...base, ruleId: 'resource-limits' },
      { ...base, messageId: 'missingLiveness' },
      { ...base, location: { ...base.location, file: 'base/other.yaml' } },
      { ...base, overlay: 'overlays/dev' },
      { ...base, object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'triage', name: 'worker' } },
      { ...base, field: 'spec.template.spec.containers[1]' },
    ];
    const prints = new Set([base, ...other].map(fingerprint));
    expect(prints.size).toBe(other.length + 1);
  });

  it('numbers results that share a fingerprint, as CodeQL does', () => {
    const run = cleanRun();
    run.overlays[0]?.findings.push(base, { ...base, location: { ...base.location, line: 30 } });
    const prints = resultsOf(buildSarif(run)).map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
    expect(prints[0]?.replace(/:1$/, ':2')).toBe(prints[1]);
  });

  it('says loudly, as a tool notification, that schemas were not checked', () => {
    const [run] = buildSarif(
      cleanRun({ schemaChecked: false, schemaSkippedReason: 'kubeconform not found on PATH' }),
    ).runs;
    expect(run?.invocations).toStrictEqual([
      {
        executionSuccessful: true,
        toolExecutionNotifications: [
          {
            level: 'error',
            message: { text: 'SCHEMAS NOT CHECKED: kubeconform not found on PATH' },
            descriptor: { id: 'schema' },
          },
        ],
      },
    ]);
    expect(run?.properties).toMatchObject({
      schemaChecked: false,
      schemaSkippedReason: 'kubeconform not found on PATH',
    });
    expect(buildSarif(cleanRun()).runs[0]?.invocations).toStrictEqual([{ executionSuccessful: true }]);
  });

  it('declares a rule for a finding whose rule id no rule declared', () => {
    const run = cleanRun();
    run.overlays[0]?.findings.push({ ...base, ruleId: 'internal-error', remediation: 'Report this bug.' });
    const log = buildSarif(run);
    expectValidSarif(log);
    const rules = log.runs[0]?.tool.driver.rules ?? [];
    const [result] = resultsOf(log);
    expect(rules[result?.ruleIndex ?? -1]).toMatchObject({
      id: 'internal-error',
      help: { text: 'Report this bug.' },
    });
  });

  it('writes relative, forward-slashed, percent-encoded artifact URIs', () => {
    const run = cleanRun();
    run.overlays[0]?.findings.push(
      { ...base, location: { ...base.location, file: './overlays/prod/my patch#1.yaml' } },
      { ...base, location: { ...base.location, file: 'components\\probes\\kustomization.yaml' } },
    );
    const log = buildSarif(run);
    expectValidSarif(log);
    expect(resultsOf(log).map((r) => r.locations[0]?.physicalLocation.artifactLocation.uri)).toEqual([
      'overlays/prod/my%20patch%231.yaml',
      'components/probes/kustomization.yaml',
    ]);
  });
});
