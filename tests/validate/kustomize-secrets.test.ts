import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFiles } from '../../scripts/bench/hostile-trees.js';
import { runMeasured } from '../../scripts/bench/measure.js';
import { tempTrees } from '../helpers/temp-trees.js';

/**
 * kustomize quotes values in its errors. Each tree below makes it print a Secret-like value (the
 * examples a review found); none may reach stdout, stderr, a report file or the job summary, in
 * plain or base64 form, in any format, from validate or from diff.
 */
const CONFIGMAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  x: y\n';
const OUT_OF_BOUNDS = (kind: string, name: string, fieldPath: string) =>
  `replacements:\n- source:\n    kind: ${kind}\n    name: ${name}\n    fieldPath: ${fieldPath}\n    options:\n      delimiter: "/"\n      index: 5\n  targets:\n  - select:\n      kind: ConfigMap\n      name: app\n    fieldPaths:\n    - data.x\n`;

const CASES: { name: string; secret: string; files: Record<string, string> }[] = [
  {
    name: "a replacement out of bounds on a Secret's stringData",
    secret: 'Sup3r-Plain-Secret-Value',
    files: {
      'secret.yaml':
        'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: Sup3r-Plain-Secret-Value\n',
      'cm.yaml': CONFIGMAP,
      'kustomization.yaml': `resources:\n- secret.yaml\n- cm.yaml\n${OUT_OF_BOUNDS('Secret', 'db', 'stringData.password')}`,
    },
  },
  {
    name: "a replacement out of bounds on a generated Secret's data (printed in base64)",
    secret: 'Generated-Secret-Value-42',
    files: {
      'cm.yaml': CONFIGMAP,
      'kustomization.yaml': `resources:\n- cm.yaml\nsecretGenerator:\n- name: gen\n  options:\n    disableNameSuffixHash: true\n  literals:\n  - password=Generated-Secret-Value-42\n${OUT_OF_BOUNDS('Secret', 'gen', 'data.password')}`,
    },
  },
  {
    name: 'a generator literal with two spaces in it',
    secret: 'Two  Spaced  Secret',
    files: {
      'cm.yaml': CONFIGMAP,
      'kustomization.yaml': `resources:\n- cm.yaml\nconfigMapGenerator:\n- name: settings\n  options:\n    disableNameSuffixHash: true\n  literals:\n  - token=Two  Spaced  Secret\n${OUT_OF_BOUNDS('ConfigMap', 'settings', 'data.token')}`,
    },
  },
  {
    name: 'inline helm values',
    secret: 'Helm-Inline-Secret-9',
    files: {
      'kustomization.yaml':
        'helmCharts:\n- name: db\n  repo: https://charts.example.invalid\n  valuesInline:\n    auth:\n      password: Helm-Inline-Secret-9\n',
    },
  },
  {
    name: 'a Secret without metadata.name, with a last-applied annotation',
    secret: 'Last"Applied-Secret-7',
    files: {
      'secret.yaml':
        'apiVersion: v1\nkind: Secret\nmetadata:\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: \'{"kind":"Secret","stringData":{"password":"Last\\"Applied-Secret-7"}}\'\nstringData:\n  password: Last"Applied-Secret-7\n',
      'kustomization.yaml': 'resources:\n- secret.yaml\n',
    },
  },
];

const FORMATS = ['text', 'json', 'sarif', 'github'] as const;

const temp = tempTrees('triage-kustomize-secret');

function forms(secret: string): string[] {
  const out = [secret, Buffer.from(secret).toString('base64'), JSON.stringify(secret).slice(1, -1)];
  // The distinctive part alone, in case a message splits or reformats the value.
  out.push(...secret.split(/[\s"]+/).filter((part) => part.length >= 6));
  return out;
}

function everything(dir: string, run: { stdout: string; stderr: string }): string {
  const files = readdirSync(dir)
    .filter((name) => name.startsWith('out'))
    .map((name) => readFileSync(join(dir, name), 'utf8'));
  return [run.stdout, run.stderr, ...files].join('\n');
}

describe('no Secret value leaves validate through kustomize’s errors', () => {
  it.each(CASES.map((each) => each.name))('%s', async (name) => {
    const testCase = CASES.find((each) => each.name === name) as (typeof CASES)[number];
    const root = temp.tree(testCase.files);
    const runs = await Promise.all(
      FORMATS.map(async (format) => {
        const out = temp.dir();
        const summary = join(out, 'out-summary.md');
        writeFileSync(summary, '');
        const args = ['--no-schemas', '--format', format, '.'];
        if (format !== 'github') args.push('--output', join(out, `out.${format}`));
        const env: Record<string, string> =
          format === 'github' ? { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary } : {};
        const run = await runMeasured('validate', root, args, { env });
        return { format, run, text: everything(out, run) };
      }),
    );
    for (const { format, run, text } of runs) {
      expect(run.status, format).toBe(2);
      // Still one line naming the kustomization: the message survives, the value does not.
      expect(run.stderr.trim().split('\n'), format).toHaveLength(1);
      expect(run.stderr, format).toMatch(/^error: kustomization\.yaml: kustomize could not build it: /);
      for (const form of forms(testCase.secret)) expect(text, `${format}: ${form}`).not.toContain(form);
    }
  });
});

describe('no Secret value leaves diff through kustomize’s errors', () => {
  it.each(CASES.map((each) => each.name))('%s', async (name) => {
    const testCase = CASES.find((each) => each.name === name) as (typeof CASES)[number];
    const root = temp.tree({ 'kustomization.yaml': 'resources:\n- cm.yaml\n', 'cm.yaml': CONFIGMAP });
    writeFiles(root, testCase.files);
    const run = await runMeasured('diff', root, ['--base', 'main', '--format', 'markdown', '.']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/kustomize could not build it: /);
    for (const form of forms(testCase.secret)) expect(`${run.stdout}\n${run.stderr}`).not.toContain(form);
  });
});
