import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Finding, SuppressedFinding } from '../../scripts/core/finding.js';
import {
  formatReport,
  REPORT_FORMATS,
  type StringFormat,
  writeGithubReport,
} from '../../scripts/report/index.js';
import { formatJson } from '../../scripts/report/json.js';
import { formatSarif } from '../../scripts/report/sarif.js';
import { formatText } from '../../scripts/report/text.js';
import { cleanRun, finding, sampleRun } from './fixtures.js';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('formatReport', () => {
  it('dispatches to each reporter', () => {
    expect(REPORT_FORMATS).toEqual(['text', 'json', 'sarif', 'github']);
    vi.stubEnv('GITHUB_SERVER_URL', undefined);
    vi.stubEnv('GITHUB_REPOSITORY', undefined);
    const run = sampleRun();
    expect(formatReport(run, 'text')).toBe(formatText(run));
    expect(formatReport(run, 'text', { color: true })).toBe(formatText(run, { color: true }));
    expect(formatReport(run, 'json')).toBe(formatJson(run));
    expect(formatReport(run, 'sarif')).toBe(formatSarif(run));
  });

  it('points SARIF at the repository when running in GitHub Actions, unless told otherwise', () => {
    vi.stubEnv('GITHUB_SERVER_URL', 'https://github.com');
    vi.stubEnv('GITHUB_REPOSITORY', 'acme/triage-gitops');
    const driverOf = (text: string) => JSON.parse(text).runs[0].tool.driver;
    expect(driverOf(formatReport(cleanRun(), 'sarif')).informationUri).toBe(
      'https://github.com/acme/triage-gitops',
    );
    expect(
      driverOf(formatReport(cleanRun(), 'sarif', { informationUri: 'https://docs.example.org/validate' }))
        .informationUri,
    ).toBe('https://docs.example.org/validate');
  });

  it('refuses a format it does not know', () => {
    expect(() => formatReport(cleanRun(), 'xml' as StringFormat)).toThrow('unknown report format: xml');
  });
});

describe('what reporters print', () => {
  const SECRET = 'hunter2-s3cr3t';

  /**
   * A finding whose message is safe, carrying (as a careless stage might attach) the object body
   * with a Secret's data. Reporters print only the documented fields.
   */
  function leakyRun() {
    const leaky = {
      ...finding({
        ruleId: 'secret-refs',
        messageId: 'inlineSecret',
        message: 'Secret triage-db carries an inline value; use an ExternalSecret.',
        object: { apiVersion: 'v1', kind: 'Secret', namespace: 'triage', name: 'triage-db' },
        location: { file: 'base/secret.yaml', line: 6, column: 3 },
      }),
      body: { apiVersion: 'v1', kind: 'Secret', data: { password: SECRET } },
      value: SECRET,
    } as Finding;
    (leaky.object as unknown as Record<string, unknown>).body = { stringData: { password: SECRET } };
    const suppressed = {
      ...leaky,
      suppression: { reason: 'Rotated weekly.', source: 'config', token: SECRET },
    } as SuppressedFinding;
    const run = cleanRun();
    run.overlays[0]?.findings.push(leaky);
    run.overlays[0]?.suppressed.push(suppressed);
    return run;
  }

  it('never prints data a finding did not mean to carry', async () => {
    const run = leakyRun();
    for (const format of ['text', 'json', 'sarif'] as const) {
      const output = formatReport(run, format, { color: true });
      expect(output, format).toContain('Secret triage-db carries an inline value');
      expect(output, format).not.toContain(SECRET);
      expect(output, format).not.toContain('stringData');
    }

    const dir = mkdtempSync(join(tmpdir(), 'triage-report-leak-'));
    try {
      // @actions/core keeps the first summary path it sees; point it here for this process.
      const summaryFile = process.env.GITHUB_STEP_SUMMARY ?? join(dir, 'summary.md');
      writeFileSync(summaryFile, '');
      vi.stubEnv('GITHUB_STEP_SUMMARY', summaryFile);
      core.summary.emptyBuffer();
      const written: string[] = [];
      vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      });
      await writeGithubReport(run);
      vi.mocked(process.stdout.write).mockRestore();
      const everything = written.join('') + readFileSync(summaryFile, 'utf8');
      expect(everything).toContain('Secret triage-db carries an inline value');
      expect(everything).not.toContain(SECRET);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never prints a Secret or ConfigMap key the API server would refuse, in any format', async () => {
    // As a stage that did not hide the key would hand it over: in the field and quoted in the message.
    const key = `TOKEN ${SECRET}`;
    const leaky = finding({
      ruleId: 'schema',
      messageId: 'invalid',
      message: `at '/stringData/${key}': got number, want string`,
      object: { apiVersion: 'v1', kind: 'Secret', namespace: 'triage', name: 'triage-db' },
      field: `stringData.${key}`,
      location: { file: 'base/secret.yaml', line: 7, column: 3 },
    });
    const configMap = finding({
      ruleId: 'secret-in-config',
      object: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'triage', name: 'triage-config' },
      field: `data.${key}`,
      location: { file: 'base/config.yaml', line: 5, column: 3 },
    });
    // Already hidden by its stage: left as it is.
    const hidden = finding({
      ruleId: 'no-plaintext-secret',
      object: { apiVersion: 'v1', kind: 'Secret', namespace: 'triage', name: 'triage-db' },
      field: 'stringData.<redacted: invalid key 1>',
      location: { file: 'base/secret.yaml', line: 7, column: 3 },
    });
    const run = cleanRun();
    run.overlays[0]?.findings.push(leaky, configMap, hidden);
    run.overlays[0]?.suppressed.push({ ...leaky, suppression: { reason: 'Known.', source: 'config' } });
    for (const format of ['text', 'json', 'sarif'] as const) {
      const output = formatReport(run, format);
      expect(output, format).not.toContain(SECRET);
      expect(output, format).toContain('stringData.<redacted: invalid key>');
      expect(output, format).toContain('data.<redacted: invalid key>');
      expect(output, format).toContain('stringData.<redacted: invalid key 1>');
      expect(output, format).toContain("at '/stringData/<redacted: invalid key>': got number");
    }
  });

  it('keeps exactly the documented keys in JSON', () => {
    const report = JSON.parse(formatReport(leakyRun(), 'json'));
    expect(Object.keys(report.findings[0])).toEqual([
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
    expect(Object.keys(report.findings[0].object)).toEqual(['apiVersion', 'kind', 'namespace', 'name']);
    expect(report.suppressed[0].suppression).toEqual({ reason: 'Rotated weekly.', source: 'config' });
  });
});
