import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CONNECTIONS, RESERVED_FILES } from '../../scripts/loadtest/args.js';
import { type SpawnedDevServer, spawnDevServer } from '../../scripts/loadtest/dev-server.js';
import { REPORT_FILES } from '../../scripts/loadtest/report/write.js';
import { installFakeKubectl, REPO_ROOT } from './helpers.js';

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the command as a user would: `npx tsx scripts/loadtest.ts …`; or, with `direct`, as the
 * one node process that runs the CLI (`node --import tsx`), so a signal reaches it and only it.
 */
function runCli(
  args: string[],
  env: Record<string, string> = {},
  whileRunning?: (child: ReturnType<typeof spawn>, output: { stderr: string }) => void,
  direct = false,
): Promise<CliRun> {
  return new Promise((resolve) => {
    const [command, ...prefix] = direct ? [process.execPath, '--import', 'tsx'] : ['npx', 'tsx'];
    const child = spawn(command as string, [...prefix, 'scripts/loadtest.ts', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, GITHUB_STEP_SUMMARY: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = { stdout: '', stderr: '' };
    child.stdout.on('data', (chunk: Buffer) => {
      output.stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output.stderr += chunk.toString();
    });
    whileRunning?.(child, output);
    child.on('close', (code) => resolve({ code, ...output }));
  });
}

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'loadtest-cli-'));

let server: SpawnedDevServer;
let failing: SpawnedDevServer;
let kubectl: string;

beforeAll(async () => {
  [server, failing] = await Promise.all([
    spawnDevServer({ burnMs: 1 }),
    spawnDevServer({ burnMs: 1, failEvery: 2 }),
  ]);
  kubectl = installFakeKubectl();
}, 30_000);

afterAll(async () => {
  await Promise.all([server?.close(), failing?.close()]);
});

describe.concurrent('loadtest CLI', () => {
  it('without a cluster: runs the load, reports, says the scaling checks were not run, exits 0', async () => {
    const report = tempDir();
    const run = await runCli([
      '--url',
      server.url,
      '--no-cluster',
      '--duration',
      '2s',
      '--connections',
      '4',
      '--report',
      report,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Result {3}[\d,]+ responses in [\d.]+s = [\d.]+ req\/s; errors 0\.00%/);
    expect(run.stdout).toMatch(/Latency {2}p50 [\d.]+ms · p95 [\d.]+ms · p99 [\d.]+ms/);
    expect(run.stdout).toContain('✓ Error rate: 0.00%');
    expect(run.stdout).toContain('– Scaling checks: NOT RUN: --no-cluster was given.');
    expect(run.stdout).toContain('PASS — load only: the scaling checks were NOT run');
    expect(run.stderr).toContain('scaling checks: NOT RUN');
    for (const file of Object.values(REPORT_FILES)) expect(existsSync(path.join(report, file))).toBe(true);
    const json = JSON.parse(readFileSync(path.join(report, REPORT_FILES.json), 'utf8'));
    expect(json.load.seconds.length).toBeGreaterThanOrEqual(2);
    expect(json.verdict.scope).toBe('load-only');
  }, 30_000);

  it('fails (exit 1) when the error rate is over the threshold', async () => {
    const run = await runCli([
      '--url',
      failing.url,
      '--no-cluster',
      '--duration',
      '2s',
      '--connections',
      '4',
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /✗ Error rate: (49|50)\.\d\d% \([\d,]+ of [\d,]+ requests: [\d,]+ × HTTP 503\); threshold 1\.00%/,
    );
    expect(run.stdout).toMatch(/^FAIL \(1 of 2 checks failed\)/m);
  }, 30_000);

  it('rejects bad input with one line and exit 2', async () => {
    const run = await runCli(['--url', server.url, '--duration', '3x']);
    expect(run.code).toBe(2);
    expect(
      run.stderr
        .trim()
        .split('\n')
        .filter((line) => !line.startsWith('npm warn')),
    ).toEqual(["error: --duration: '3x' is not a duration (use e.g. 90s, 3m, 1m30s)"]);
    expect(run.stdout).toBe('');
  }, 30_000);

  it('with a cluster (recorded kubectl output): checks wiring, sees scale-out and scale-in, exits 0', async () => {
    const dir = tempDir();
    const summary = path.join(dir, 'summary.md');
    writeFileSync(summary, '');
    const run = await runCli(
      [
        '--url',
        server.url,
        '--duration',
        '3s',
        '--connections',
        '4',
        '--poll-interval',
        '1s',
        '--scale-in-timeout',
        '20s',
      ],
      { KUBECTL: kubectl, FAKE_KUBECTL_STATE: path.join(dir, 'state'), GITHUB_STEP_SUMMARY: summary },
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    for (const line of [
      "✓ ConfigMap holds the model deployment: triage-config-69cf58mtf2 (found through the Deployment's envFrom) sets MODEL_DEPLOYMENT_NAME=gpt-4.1-mini",
      '✓ Secret wiring: triage-secrets-c2bgt5f67k (Opaque) has keys AZURE_OPENAI_API_KEY, DATABASE_CONNECTION_STRING (key names only)',
      '✓ HPA present: triage-backend-hpa scales Deployment/triage-backend from 2 to 10, CPU target 10%',
      '✓ At the minimum before the load: 2 replicas (2 ready, HPA desired 2); minimum 2',
    ]) {
      expect(run.stdout).toContain(line);
    }
    expect(run.stdout).toMatch(
      /✓ CPU metrics available: CPU 3% of request before the load; reported in \d of \d samples/,
    );
    expect(run.stdout).toMatch(
      /✓ Scaled out under load: 2 → 4 replicas: first above the minimum [\d.]+s into the load/,
    );
    expect(run.stdout).toMatch(
      /✓ Back to the minimum after the load: back to 2 replicas [\d.]+s after the load stopped/,
    );
    expect(run.stdout).toMatch(/^PASS$/m);
    expect(run.stdout).toContain('Job summary written.');
    const markdown = readFileSync(summary, 'utf8');
    expect(markdown).toContain('## Load test: PASS ✅');
    expect(markdown.match(/```mermaid\nxychart-beta/g)).toHaveLength(3);
    // Secret values from the fixture never reach the output.
    expect(run.stdout + run.stderr + markdown).not.toMatch(/set-by-pipeline|PHNldC1ieS1waXBlbGluZT4=/);
  }, 40_000);

  it('fails (exit 1) when the HPA never scales out', async () => {
    const dir = tempDir();
    const run = await runCli(
      [
        '--url',
        server.url,
        '--duration',
        '2s',
        '--connections',
        '2',
        '--poll-interval',
        '1s',
        '--scale-in-timeout',
        '5s',
      ],
      {
        KUBECTL: kubectl,
        FAKE_KUBECTL_SCENARIO: 'never-scales',
        FAKE_KUBECTL_STATE: path.join(dir, 'state'),
      },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✗ Scaled out under load: stayed at 2 replicas for the whole load/);
    expect(run.stdout).toContain(
      '– Back to the minimum after the load: nothing to scale in: it never scaled out',
    );
  }, 30_000);

  it('runs the load alone when --url is given but kubectl has no context', async () => {
    const run = await runCli(['--url', server.url, '--duration', '1s', '--connections', '2'], {
      KUBECTL: kubectl,
      FAKE_KUBECTL_SCENARIO: 'no-context',
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      '– Scaling checks: NOT RUN: no usable kubectl context (error: current-context must exist in order to minify).',
    );
  }, 30_000);

  it('exits 2 when --env needs the cluster and there is none', async () => {
    const run = await runCli(['--env', 'dev'], { KUBECTL: kubectl, FAKE_KUBECTL_SCENARIO: 'no-context' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'error: --env dev: the cluster is needed to find the Ingress address, but error: current-context must exist in order to minify',
    );
  }, 30_000);

  it('exits 2 when the Ingress has no address yet', async () => {
    const run = await runCli(['--env', 'dev'], { KUBECTL: kubectl, FAKE_KUBECTL_SCENARIO: 'no-address' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /error: Ingress triage\/triage-ingress has no address yet \(status.loadBalancer.ingress is empty\)/,
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);
});

describe('Ctrl+C', () => {
  it('SIGINT to the process running the CLI stops the load and prints the partial report (exit 1)', async () => {
    const report = tempDir();
    const started = Date.now();
    const run = await runCli(
      ['--url', server.url, '--no-cluster', '--duration', '30s', '--connections', '4', '--report', report],
      {},
      (child, output) => {
        const timer = setInterval(() => {
          if (output.stderr.includes('▶ load:')) {
            clearInterval(timer);
            setTimeout(() => child.kill('SIGINT'), 1500);
          }
        }, 50);
      },
      true,
    );
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('SIGINT: stopping, the report follows');
    expect(run.stdout).toMatch(
      /✗ Run completed: interrupted after [\d.]+s of load \(planned 30s\): the report is partial/,
    );
    expect(run.stdout).toMatch(/Result {3}[1-9][\d,]* responses/);
    const json = JSON.parse(readFileSync(path.join(report, REPORT_FILES.json), 'utf8'));
    expect(json.interrupted).toBe(true);
    expect(json.load.stopReason).toBe('interrupted');
  }, 40_000);

  it('Ctrl+C on `npm run loadtest` (SIGINT to the whole process group) still prints the partial report', async () => {
    const report = tempDir();
    const run = await new Promise<CliRun>((resolve) => {
      // Its own process group, signalled as a whole: what a terminal does on Ctrl+C.
      const args = ['--url', server.url, '--no-cluster', '--duration', '30s', '--report', report];
      const child = spawn('npm', ['run', '--silent', 'loadtest', '--', ...args], {
        cwd: REPO_ROOT,
        env: { ...process.env, GITHUB_STEP_SUMMARY: '' },
        detached: true,
      });
      const output = { stdout: '', stderr: '' };
      child.stdout.on('data', (chunk: Buffer) => {
        output.stdout += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        output.stderr += chunk.toString();
        if (output.stderr.includes('▶ load:') && !timer) {
          timer = setTimeout(() => process.kill(-(child.pid as number), 'SIGINT'), 1500);
        }
      });
      let timer: NodeJS.Timeout | undefined;
      child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 + 2 : null), ...output }));
    });
    expect(run.stdout).toMatch(/✗ Run completed: interrupted after [\d.]+s of load \(planned 30s\)/);
    expect(JSON.parse(readFileSync(path.join(report, REPORT_FILES.json), 'utf8')).interrupted).toBe(true);
    // The CLI exits 1 (see the test above); npm reports 130 because its `sh -c` (dash) was
    // interrupted too. `exec node …` in the npm script would pass the 1 through.
    expect([1, 130]).toContain(run.code);
  }, 40_000);
});

/** stderr without npm's own warnings, as lines. */
const errorLines = (run: CliRun) =>
  run.stderr
    .trim()
    .split('\n')
    .filter((line) => !line.startsWith('npm warn'));

describe.concurrent('loadtest CLI: secrets in the URL, connection limits', () => {
  it('never shows the password or the query values: stdout, stderr, report files, job summary', async () => {
    const seen: { url?: string; authorization?: string }[] = [];
    const api = createServer((req, res) => {
      seen.push({ url: req.url, authorization: req.headers.authorization });
      req.resume();
      req.on('end', () => res.end('{}'));
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    const { port } = api.address() as { port: number };
    const report = tempDir();
    const summary = path.join(tempDir(), 'summary.md');
    writeFileSync(summary, '');
    const secrets = ['s3cr3tPassw0rd', 'oneTimeCodeABC', 'valueOfX42'];
    let run: CliRun;
    try {
      run = await runCli(
        [
          '--url',
          `http://triage-user:${secrets[0]}@127.0.0.1:${port}/api/triage?code=${secrets[1]}&x=${secrets[2]}`,
          '--no-cluster',
          '--duration',
          '1s',
          '--connections',
          '2',
          '--report',
          report,
        ],
        { GITHUB_STEP_SUMMARY: summary },
      );
    } finally {
      api.closeAllConnections();
      api.close();
    }
    expect(run.code).toBe(0);
    // The real URL went to the API: its query, and the user and password as Basic auth.
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]?.url).toBe(`/api/triage?code=${secrets[1]}&x=${secrets[2]}`);
    expect(seen[0]?.authorization).toBe(
      `Basic ${Buffer.from(`triage-user:${secrets[0]}`).toString('base64')}`,
    );

    const outputs: Record<string, string> = { stdout: run.stdout, stderr: run.stderr };
    outputs.summary = readFileSync(summary, 'utf8');
    for (const file of readdirSync(report)) outputs[file] = readFileSync(path.join(report, file), 'utf8');
    expect(Object.keys(outputs).sort()).toEqual(
      [...Object.values(REPORT_FILES), 'stderr', 'stdout', 'summary'].sort(),
    );
    const forbidden = [
      ...secrets,
      'triage-user',
      Buffer.from(`triage-user:${secrets[0]}`).toString('base64'),
      ...secrets.map((secret) => Buffer.from(secret).toString('base64')),
    ];
    const shown = `127.0.0.1:${port}/api/triage?code=***&x=***`;
    for (const [name, text] of Object.entries(outputs)) {
      for (const secret of forbidden) expect(text, `${name} holds ${secret}`).not.toContain(secret);
    }
    for (const name of ['stdout', 'stderr', 'summary', REPORT_FILES.markdown, REPORT_FILES.json]) {
      expect(outputs[name], name).toContain(`http://***:***@${shown}`);
    }
  }, 30_000);

  it('says a --url that is not a URL is wrong without echoing its password (exit 2, one line)', async () => {
    const run = await runCli(['--url', 'http://user:pa/ss-w0rd@host:notaport/x?code=c0de', '--no-cluster']);
    expect(run.code).toBe(2);
    expect(errorLines(run)).toEqual([
      "error: --url: 'http://***@host:notaport/x?code=***' is not a URL (e.g. http://20.61.143.27)",
    ]);
  }, 30_000);

  it(`refuses more than ${MAX_CONNECTIONS} connections (exit 2, one line) before any load`, async () => {
    const run = await runCli(['--url', server.url, '--no-cluster', '--connections', '10000']);
    expect(run.code).toBe(2);
    expect(errorLines(run)).toEqual([
      `error: --connections: at most ${MAX_CONNECTIONS} from one process, got 10000: all connections share one event loop, so more would measure the load generator, not the API (for more load, run several loadtests)`,
    ]);
    expect(run.stdout).toBe('');
  }, 30_000);

  it('refuses more connections than the open-file limit allows (ulimit -n), exit 2, one line', async () => {
    const limit = 256;
    const connections = limit - RESERVED_FILES + 1;
    const run = await new Promise<CliRun>((resolve) => {
      const args = ['--url', server.url, '--no-cluster', '--connections', String(connections)];
      const child = spawn(
        '/bin/sh',
        [
          '-c',
          `ulimit -n ${limit} && exec "$@"`,
          'sh',
          process.execPath,
          '--import',
          'tsx',
          'scripts/loadtest.ts',
          ...args,
        ],
        { cwd: REPO_ROOT, env: { ...process.env, GITHUB_STEP_SUMMARY: '' } },
      );
      const output = { stdout: '', stderr: '' };
      child.stdout.on('data', (chunk: Buffer) => {
        output.stdout += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        output.stderr += chunk.toString();
      });
      child.on('close', (code) => resolve({ code, ...output }));
    });
    expect(run.code).toBe(2);
    expect(errorLines(run)).toEqual([
      `error: --connections: ${connections} connections need about ${connections + RESERVED_FILES} open files, but the limit here is ${limit} (ulimit -n): raise it (ulimit -n ${connections + RESERVED_FILES}) or give --connections ${limit - RESERVED_FILES} or fewer`,
    ]);
  }, 30_000);
});
