import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterState } from '../../scripts/cluster/state.js';
import { eventually, kubectlJson, runCommand } from './helpers.js';

/**
 * The lab with metrics-server stopped, on a private cluster (so the shared one keeps its metrics,
 * and this runs beside the other cluster tests): the metrics check must fail with the HPA's reason.
 */

const stateRoot = mkdtempSync(join(tmpdir(), 'triage-metrics-down-'));
const env = { TRIAGE_CLUSTER_STATE: join(stateRoot, 'state') };
let kubeconfig = '';

interface Hpa {
  status: { currentReplicas?: number; conditions?: { type: string; status: string; reason?: string }[] };
}
const scalingActive = () =>
  (
    kubectlJson(kubeconfig, ['get', 'hpa', 'triage-backend-hpa', '-n', 'triage']) as Hpa
  ).status.conditions?.find((condition) => condition.type === 'ScalingActive');

beforeAll(async () => {
  const up = runCommand('cluster', ['up'], { env, timeoutMs: 180_000 });
  expect(up.code, up.stderr).toBe(0);
  kubeconfig = up.stdout.trim();
  const deploy = runCommand('deploy', ['--env', 'dev'], { env });
  expect(deploy.code, deploy.stderr).toBe(0);
}, 240_000);

afterAll(() => {
  runCommand('cluster', ['down'], { env });
  rmSync(stateRoot, { recursive: true, force: true });
});

describe('npm run loadtest -- --local with metrics-server stopped', () => {
  it('fails the metrics check with the reason the HPA gives, and the verdict is FAIL', async () => {
    const state = JSON.parse(
      readFileSync(join(env.TRIAGE_CLUSTER_STATE, 'state.json'), 'utf8'),
    ) as ClusterState;
    const metricsServer = state.components.find((each) => each.name === 'metrics-server');
    if (!metricsServer) throw new Error('no metrics-server in the state');
    // SIGSTOP: the process stays (down stops it), but it answers nothing.
    process.kill(metricsServer.pid, 'SIGSTOP');
    try {
      await eventually(
        () => (scalingActive()?.status === 'False' ? true : undefined),
        120_000,
        'the HPA to lose its metrics',
      );
      const result = runCommand('loadtest', ['--local', '--duration', '15s', '--scale-in-timeout', '10s'], {
        env,
        timeoutMs: 200_000,
      });
      expect(result.code, result.stderr).toBe(1);
      expect(result.stdout).toMatch(
        /✗ CPU metrics available: .*ScalingActive=False \(FailedGetResourceMetric\)/,
      );
      expect(result.stdout).toMatch(/^FAIL/m);
      expect(result.stderr).toMatch(
        /the metrics\.k8s\.io APIService is not Available: not waiting for a CPU figure/,
      );
    } finally {
      process.kill(metricsServer.pid, 'SIGCONT');
    }
  });
});
