import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { readCurrentState } from '../../scripts/cluster/state.js';
import { PACKAGE_ROOT, TSX_LOADER } from '../../scripts/lib/repo.js';

/**
 * The real local control plane for the cluster tests, with Flux (`up --crds --flux`): started
 * here (building it the first time, about 12 + 12 minutes) unless `.ci/run` or the developer has it running already, and stopped at the
 * end only if this setup started it. Never skipped: a cluster test with no cluster fails.
 */

function cluster(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(
    process.execPath,
    ['--import', TSX_LOADER, join(PACKAGE_ROOT, 'scripts', 'cluster.ts'), ...args],
    {
      cwd: PACKAGE_ROOT,
      encoding: 'utf8',
      timeout: 50 * 60_000,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return { code: result.status, stdout: result.stdout ?? '', stderr: '' };
}

/** Shared by the cluster projects' setups, which run in this one process: start once, stop once. */
const shared = globalThis as typeof globalThis & {
  triageCluster?: { users: number; startedHere: boolean; kubeconfig: string; fluxGitUrl: string };
};

export default function setup(project: TestProject): () => void {
  if (!shared.triageCluster) {
    const wasRunning = cluster(['status']).code === 0;
    // With Flux: its controllers sync clusters/flux/local from the local git server (flux.test.ts).
    const up = cluster(['up', '--crds', '--flux']);
    if (up.code !== 0) throw new Error('`npm run cluster -- up --crds --flux` failed; its output is above');
    const fluxGitUrl = readCurrentState()?.flux?.gitUrl;
    if (!fluxGitUrl) throw new Error('`cluster up --flux` recorded no git server in the cluster state');
    shared.triageCluster = { users: 0, startedHere: !wasRunning, kubeconfig: up.stdout.trim(), fluxGitUrl };
  }
  const state = shared.triageCluster;
  state.users += 1;
  project.provide('kubeconfig', state.kubeconfig);
  project.provide('fluxGitUrl', state.fluxGitUrl);
  return () => {
    state.users -= 1;
    if (state.users === 0) {
      if (state.startedHere) cluster(['down']);
      shared.triageCluster = undefined;
    }
  };
}
