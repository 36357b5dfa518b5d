import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runMeasured } from '../../scripts/bench/measure.js';
import { PACKAGE_ROOT } from '../../scripts/lib/repo.js';
import { validateSarif } from '../report/sarif-validator.js';
import { copyRepository, type RepoCopy, runValidate } from './repo-copy.js';

interface JsonFinding {
  ruleId: string;
  severity: string;
  message: string;
  overlay: string;
  location: { file: string; line: number; column: number };
}

let copy: RepoCopy | undefined;
afterEach(() => {
  copy?.dispose();
  copy = undefined;
});

/** GitHub creates the job summary file before a step runs; @actions/core refuses a missing one. */
function emptySummaryFile(dir: string): string {
  const file = join(dir, 'summary.md');
  writeFileSync(file, '');
  return file;
}

function json(run: { stdout: string }): { findings: JsonFinding[]; summary: Record<string, unknown> } {
  return JSON.parse(run.stdout);
}

describe('validate on this repository', () => {
  it('prints a clean report and exits 0', () => {
    const run = runValidate(PACKAGE_ROOT, []);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /2 overlays rendered, \d+ resources checked, 0 errors, 0 warnings, 0 suppressed in/,
    );
  });

  it('checks schemas strictly (the json summary says so)', () => {
    const run = runValidate(PACKAGE_ROOT, ['--format', 'json']);
    expect(json(run).summary).toMatchObject({ overlays: 2, errors: 0, schemaChecked: true });
  });
});

describe('schema errors are reported where a person edits them', () => {
  it('an unknown field in a base resource points at that line of the base file', () => {
    copy = copyRepository();
    copy.edit('base/deployment.yaml', 'imagePullPolicy: IfNotPresent', 'imagePullPolicyy: IfNotPresent');
    const run = runValidate(copy.root, ['--format', 'json']);
    expect(run.status).toBe(1);
    const schema = json(run).findings.filter((each) => each.ruleId === 'schema');
    // Both overlays render the base, and each reports it at the one line to fix.
    expect(
      schema.map(
        (each) => `${each.overlay} ${each.location.file}:${each.location.line}:${each.location.column}`,
      ),
    ).toEqual(['overlays/dev base/deployment.yaml:35:11', 'overlays/prod base/deployment.yaml:35:11']);
    expect(schema[0]?.message).toContain('imagePullPolicyy');
  });

  it('a wrong type introduced by an overlay patch points into the patch file', () => {
    copy = copyRepository();
    copy.edit('overlays/prod/hpa-patch.yaml', 'minReplicas: 3', 'minReplicas: three');
    const run = runValidate(copy.root, ['overlays/prod', '--format', 'json']);
    expect(run.status).toBe(1);
    const schema = json(run).findings.filter((each) => each.ruleId === 'schema');
    expect(schema).toHaveLength(1);
    expect(schema[0]?.location).toEqual({ file: 'overlays/prod/hpa-patch.yaml', line: 6, column: 3 });
  });

  it('text output groups by file with line:column, rule, severity and remedy', () => {
    copy = copyRepository();
    copy.edit('overlays/dev/hpa-patch.yaml', 'maxReplicas: 10', 'maxReplicas: "10"');
    const run = runValidate(copy.root, ['overlays/dev']);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('overlays/dev/hpa-patch.yaml');
    expect(run.stdout).toMatch(/\n\s+7:3\s+error\s+schema\s+/);
    expect(run.stdout).toContain('→ ');
    expect(run.stdout).toMatch(/1 overlay(s)? rendered, \d+ resources checked, 1 error/);
  });
});

describe('bad input exits 2 with one message naming the file, never a stack trace', () => {
  const expectInputError = (run: ReturnType<typeof runValidate>, where: RegExp) => {
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(where);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  };

  it('malformed YAML in a base file', () => {
    copy = copyRepository();
    copy.edit('base/service.yaml', '  type: ClusterIP', '  type: [ClusterIP');
    expectInputError(runValidate(copy.root, []), /^error: base\/service\.yaml:\d+:\d+: invalid YAML/);
  });

  it('a kustomization that references a missing file points at the line that names it', () => {
    copy = copyRepository();
    copy.edit(
      'overlays/dev/kustomization.yaml',
      '  - path: hpa-patch.yaml',
      '  - path: hpa-patch-missing.yaml',
    );
    expectInputError(
      runValidate(copy.root, []),
      /^error: overlays\/dev\/kustomization\.yaml:19:5: patch 'hpa-patch-missing\.yaml' does not exist/,
    );
  });

  it('a resource kustomize cannot build names the kustomization', () => {
    copy = copyRepository();
    copy.edit(
      'overlays/prod/hpa-patch.yaml',
      'kind: HorizontalPodAutoscaler',
      'kind: HorizontalPodAutoscaler\nfoo: [',
    );
    expectInputError(
      runValidate(copy.root, []),
      /^error: overlays\/prod\/hpa-patch\.yaml:\d+:\d+: invalid YAML/,
    );
  });

  it('an alias bomb ends at once with a clear error (kustomize itself would hang on it)', () => {
    copy = copyRepository();
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let level = 1; level < 9; level++) {
      const prev = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    copy.write(
      'base/bomb.yaml',
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n${levels.map((l) => `  ${l}`).join('\n')}\n`,
    );
    copy.edit('base/kustomization.yaml', '  - pdb.yaml', '  - pdb.yaml\n  - bomb.yaml');
    const run = runValidate(copy.root, []);
    expectInputError(run, /^error: base\/bomb\.yaml:1:1: YAML rejected: .*alias/i);
    // Bounded, not a speed goal: the process exits by itself long before kustomize's 20-second hang.
    expect(run.ms).toBeLessThan(15_000);
  });

  it('an unknown flag or format', () => {
    const run = runValidate(PACKAGE_ROOT, ['--format', 'xml']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("unknown --format 'xml'");
  });

  it('a generator literal without KEY= is named at its line, without its value', () => {
    copy = copyRepository();
    copy.edit(
      'base/kustomization.yaml',
      '      - secrets.env',
      '      - secrets.env\n    literals:\n      - Hunter2Sup3rS3cretValue',
    );
    const run = runValidate(copy.root, ['overlays/dev']);
    expectInputError(
      run,
      /^error: base\/kustomization\.yaml:33:9: secretGenerator triage-secrets: a literal must be KEY=value/,
    );
    expect(run.stderr).not.toContain('Hunter2Sup3rS3cretValue');
  });

  it('an env-file line without a valid KEY= is named at its line (it would become a key holding the value)', () => {
    copy = copyRepository();
    copy.write(
      'base/secrets.env',
      '# filled by the pipeline\r\nDATABASE_CONNECTION_STRING=<set-by-pipeline>\r\nAZURE_OPENAI_API_KEY Hunter2Sup3rS3cretValue\r\n',
    );
    const run = runValidate(copy.root, ['overlays/dev']);
    expectInputError(run, /^error: base\/secrets\.env:3:1: env file line must be KEY=value/);
    expect(run.stderr).not.toContain('Hunter2Sup3rS3cretValue');
  });

  it("kustomize's own error is one readable line (helmCharts are not inflated)", () => {
    copy = copyRepository();
    copy.write(
      'overlays/dev/kustomization.yaml',
      `${copy.read('overlays/dev/kustomization.yaml')}helmCharts:\n  - name: chart\n    repo: https://charts.example.com\n    version: 1.0.0\n`,
    );
    const run = runValidate(copy.root, ['overlays/dev']);
    expectInputError(
      run,
      /^error: overlays\/dev\/kustomization\.yaml: kustomize could not build it: .*must specify --enable-helm .*helm template/,
    );
    // kubectl's klog prefix (`E1123 13:44:29.98 12793 run.go:72] "command failed" err=<`) is gone.
    expect(run.stderr).not.toMatch(/run\.go|err=|\bE\d{4} /);
  });

  it('a report that cannot be written: one line naming the file, before any work', () => {
    const run = runValidate(PACKAGE_ROOT, ['--format', 'json', '--output', 'no-such-dir/report.json']);
    expectInputError(
      run,
      /^error: no-such-dir\/report\.json: cannot write the report: directory no-such-dir does not exist/,
    );
  });

  it('a KUSTOMIZE that does not run is an error, not a silent fallback to another kustomize', () => {
    const run = runValidate(PACKAGE_ROOT, [], { KUSTOMIZE: '/nonexistent/kustomize' });
    expectInputError(run, /^error: KUSTOMIZE=\/nonexistent\/kustomize does not run/);
  });

  it('--output with --format github, or an empty --env, is refused rather than ignored', () => {
    expectInputError(
      runValidate(PACKAGE_ROOT, ['--format', 'github', '--output', 'report.txt']),
      /^error: --output applies to text, json and sarif/,
    );
    expectInputError(runValidate(PACKAGE_ROOT, ['--env', '']), /^error: --env '' is not an environment name/);
  });

  it('a path that is not a kustomization', () => {
    expectInputError(runValidate(PACKAGE_ROOT, ['scripts']), /^error: scripts: holds no kustomization\.yaml/);
  });
});

describe('paths are taken as the user typed them, wherever validate runs', () => {
  const overlaysOf = (run: ReturnType<typeof runValidate>) => [
    ...new Set(json(run).findings.map((each) => `${each.overlay} ${each.location.file}`)),
  ];

  function treeWithFinding(): RepoCopy {
    const repo = copyRepository();
    repo.edit('overlays/dev/hpa-patch.yaml', 'maxReplicas: 10', 'maxReplicas: 50');
    return repo;
  }

  it('`npm run validate -- .` in overlays/dev validates overlays/dev (npm starts scripts in the package root)', () => {
    copy = treeWithFinding();
    const run = runValidate(PACKAGE_ROOT, ['.', '--format', 'json'], {
      npm_lifecycle_event: 'validate',
      INIT_CWD: join(copy.root, 'overlays', 'dev'),
    });
    expect(run.status).toBe(1);
    expect(json(run).summary).toMatchObject({ overlays: 1 });
    expect(overlaysOf(run)).toEqual(['overlays/dev overlays/dev/hpa-patch.yaml']);
  });

  it('outside git, a subdirectory still reports paths from the directory holding validate.config.yaml', () => {
    copy = treeWithFinding();
    const run = runValidate(join(copy.root, 'overlays', 'dev'), ['.', '--format', 'json']);
    expect(run.status).toBe(1);
    expect(overlaysOf(run)).toEqual(['overlays/dev overlays/dev/hpa-patch.yaml']);
  });

  it('a Windows-style path (overlays\\dev)', () => {
    copy = treeWithFinding();
    const run = runValidate(copy.root, ['overlays\\dev', '--format', 'json']);
    expect(run.status).toBe(1);
    expect(overlaysOf(run)).toEqual(['overlays/dev overlays/dev/hpa-patch.yaml']);
  });

  it('the kustomization file itself (what tab completion gives) means its directory', () => {
    copy = treeWithFinding();
    const run = runValidate(copy.root, ['overlays/dev/kustomization.yaml', '--format', 'json']);
    expect(run.status).toBe(1);
    expect(overlaysOf(run)).toEqual(['overlays/dev overlays/dev/hpa-patch.yaml']);
  });
});

describe('kubeconform missing', () => {
  it('still runs the policies, says loudly that schemas were not checked, and fails in GitHub Actions', () => {
    const env = { KUBECONFORM: '/nonexistent/kubeconform', PATH: '/usr/bin:/bin:/usr/local/bin' };
    const local = runValidate(PACKAGE_ROOT, [], env);
    expect(local.stdout).toContain('SCHEMAS NOT CHECKED');
    expect(local.status).toBe(0);
    const summary = emptySummaryFile(mkdtempSync(join(tmpdir(), 'summary-')));
    const ci = runValidate(PACKAGE_ROOT, ['--format', 'github'], {
      ...env,
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: summary,
    });
    expect(ci.status).toBe(2);
    expect(ci.stderr).toContain('schemas were not checked');
    expect(readFileSync(summary, 'utf8')).toMatch(/not checked/i);
  });
});

describe('output formats on a tree with findings', () => {
  const SECRET_VALUE = 'Zq8xK2vN5mB7cR1tY4uW9eA3sD6fG0hJ';
  const GENERATOR_SECRET = 'AccountKey=p4Ss9WoRdLiKeVaLuE0123456789abcdefABCDEF==';

  function leakyTree(): RepoCopy {
    const repo = copyRepository();
    repo.write(
      'base/secrets.env',
      `AZURE_OPENAI_API_KEY=${SECRET_VALUE}\nDATABASE_CONNECTION_STRING=<set-by-pipeline>\n`,
    );
    repo.edit(
      'base/kustomization.yaml',
      '      - UVICORN_WORKERS=1',
      `      - UVICORN_WORKERS=1\n      - STORAGE_CONNECTION=DefaultEndpointsProtocol=https;AccountName=x;${GENERATOR_SECRET}`,
    );
    repo.edit('overlays/dev/hpa-patch.yaml', 'maxReplicas: 10', 'maxReplicas: 50');
    return repo;
  }

  it('never prints a secret value, in any format', async () => {
    copy = leakyTree();
    const root = copy.root;
    const outputs: string[] = [];
    const summary = emptySummaryFile(root);
    // The four formats at once: each is a whole validate run.
    const runs = await Promise.all([
      ...['text', 'json', 'sarif'].map((format) => runMeasured('validate', root, ['--format', format])),
      runMeasured('validate', root, ['--format', 'github'], {
        env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary },
      }),
    ]);
    for (const run of runs) {
      expect(run.status).toBe(1);
      outputs.push(run.stdout, run.stderr);
    }
    outputs.push(readFileSync(summary, 'utf8'));
    const all = outputs.join('\n');
    expect(all).toContain('no-plaintext-secret');
    expect(all).toContain('secret-in-config');
    expect(all).not.toContain(SECRET_VALUE);
    expect(all).not.toContain('p4Ss9WoRdLiKeVaLuE');
    expect(all).not.toContain(Buffer.from(SECRET_VALUE).toString('base64'));
  });

  it('SARIF validates against the SARIF 2.1.0 schema, with repository-relative locations', () => {
    copy = leakyTree();
    const out = join(copy.root, 'out.sarif');
    const run = runValidate(copy.root, ['--format', 'sarif', '--output', out]);
    expect(run.status).toBe(1);
    const log = JSON.parse(readFileSync(out, 'utf8'));
    expect(validateSarif(log)).toBe(true);
    const results = log.runs[0].results as {
      ruleId: string;
      locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
    }[];
    const hpa = results.find((each) => each.ruleId === 'hpa-bounds');
    expect(hpa?.locations[0]?.physicalLocation.artifactLocation.uri).toBe('overlays/dev/hpa-patch.yaml');
    expect(hpa?.locations[0]?.physicalLocation.region.startLine).toBe(7);
  });

  it('github format writes annotations and a job summary with a table per overlay', () => {
    copy = leakyTree();
    const summary = emptySummaryFile(copy.root);
    const run = runValidate(copy.root, ['--format', 'github'], {
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: summary,
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(
      /^::error title=hpa-bounds \(overlays\/dev\),file=overlays\/dev\/hpa-patch\.yaml,line=7,col=3::/m,
    );
    const markdown = readFileSync(summary, 'utf8');
    expect(markdown).toContain('overlays/dev');
    expect(markdown).toContain('overlays/prod');
    expect(markdown).toContain('<table>');
  });
});

afterEach(() => {
  rmSync(join(tmpdir(), 'nothing-to-clean'), { force: true });
});
