import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClusterState } from '../../scripts/cluster/state.js';
import { processAlive } from '../../scripts/lib/process.js';
import { kubectlJson, runCommand } from './helpers.js';

// A second, private cluster: killing its components must not disturb the shared one.
const stateRoot = mkdtempSync(join(tmpdir(), 'triage-cluster-lifecycle-'));
const env = { TRIAGE_CLUSTER_STATE: join(stateRoot, 'state') };
const cluster = (...args: string[]) => runCommand('cluster', args, { env, timeoutMs: 180_000 });
const state = (): ClusterState =>
  JSON.parse(readFileSync(join(env.TRIAGE_CLUSTER_STATE, 'state.json'), 'utf8'));
// A zombie (exited, not yet reaped by init) counts as gone, as it does for `down`.
const alive = processAlive;

afterAll(() => {
  cluster('down');
  rmSync(stateRoot, { recursive: true, force: true });
});

describe('npm run cluster', () => {
  let first: ClusterState;

  it('up starts every component on 127.0.0.1 within 15 s, without building, and prints the kubeconfig', () => {
    const result = cluster('up');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(join(env.TRIAGE_CLUSTER_STATE, 'kubeconfig'));
    expect(result.stderr).not.toMatch(/building the control plane/);
    const seconds = Number(/started in ([\d.]+) s/.exec(result.stderr)?.[1]);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(15);
    first = state();
    expect(first.components.map((each) => each.name)).toEqual([
      'etcd',
      'kube-apiserver',
      'kube-controller-manager',
      'kube-scheduler',
      'kwok',
      'metrics-server',
    ]);
    expect(first.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    for (const port of Object.values(first.ports)) expect(port).toBeGreaterThan(1024);
  });

  it('serves a real API server of the pinned version with two Ready simulated nodes', () => {
    const kubeconfig = first.kubeconfig;
    const version = runCommand('cluster', ['status'], { env });
    expect(version.stdout).toMatch(/kube-apiserver\s+pid \d+\s+v1\.33\.\d+\s+ready/);
    const nodes = kubectlJson(kubeconfig, ['get', 'nodes']) as {
      items: { metadata: { name: string }; status: { conditions: { type: string; status: string }[] } }[];
    };
    expect(nodes.items.map((node) => node.metadata.name).sort()).toEqual(['kwok-node-0', 'kwok-node-1']);
    for (const node of nodes.items) {
      expect(node.status.conditions.find((condition) => condition.type === 'Ready')?.status).toBe('True');
    }
  });

  it('a second up reuses the running cluster: same PIDs', () => {
    const result = cluster('up');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/already running/);
    expect(state().components.map((each) => each.pid)).toEqual(first.components.map((each) => each.pid));
  });

  it('env prints the export line; status reports every component ready', () => {
    expect(cluster('env').stdout).toBe(`export KUBECONFIG=${first.kubeconfig}\n`);
    const status = cluster('status');
    expect(status.code, status.stdout).toBe(0);
    expect(status.stdout.match(/ ready$/gm)).toHaveLength(6);
    expect(status.stdout).toMatch(/metrics\.k8s\.io APIService Available/);
  });

  it('status names the component that died, exit 1', () => {
    const kwok = first.components.find((each) => each.name === 'kwok');
    if (!kwok) throw new Error('no kwok in the state');
    process.kill(kwok.pid, 'SIGKILL');
    const status = cluster('status');
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/kwok\s+pid \d+\s+v0\.7\.0\s+DOWN \(not running/);
    expect(status.stdout).toMatch(/etcd\s+pid \d+\s+v3\.5\.\d+\s+ready/);
  });

  it('up after a crash cleans the stale state and starts a new cluster', () => {
    const result = cluster('up');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/stale cluster state \(kwok not running\)/);
    for (const old of first.components) expect(alive(old.pid), `${old.name} ${old.pid}`).toBe(false);
    const second = state();
    expect(second.components).toHaveLength(6);
    for (const each of second.components) expect(alive(each.pid)).toBe(true);
    first = second;
  });

  it('up --flux on the running cluster adds the git server and both Flux controllers; the rest stays', () => {
    const result = cluster('up', '--flux');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /Flux ready in [\d.]+ s: http:\/\/127\.0\.0\.1:\d+\/triage-gitops\.git serves [0-9a-f]{12}/,
    );
    const after = state();
    expect(after.components.map((each) => each.pid)).toEqual(first.components.map((each) => each.pid));
    expect(after.flux?.components.map((each) => each.name)).toEqual([
      'git-server',
      'source-controller',
      'kustomize-controller',
    ]);
    for (const each of after.flux?.components ?? []) expect(alive(each.pid), each.name).toBe(true);
    const status = cluster('status');
    expect(status.code, status.stdout).toBe(0);
    expect(status.stdout.match(/ ready$/gm)).toHaveLength(9);
    expect(status.stdout).toMatch(/source-controller\s+pid \d+\s+v1\.9\.3\s+ready/);
    first = after;
  });

  it('a Flux controller that died is started again by the next up --flux, and only the Flux part', () => {
    const source = first.flux?.components.find((each) => each.name === 'source-controller');
    if (!source) throw new Error('no source-controller in the state');
    process.kill(source.pid, 'SIGKILL');
    expect(cluster('status').stdout).toMatch(/source-controller\s+pid \d+\s+\S+\s+DOWN \(not running/);
    const result = cluster('up', '--flux');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/Flux is partly stopped \(source-controller not running\): restarting it/);
    const after = state();
    expect(after.components.map((each) => each.pid)).toEqual(first.components.map((each) => each.pid));
    for (const old of first.flux?.components ?? []) expect(alive(old.pid), old.name).toBe(false);
    for (const each of after.flux?.components ?? []) expect(alive(each.pid), each.name).toBe(true);
    first = after;
  });

  it('down stops exactly the processes up started and removes the state', () => {
    const result = cluster('down');
    expect(result.code, result.stderr).toBe(0);
    for (const each of [...first.components, ...(first.flux?.components ?? [])]) {
      expect(alive(each.pid), each.name).toBe(false);
      expect(result.stderr).toContain(`stopped ${each.name} (pid ${each.pid}`);
    }
    expect(existsSync(env.TRIAGE_CLUSTER_STATE)).toBe(false);
    expect(cluster('down').stderr).toMatch(/no local cluster was running/);
    expect(cluster('status').code).toBe(1);
  });

  it('rejects an unknown command with the usage, exit 2', () => {
    const result = cluster('start');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command start/);
    expect(result.stderr).toMatch(/Usage: npm run cluster/);
  });
});
