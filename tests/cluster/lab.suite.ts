import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../scripts/loadtest/record.js';
import { eventually, kubectl, kubectlJson, runCommand, sharedKubeconfig } from './helpers.js';

/**
 * The workshop's scaling lab on the real local control plane: `loadtest --local` loads a real HTTP
 * server on 127.0.0.1, the bridge turns its measured CPU into the simulated pods' CPU, and the real
 * HPA controller (reading the real metrics-server) scales overlays/dev out and back in.
 */

const kubeconfig = sharedKubeconfig();
const reports = mkdtempSync(join(tmpdir(), 'triage-lab-'));
const loadtest = (args: string[]) => runCommand('loadtest', ['--local', ...args], { timeoutMs: 300_000 });

interface Hpa {
  spec: { behavior?: { scaleDown?: { stabilizationWindowSeconds?: number } } };
  status: {
    currentReplicas?: number;
    currentMetrics?: unknown[];
    conditions?: { type: string; status: string; reason?: string }[];
  };
}
const getHpa = () => kubectlJson(kubeconfig, ['get', 'hpa', 'triage-backend-hpa', '-n', 'triage']) as Hpa;
const scalingActive = (hpa: Hpa) =>
  hpa.status.conditions?.find((condition) => condition.type === 'ScalingActive');

/** dev deployed afresh (the Deployment starts at 1, the HPA raises it to 2) and the HPA has a CPU figure. */
async function freshDev(): Promise<void> {
  kubectl(kubeconfig, ['delete', 'namespace', 'triage', '--ignore-not-found', '--timeout=90s']);
  const deploy = runCommand('deploy', ['--env', 'dev', '--kubeconfig', kubeconfig]);
  expect(deploy.code, deploy.stderr).toBe(0);
  await eventually(
    () => {
      const hpa = getHpa();
      return hpa.status.currentReplicas === 2 &&
        scalingActive(hpa)?.status === 'True' &&
        hpa.status.currentMetrics?.length
        ? true
        : undefined;
    },
    120_000,
    'the HPA at 2 replicas with a CPU metric',
  );
}

function report(name: string): RunRecord {
  return JSON.parse(readFileSync(join(reports, name, 'loadtest.json'), 'utf8')) as RunRecord;
}

describe('npm run loadtest -- --local', () => {
  beforeAll(freshDev, 240_000);
  afterAll(() => rmSync(reports, { recursive: true, force: true }));

  it('passes: replicas rise above 2 under load and come back to 2, with a 15 s scale-down window', () => {
    const started = Date.now();
    const result = loadtest([
      '--duration',
      '45s',
      '--scale-down-window',
      '15s',
      '--scale-in-timeout',
      '150s',
      '--report',
      join(reports, 'pass'),
    ]);
    const wallS = (Date.now() - started) / 1000;
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^PASS$/m);
    expect(result.stdout).toMatch(/✓ Scaled out under load: 2 → \d+ replicas/);
    expect(result.stdout).toMatch(/✓ Back to the minimum after the load: back to 2 replicas/);
    expect(result.stdout).toMatch(/Lab {6}Simulated by kwok: the nodes and the pods/);
    expect(wallS).toBeLessThanOrEqual(240);

    const record = report('pass');
    if (!record.cluster.checked) throw new Error('the cluster was not checked');
    const { samples, loadEndT, lab } = record.cluster;
    const peak = Math.max(
      ...samples.filter((each) => each.phase === 'load').map((each) => each.currentReplicas ?? 0),
    );
    expect(peak).toBeGreaterThan(2);
    expect(samples.filter((each) => each.phase === 'after').at(-1)?.currentReplicas).toBe(2);
    expect(samples.some((each) => each.t > loadEndT && each.currentReplicas === 2)).toBe(true);
    // The bridge set the pods' CPU from the server's real use: up under load, divided by more pods.
    expect(lab?.scaleDownWindow).toEqual({ setS: 15, overlayS: 300 });
    expect(lab?.bridge.cpuPerRequestMs).toBeGreaterThan(0.5);
    const busy = lab?.bridge.samples.filter((each) => each.t > 5 && each.t < loadEndT) ?? [];
    expect(busy.length).toBeGreaterThan(5);
    for (const each of busy)
      expect(
        Math.abs(each.perPodMillicores - each.serverMillicores / each.readyReplicas),
      ).toBeLessThanOrEqual(1);
    expect(Math.max(...busy.map((each) => each.readyReplicas))).toBeGreaterThan(2);
    // The live HPA has the overlay's window again.
    expect(getHpa().spec.behavior?.scaleDown?.stabilizationWindowSeconds).toBe(300);

    const markdown = readFileSync(join(reports, 'pass', 'loadtest.md'), 'utf8');
    expect(markdown).toMatch(/Replicas: HPA current, desired, and the minimum of 2/);
    expect(markdown).toMatch(/CPU utilization, % of request/);
    expect(markdown).toMatch(/Simulated by kwok/);
    expect(readFileSync(join(reports, 'pass', 'loadtest.svg'), 'utf8')).toMatch(/replicas/);
  });

  it('a load too light for the target fails the scale-out check and says what rate would be needed', () => {
    const result = loadtest(['--rate', '2', '--duration', '30s', '--scale-in-timeout', '10s']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /✗ Scaled out under load: stayed at 2 replicas for the whole load .*the load was too light for the 10% target: at the measured [\d.]+ ms of CPU per request, 2 pods of 250m need more than \d+ req\/s/,
    );
    expect(result.stdout).toMatch(/^FAIL/m);
  });
});
