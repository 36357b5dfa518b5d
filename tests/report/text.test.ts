import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatText } from '../../scripts/report/text.js';
import { cleanRun, finding, sampleRun } from './fixtures.js';

const FINDINGS_BLOCK = `base/deployment.yaml
  18:9   warning  probes           Container api has no readinessProbe.
    → Add a readinessProbe to container api.
    Deployment/dev-triage-api (ns triage-dev) · overlays/dev
  24:11  warning  resource-limits  Container api has no memory limit.
    → Add resources.limits.memory to container api.
    Deployment/dev-triage-api (ns triage-dev) spec.template.spec.containers[0].resources · overlays/dev
  24:11  warning  resource-limits  Container api has no memory limit.
    → Add resources.limits.memory to container api.
    Deployment/triage-api (ns triage) spec.template.spec.containers[0].resources · overlays/prod

overlays/prod/deployment-patch.yaml
  7:13  error    schema  spec.replicas: expected integer, got string '3'.
    → Write replicas as a number: replicas: 3.
    Deployment/triage-api (ns triage) spec.replicas · overlays/prod

overlays/prod/hpa-patch.yaml
  9:17  error    hpa-bounds  minReplicas is 1; must be ≥ 2.
    → Raise spec.minReplicas to at least 2 in overlays/prod.
    HorizontalPodAutoscaler/triage-api (ns triage) spec.minReplicas · overlays/prod
`;

describe('text reporter', () => {
  it('groups findings by file (sorted) with remedy, object and overlay, then counts', () => {
    expect(formatText(sampleRun())).toBe(
      `${FINDINGS_BLOCK}
2 findings suppressed.
2 overlays rendered, 26 resources checked, 2 errors, 3 warnings, 2 suppressed in 1.23s
`,
    );
  });

  it('says SCHEMAS NOT CHECKED first and again just above the summary', () => {
    const run = sampleRun({ schemaChecked: false, schemaSkippedReason: 'kubeconform not found on PATH' });
    expect(formatText(run)).toBe(
      `SCHEMAS NOT CHECKED: kubeconform not found on PATH

${FINDINGS_BLOCK}
2 findings suppressed.
SCHEMAS NOT CHECKED: kubeconform not found on PATH
2 overlays rendered, 26 resources checked, 2 errors, 3 warnings, 2 suppressed in 1.23s
`,
    );
  });

  it('gives a reason even when the caller gave none', () => {
    expect(formatText(cleanRun({ schemaChecked: false }))).toContain(
      'SCHEMAS NOT CHECKED: kubeconform did not run\n',
    );
  });

  it('reports a clean run in the singular where it should', () => {
    expect(formatText(cleanRun())).toBe(
      'No problems found.\n1 overlay rendered, 1 resource checked, 0 errors, 0 warnings, 0 suppressed in 0.05s\n',
    );
  });

  it('colours only when asked, and the colours are the only difference', () => {
    const plain = formatText(sampleRun(), { color: false });
    const coloured = formatText(sampleRun({ schemaChecked: false }), { color: true });
    expect(plain).not.toContain('\u001b[');
    expect(coloured).toContain('\u001b[31merror  \u001b[39m');
    expect(coloured).toContain('\u001b[1;97;41mSCHEMAS NOT CHECKED: kubeconform did not run\u001b[22;39;49m');
    expect(stripVTControlCharacters(formatText(sampleRun(), { color: true }))).toBe(plain);
  });

  it('cannot be made to forge lines or colours by a message', () => {
    const run = cleanRun();
    run.overlays[0]?.findings.push(
      finding({
        ruleId: 'probes',
        message: 'bad\u001b[2Jname\nerror: fake line',
        location: { file: 'base/a.yaml', line: 1, column: 1 },
      }),
    );
    const text = formatText(run);
    expect(text).not.toContain('\u001b');
    expect(text).toContain('bad\\u001b[2Jname error: fake line');
  });
});
