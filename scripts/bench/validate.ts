import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { mapLimited } from '../engine/limit.js';
import { runProcess } from '../lib/process.js';
import { PACKAGE_ROOT, userCommand } from '../lib/repo.js';
import { discoverOverlays } from '../render/discover.js';
import { renderOverlay } from '../render/kustomize.js';
import { CORE_SCHEMA_TEMPLATE, CRD_SCHEMA_TEMPLATE, DEFAULT_KUBERNETES_VERSION } from '../schema/settings.js';
import { generateTree } from './generate-tree.js';
import { ensurePeers, KUBE_LINTER_VERSION, type Peers } from './peers.js';

export interface BenchRow {
  name: string;
  value: string;
}

interface TreeCase {
  label: string;
  root: string;
  /** The goal validate's time is held to, against the bare renders or the peers' chain. */
  goal: { against: 'bare' | 'peers'; ratio: number };
  peakGoalMb?: number;
  /** Counted rounds (after one warm-up round that is not): more where one round is short and noisy. */
  runs: number;
}

/**
 * Each round runs bare, validate and peers in turn, so a busy moment hits all alike; a ratio is
 * the median of the rounds' own ratios (as farm-bench pairs them), and the first round only warms
 * the page cache and is not counted.
 */
const RUNS = 5;
/** A run of this repository takes about 0.25 s against ±15% noise: three times the rounds. */
const SMALL_TREE_RUNS = 15;
const START_GOAL_MS = 300;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function verdict(ok: boolean): string {
  return ok ? 'PASS' : 'FAIL';
}

/** A whole process under GNU time: wall time from spawn to exit, and its peak resident memory. */
function timed(
  command: string,
  args: string[],
  cwd: string,
): Promise<{ ms: number; peakMb: number; status: number | null; stderr: string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/time', ['-f', '%M', command, ...args], {
      cwd,
      env: { ...process.env, GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '', NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 300_000,
      killSignal: 'SIGKILL',
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-20_000);
    });
    child.on('close', (status) => {
      const peakKb = Number(stderr.trim().split('\n').pop());
      resolve({ ms: performance.now() - started, peakMb: peakKb / 1024, status, stderr });
    });
  });
}

/**
 * The bare renders as a user runs them: every overlay through the kustomize CLI (`kubectl kustomize`
 * here), one process each, one per core at a time.
 */
async function bareRender(root: string): Promise<string[]> {
  const targets = discoverOverlays([root], root);
  return mapLimited(
    targets,
    (target) => renderOverlay(target.dir, { root, cli: true }),
    availableParallelism(),
  );
}

/** One validate run as a user starts it (`npm run validate` without npm's own start-up): scripts/start.sh. */
async function validateOnce(root: string, reportFile: string) {
  const command = userCommand('validate', [root, '--format', 'json', '--output', reportFile]);
  const run = await timed(command.file, command.args, root);
  if (run.status !== 0 && run.status !== 1) {
    throw new Error(`validate failed on ${root} (exit ${run.status}): ${run.stderr.slice(-500)}`);
  }
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { summary: { resources: number } };
  return { ...run, resources: report.summary.resources };
}

/**
 * What a user would chain instead, as whole processes: kustomize renders (in parallel, as validate
 * renders) written to files, then one kubeconform over them all, then one kube-linter.
 */
async function peersOnce(root: string, peers: Extract<Peers, { kubeconform: string }>, scratch: string) {
  const started = performance.now();
  const out = mkdtempSync(join(scratch, 'rendered-'));
  const streams = await bareRender(root);
  const files = streams.map((text, index) => {
    const file = join(out, `overlay-${index}.yaml`);
    writeFileSync(file, text);
    return file;
  });
  const rendered = performance.now();
  const schemas = join(PACKAGE_ROOT, '.cache', 'schemas', 'kubernetes');
  const kubeconform = await runProcess(
    peers.kubeconform,
    [
      '-strict',
      '-summary',
      '-kubernetes-version',
      DEFAULT_KUBERNETES_VERSION,
      '-schema-location',
      join(schemas, CORE_SCHEMA_TEMPLATE),
      '-schema-location',
      join(PACKAGE_ROOT, 'schemas', 'crds', CRD_SCHEMA_TEMPLATE),
      ...files,
    ],
    { timeoutMs: 300_000 },
  );
  const schemaDone = performance.now();
  const linter = await runProcess(peers.kubeLinter, ['lint', '--format', 'json', out], {
    timeoutMs: 300_000,
  });
  const done = performance.now();
  rmSync(out, { recursive: true, force: true });
  // Both exit 1 on findings; anything else means they did not check.
  for (const [name, result] of [
    ['kubeconform', kubeconform],
    ['kube-linter', linter],
  ] as const) {
    if (result.code !== 0 && result.code !== 1) {
      throw new Error(`${name} failed (exit ${result.code}): ${result.stderr.slice(-300)}`);
    }
  }
  return {
    ms: done - started,
    renderMs: rendered - started,
    kubeconformMs: schemaDone - rendered,
    kubeLinterMs: done - schemaDone,
  };
}

/** `validate --help` and `--list-rules` as whole processes: what a start-up costs with no work. */
async function startRows(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const bare = [];
  const times: Record<string, number[]> = { '--help': [], '--list-rules': [] };
  for (let run = 0; run < RUNS; run++) {
    bare.push((await timed(process.execPath, ['-e', '0'], PACKAGE_ROOT)).ms);
    for (const flag of Object.keys(times)) {
      const command = userCommand('validate', [flag]);
      times[flag]?.push((await timed(command.file, command.args, PACKAGE_ROOT)).ms);
    }
  }
  rows.push({ name: 'node -e 0 (Node start-up alone)', value: `${median(bare).toFixed(0)} ms` });
  for (const [flag, values] of Object.entries(times)) {
    const ms = median(values);
    rows.push({
      name: `validate ${flag}`,
      value: `${ms.toFixed(0)} ms (goal ≤ ${START_GOAL_MS} ms: ${verdict(ms <= START_GOAL_MS)})`,
    });
  }
  const viaNpm = [];
  for (let run = 0; run < 3; run++) {
    viaNpm.push((await timed('npm', ['run', '-s', 'validate', '--', '--help'], PACKAGE_ROOT)).ms);
  }
  rows.push({
    name: 'npm run -s validate -- --help (npm adds its own start-up)',
    value: `${median(viaNpm).toFixed(0)} ms`,
  });
  return rows;
}

export async function benchValidate(log: (line: string) => void = () => undefined): Promise<BenchRow[]> {
  const scratch = mkdtempSync(join(tmpdir(), 'triage-bench-'));
  try {
    const peers = await ensurePeers(log);
    const cases: TreeCase[] = [
      {
        label: 'this repository',
        root: PACKAGE_ROOT,
        goal: { against: 'bare', ratio: 1.3 },
        runs: SMALL_TREE_RUNS,
      },
    ];
    const wide = join(scratch, 'wide');
    generateTree(wide, 50, 2);
    cases.push({
      label: '50 overlays × 20 objects',
      root: wide,
      goal: { against: 'peers', ratio: 1 },
      peakGoalMb: 300,
      runs: RUNS,
    });
    const large = join(scratch, 'large');
    generateTree(large, 1, 100);
    cases.push({
      label: '1 overlay × 1,000 objects',
      root: large,
      goal: { against: 'peers', ratio: 1 },
      peakGoalMb: 300,
      runs: RUNS,
    });
    for (const each of cases.slice(1)) {
      await runProcess('git', ['init', '-q', each.root], { timeoutMs: 10_000 });
    }

    const rows: BenchRow[] = await startRows();
    if ('missing' in peers)
      rows.push({ name: 'peers (kubeconform + kube-linter)', value: `not measured: ${peers.missing}` });
    const reportDir = join(scratch, 'reports');
    mkdirSync(reportDir);
    for (const each of cases) {
      const bare: number[] = [];
      const validate: Awaited<ReturnType<typeof validateOnce>>[] = [];
      const chain: Awaited<ReturnType<typeof peersOnce>>[] = [];
      for (let run = 0; run <= each.runs; run++) {
        const started = performance.now();
        await bareRender(each.root);
        const bareMs = performance.now() - started;
        const validated = await validateOnce(each.root, join(reportDir, 'report.json'));
        const chained = 'missing' in peers ? undefined : await peersOnce(each.root, peers, scratch);
        if (run === 0) continue; // the warm-up round
        bare.push(bareMs);
        validate.push(validated);
        if (chained) chain.push(chained);
      }
      const bareMs = median(bare);
      const validateMs = median(validate.map((run) => run.ms));
      const peakMb = Math.max(...validate.map((run) => run.peakMb));
      rows.push(
        { name: `${each.label}: objects`, value: String(validate[0]?.resources ?? 0) },
        { name: `${each.label}: bare kustomize renders`, value: `${bareMs.toFixed(0)} ms` },
        { name: `${each.label}: validate (whole process)`, value: `${validateMs.toFixed(0)} ms` },
      );
      const bareRatio = median(validate.map((run, index) => run.ms / (bare[index] as number)));
      rows.push({
        name: `${each.label}: validate / bare renders`,
        value:
          each.goal.against === 'bare'
            ? `${bareRatio.toFixed(2)}× (goal ≤ ${each.goal.ratio}×: ${verdict(bareRatio <= each.goal.ratio)})`
            : `${bareRatio.toFixed(2)}×`,
      });
      if (chain.length > 0) {
        const chainMs = median(chain.map((run) => run.ms));
        const part = (key: 'renderMs' | 'kubeconformMs' | 'kubeLinterMs') =>
          median(chain.map((run) => run[key])).toFixed(0);
        const ratio = median(validate.map((run, index) => run.ms / (chain[index]?.ms as number)));
        rows.push(
          {
            name: `${each.label}: kustomize + kubeconform + kube-linter ${KUBE_LINTER_VERSION}`,
            value: `${chainMs.toFixed(0)} ms (renders ${part('renderMs')}, kubeconform ${part('kubeconformMs')}, kube-linter ${part('kubeLinterMs')})`,
          },
          {
            name: `${each.label}: validate / that chain`,
            value:
              each.goal.against === 'peers'
                ? `${ratio.toFixed(2)}× (goal ≤ ${each.goal.ratio.toFixed(1)}×: ${verdict(ratio <= each.goal.ratio)})`
                : `${ratio.toFixed(2)}×`,
          },
        );
      } else if (each.goal.against === 'peers') {
        rows.push({
          name: `${each.label}: validate / peers' chain`,
          value: 'not measured (peers missing, see above)',
        });
      }
      rows.push({
        name: `${each.label}: validate peak memory (largest process)`,
        value:
          each.peakGoalMb === undefined
            ? `${peakMb.toFixed(0)} MB`
            : `${peakMb.toFixed(0)} MB (goal ≤ ${each.peakGoalMb} MB: ${verdict(peakMb <= each.peakGoalMb)})`,
      });
    }
    return rows;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
