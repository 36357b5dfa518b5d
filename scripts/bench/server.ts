import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandArgv, PACKAGE_ROOT } from '../lib/repo.js';
import { runMeasured } from './measure.js';
import type { BenchRow } from './validate.js';

const RUNS = 3;

/**
 * What `validate --server` costs on this repository, whole processes as a user runs them, in one
 * run: without the stage; with a local cluster already up (a private one, started for the bench
 * and stopped after); and with none, so validate starts etcd + kube-apiserver itself.
 */
export async function benchServer(): Promise<BenchRow[]> {
  const noCluster = mkdtempSync(join(tmpdir(), 'triage-bench-nocluster-'));
  const withCluster = mkdtempSync(join(tmpdir(), 'triage-bench-cluster-'));
  const cluster = (args: string[]) =>
    spawnSync(process.execPath, commandArgv('cluster', args), {
      env: { ...process.env, TRIAGE_CLUSTER_STATE: withCluster },
      encoding: 'utf8',
      timeout: 50 * 60_000,
    });
  try {
    const plain = await median(['.'], noCluster);
    const started = await median(['--server', '.'], noCluster);
    const up = cluster(['up', '--crds']);
    if (up.status !== 0) {
      return [
        {
          name: 'validate --server',
          value: `not measured: npm run cluster -- up failed (${up.stderr.trim().split('\n').pop()})`,
        },
      ];
    }
    const reused = await median(['--server', '.'], withCluster);
    return [
      { name: 'this repository: validate', value: `${plain.toFixed(0)} ms` },
      {
        name: 'this repository: validate --server, local cluster up',
        value: `${reused.toFixed(0)} ms: the stage adds ${(reused - plain).toFixed(0)} ms (goal ≤ 1000 ms)`,
      },
      {
        name: 'this repository: validate --server, no cluster',
        value: `${started.toFixed(0)} ms: starting etcd + kube-apiserver adds ${(started - plain).toFixed(0)} ms`,
      },
    ];
  } finally {
    cluster(['down']);
    rmSync(noCluster, { recursive: true, force: true });
    rmSync(withCluster, { recursive: true, force: true });
  }
}

async function median(args: string[], state: string): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const result = await runMeasured('validate', PACKAGE_ROOT, ['--format', 'json', ...args], {
      env: { TRIAGE_CLUSTER_STATE: state },
    });
    if (result.status !== 0)
      throw new Error(`validate ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    times.push(result.ms);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}
