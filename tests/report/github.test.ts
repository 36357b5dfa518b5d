import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Finding } from '../../scripts/core/finding.js';
import {
  type GithubReportOptions,
  writeGithubReport,
  writeGithubWarning,
} from '../../scripts/report/github.js';
import type { RunResult } from '../../scripts/report/types.js';
import { cleanRun, finding, sampleRun } from './fixtures.js';

let dir: string;
let summaryFile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'triage-report-'));
  // @actions/core resolves the summary path once per process, so every test shares this file.
  summaryFile = join(dir, 'step-summary.md');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeEach(() => {
  writeFileSync(summaryFile, '');
  core.summary.emptyBuffer();
  vi.stubEnv('GITHUB_STEP_SUMMARY', summaryFile);
  vi.stubEnv('GITHUB_SERVER_URL', undefined);
  vi.stubEnv('GITHUB_REPOSITORY', undefined);
  vi.stubEnv('GITHUB_SHA', undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** Runs the reporter, returning the workflow commands it printed and the summary it wrote. */
async function report(result: RunResult, options?: GithubReportOptions) {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    const outcome = await writeGithubReport(result, options);
    return {
      commands: written.join('').split('\n').filter(Boolean),
      outcome,
      summary: readFileSync(summaryFile, 'utf8'),
    };
  } finally {
    spy.mockRestore();
  }
}

function many(errors: number, warnings: number): RunResult {
  const run = cleanRun();
  const findings = run.overlays[0]?.findings ?? [];
  const make = (severity: Finding['severity'], i: number) =>
    finding({
      ruleId: severity === 'error' ? 'hpa-bounds' : 'probes',
      severity,
      message: `Problem ${i}.`,
      location: { file: `base/${severity}-${String(i).padStart(3, '0')}.yaml`, line: i + 1, column: 3 },
    });
  for (let i = 0; i < errors; i += 1) findings.push(make('error', i));
  for (let i = 0; i < warnings; i += 1) findings.push(make('warning', i));
  return run;
}

const SAMPLE_COMMANDS = [
  "::error title=schema (overlays/prod),file=overlays/prod/deployment-patch.yaml,line=7,col=13::spec.replicas: expected integer, got string '3'.%0A→ Write replicas as a number: replicas: 3.%0ADeployment/triage-api (ns triage)",
  '::error title=hpa-bounds (overlays/prod),file=overlays/prod/hpa-patch.yaml,line=9,col=17::minReplicas is 1; must be ≥ 2.%0A→ Raise spec.minReplicas to at least 2 in overlays/prod.%0AHorizontalPodAutoscaler/triage-api (ns triage)',
  '::warning title=probes (overlays/dev),file=base/deployment.yaml,line=18,col=9::Container api has no readinessProbe.%0A→ Add a readinessProbe to container api.%0ADeployment/dev-triage-api (ns triage-dev)',
  '::warning title=resource-limits (overlays/dev),file=base/deployment.yaml,line=24,col=11::Container api has no memory limit.%0A→ Add resources.limits.memory to container api.%0ADeployment/dev-triage-api (ns triage-dev)',
  '::warning title=resource-limits (overlays/prod),file=base/deployment.yaml,line=24,col=11::Container api has no memory limit.%0A→ Add resources.limits.memory to container api.%0ADeployment/triage-api (ns triage)',
];

const SAMPLE_SUMMARY = `<h2>triage-validate</h2>
<p>2 overlays rendered, 26 resources checked, 2 errors, 3 warnings, 2 suppressed in 1.23s</p>
<h3>overlays/dev (dev): 0 errors, 2 warnings, 1 suppressed, 12 resources checked</h3>
<table><tr><th>File</th><th>Severity</th><th>Rule</th><th>Object</th><th>Message</th></tr><tr><td>base/deployment.yaml:18</td><td>warning</td><td>probes</td><td>Deployment/dev-triage-api (ns triage-dev)</td><td>Container api has no readinessProbe.<br>→ Add a readinessProbe to container api.</td></tr><tr><td>base/deployment.yaml:24</td><td>warning</td><td>resource-limits</td><td>Deployment/dev-triage-api (ns triage-dev)</td><td>Container api has no memory limit.<br>→ Add resources.limits.memory to container api.</td></tr></table>
<h3>overlays/prod (prod): 2 errors, 1 warning, 1 suppressed, 14 resources checked</h3>
<table><tr><th>File</th><th>Severity</th><th>Rule</th><th>Object</th><th>Message</th></tr><tr><td>base/deployment.yaml:24</td><td>warning</td><td>resource-limits</td><td>Deployment/triage-api (ns triage)</td><td>Container api has no memory limit.<br>→ Add resources.limits.memory to container api.</td></tr><tr><td>overlays/prod/deployment-patch.yaml:7</td><td>error</td><td>schema</td><td>Deployment/triage-api (ns triage)</td><td>spec.replicas: expected integer, got string &#39;3&#39;.<br>→ Write replicas as a number: replicas: 3.</td></tr><tr><td>overlays/prod/hpa-patch.yaml:9</td><td>error</td><td>hpa-bounds</td><td>HorizontalPodAutoscaler/triage-api (ns triage)</td><td>minReplicas is 1; must be ≥ 2.<br>→ Raise spec.minReplicas to at least 2 in overlays/prod.</td></tr></table>
<h3>Suppressed (2)</h3>
<table><tr><th>File</th><th>Rule</th><th>Overlay</th><th>Object</th><th>Message</th><th>Reason</th><th>Source</th></tr><tr><td>base/warmup-job.yaml:15</td><td>probes</td><td>overlays/prod</td><td>Job/model-warmup (ns triage)</td><td>Container model-warmup has no livenessProbe.</td><td>One-shot job; exits within a minute.</td><td>config (expires 2031-01-01)</td></tr><tr><td>overlays/dev/debug.yaml:30</td><td>resource-limits</td><td>overlays/dev</td><td>Deployment/dev-debug (ns triage-dev)</td><td>Container debug has no cpu limit.</td><td>Dev-only debugging pod.</td><td>annotation</td></tr></table>
`;

describe('github reporter', () => {
  it('annotates each finding at its file and line, errors first, and writes the job summary', async () => {
    const { commands, outcome, summary } = await report(sampleRun());
    expect(commands).toEqual(SAMPLE_COMMANDS);
    expect(summary).toBe(SAMPLE_SUMMARY);
    expect(outcome).toEqual({
      annotated: { errors: 2, warnings: 3 },
      omitted: { errors: 0, warnings: 0 },
      summaryWritten: true,
      summaryRowsOmitted: 0,
    });
  });

  it('annotates the first 10 errors and 10 warnings, then says how many were left out', async () => {
    const { commands, outcome, summary } = await report(many(12, 11));
    expect(commands.filter((c) => c.startsWith('::error '))).toHaveLength(10);
    expect(commands.filter((c) => c.startsWith('::warning '))).toHaveLength(10);
    expect(commands[0]).toBe(
      '::error title=hpa-bounds (overlays/prod),file=base/error-000.yaml,line=1,col=3::Problem 0.%0A→ Make it right.',
    );
    expect(commands[9]).toContain('file=base/error-009.yaml');
    expect(commands.at(-1)).toBe(
      '::notice title=triage-validate::2 errors and 1 warning not annotated: GitHub shows at most 10 error and 10 warning annotations per step; the job summary lists every finding.',
    );
    expect(commands).toHaveLength(21);
    expect(outcome.omitted).toEqual({ errors: 2, warnings: 1 });
    // The summary still lists every finding.
    expect(summary.match(/<tr><td>/g)).toHaveLength(23);
  });

  it('warns loudly when schemas were not checked, using one of the ten warning slots', async () => {
    const { commands, summary } = await report({
      ...many(0, 10),
      schemaChecked: false,
      schemaSkippedReason: 'kubeconform not found on PATH.',
    });
    expect(commands[0]).toBe(
      '::warning title=triage-validate::SCHEMAS NOT CHECKED: kubeconform not found on PATH.',
    );
    expect(commands.filter((c) => c.startsWith('::warning '))).toHaveLength(10);
    expect(commands.at(-1)).toBe(
      '::notice title=triage-validate::1 warning not annotated: GitHub shows at most 10 error and 10 warning annotations per step; the job summary lists every finding.',
    );
    expect(summary).toContain(
      '\n\n> [!WARNING]\n> **SCHEMAS NOT CHECKED:** kubeconform not found on PATH. The rendered objects were not validated against the Kubernetes schemas.\n\n',
    );
  });

  it('escapes HTML and table syntax in every cell and heading', async () => {
    const run = cleanRun({ schemaChecked: false, schemaSkippedReason: 'kubeconform *crashed* <oops>' });
    run.overlays[0]?.findings.push(
      finding({
        ruleId: 'probes',
        message: 'image <script>alert(1)</script> | tag & "latest"\nsecond line',
        remediation: 'Pin `image` | use a digest.',
        location: { file: 'base/a<b>.yaml', line: 3, column: 1 },
      }),
    );
    const { summary } = await report(run);
    expect(summary).not.toContain('<script>');
    expect(summary).toContain(
      '<td>base/a&lt;b&gt;.yaml:3</td><td>error</td><td>probes</td><td>—</td><td>image &lt;script&gt;alert(1)&lt;/script&gt; &#124; tag &amp; &quot;latest&quot; second line<br>→ Pin `image` &#124; use a digest.</td></tr></table>',
    );
    expect(summary).toContain(
      '> **SCHEMAS NOT CHECKED:** kubeconform \\*crashed\\* &lt;oops&gt;. The rendered',
    );
    const table = summary.split('\n').find((line) => line.startsWith('<table>')) ?? '';
    expect(table.match(/<td>/g)).toHaveLength(5);
  });

  it('stays under the summary limit, saying how many rows it left out', async () => {
    const limit = 8 * 1024;
    const { summary, outcome } = await report(many(0, 100), { summaryLimitBytes: limit });
    const shown = summary.match(/<tr><td>/g)?.length ?? 0;
    expect(outcome.summaryRowsOmitted).toBeGreaterThan(0);
    expect(shown + outcome.summaryRowsOmitted).toBe(100);
    expect(summary).toContain(
      `<p><strong>${outcome.summaryRowsOmitted} more rows not shown</strong>: a job summary is limited to 1 MiB.`,
    );
    expect(statSync(summaryFile).size).toBeLessThan(limit);
  });

  it('keeps a large real run under 1 MiB', async () => {
    const { outcome } = await report(many(5000, 5000));
    expect(outcome.summaryRowsOmitted).toBeGreaterThan(0);
    expect(statSync(summaryFile).size).toBeLessThan(1024 * 1024);
  });

  it('links file cells to the commit when GitHub says which one', async () => {
    vi.stubEnv('GITHUB_SERVER_URL', 'https://github.com');
    vi.stubEnv('GITHUB_REPOSITORY', 'acme/triage-gitops');
    vi.stubEnv('GITHUB_SHA', 'abc123');
    const { summary } = await report(sampleRun());
    expect(summary).toContain(
      '<td><a href="https://github.com/acme/triage-gitops/blob/abc123/base/deployment.yaml#L18">base/deployment.yaml:18</a></td>',
    );
  });

  it('still annotates outside Actions, where there is no job summary', async () => {
    vi.stubEnv('GITHUB_STEP_SUMMARY', undefined);
    const { commands, outcome } = await report(many(11, 0));
    expect(outcome.summaryWritten).toBe(false);
    expect(commands).toHaveLength(11);
    expect(commands.at(-1)).toBe(
      '::notice title=triage-validate::1 error not annotated: GitHub shows at most 10 error and 10 warning annotations per step; run validate locally for the full list.',
    );
  });

  it('reports a clean run as such', async () => {
    const { commands, summary } = await report(cleanRun());
    expect(commands).toEqual([]);
    expect(summary).toBe(
      '<h2>triage-validate</h2>\n<p>1 overlay rendered, 1 resource checked, 0 errors, 0 warnings, 0 suppressed in 0.05s</p>\n' +
        '<h3>overlays/prod (prod): 0 errors, 0 warnings, 0 suppressed, 1 resource checked</h3>\n<p>No problems found.</p>\n',
    );
  });
});

describe('a GITHUB_STEP_SUMMARY that cannot be written', () => {
  it('warns, naming the variable, and keeps the annotations when its directory does not exist', async () => {
    const missing = join(dir, 'no-such-dir', 'summary.md');
    vi.stubEnv('GITHUB_STEP_SUMMARY', missing);
    const { commands, outcome } = await report(many(11, 0));
    expect(outcome.summaryWritten).toBe(false);
    expect(outcome.summaryProblem).toBe(
      `GITHUB_STEP_SUMMARY=${missing} does not exist and its directory does not either: no job summary was written`,
    );
    expect(commands[0]).toBe(
      `::warning title=triage-validate::GITHUB_STEP_SUMMARY=${missing} does not exist and its directory does not either: no job summary was written. The annotations and the exit code stand; run validate locally for the full list.`,
    );
    expect(commands.filter((c) => c.startsWith('::error '))).toHaveLength(10);
    // The notice does not point to a summary that is not there.
    expect(commands.at(-1)).toContain('run validate locally for the full list.');
    expect(existsSync(missing)).toBe(false);
  });

  it('counts its warning against the ten warning annotations', async () => {
    vi.stubEnv('GITHUB_STEP_SUMMARY', join(dir, 'no-such-dir', 'summary.md'));
    const { commands, outcome } = await report(many(0, 10));
    expect(commands.filter((c) => c.startsWith('::warning '))).toHaveLength(10);
    expect(outcome.omitted.warnings).toBe(1);
  });

  it('warns when the path is a directory', async () => {
    const folder = join(dir, 'a-directory');
    mkdirSync(folder, { recursive: true });
    vi.stubEnv('GITHUB_STEP_SUMMARY', folder);
    const { outcome } = await report(sampleRun());
    expect(outcome.summaryWritten).toBe(false);
    expect(outcome.summaryProblem).toBe(
      `GITHUB_STEP_SUMMARY=${folder} is not a regular file: no job summary was written`,
    );
  });

  it('creates the file when only the file is missing, as the runner would have', async () => {
    const fresh = join(dir, `fresh-${Date.now()}.md`);
    vi.stubEnv('GITHUB_STEP_SUMMARY', fresh);
    const { outcome } = await report(sampleRun());
    expect(outcome.summaryWritten).toBe(true);
    expect(readFileSync(fresh, 'utf8')).toBe(SAMPLE_SUMMARY);
  });
});

describe('warnings about the run itself', () => {
  it('an expired config suppression becomes a warning annotation on its line', () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      writeGithubWarning(
        'validate.config.yaml:39: suppressions[0] (probes on Deployment api) expired on 2020-01-01 and no longer applies',
      );
      writeGithubWarning('validate.config.yaml: environments.overlays/qa: no such directory');
    } finally {
      spy.mockRestore();
    }
    expect(written.join('').split('\n').filter(Boolean)).toEqual([
      '::warning title=triage-validate,file=validate.config.yaml,line=39::suppressions[0] (probes on Deployment api) expired on 2020-01-01 and no longer applies',
      '::warning title=triage-validate::validate.config.yaml: environments.overlays/qa: no such directory',
    ]);
  });
});
