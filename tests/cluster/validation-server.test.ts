import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readCurrentState } from '../../scripts/cluster/state.js';
import {
  NOT_BUILT,
  openValidationServer,
  type ValidationServer,
} from '../../scripts/cluster/validation-server.js';
import { openDryRunSession } from '../../scripts/kube/dry-run.js';
import { processAlive } from '../../scripts/lib/process.js';
import { PACKAGE_ROOT, TSX_LOADER } from '../../scripts/lib/repo.js';
import { eventually, kubectl, sharedKubeconfig } from './helpers.js';

/**
 * openValidationServer: reusing the shared cluster, and starting etcd + kube-apiserver privately
 * (TRIAGE_CLUSTER_STATE pointed at an empty directory, so no running cluster is found).
 */

const scratch = mkdtempSync(join(tmpdir(), 'triage-validation-server-test-'));
const noCluster = { ...process.env, TRIAGE_CLUSTER_STATE: join(scratch, 'no-cluster') };
const opened: ValidationServer[] = [];

afterAll(async () => {
  for (const server of opened) await server.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function open(options: Parameters<typeof openValidationServer>[0]): Promise<ValidationServer> {
  const result = await openValidationServer(options);
  if ('unavailable' in result) throw new Error(`unavailable: ${result.unavailable}`);
  opened.push(result.server);
  return result.server;
}

/** The SecretProviderClass CRD is the repository's: served means the CRDs were installed. */
const secretProviderClass = {
  apiVersion: 'secrets-store.csi.x-k8s.io/v1',
  kind: 'SecretProviderClass',
  metadata: { name: 'vault', namespace: 'default' },
  spec: { provider: 'azure', parameters: { keyvaultName: 'kv' } },
};

const pod = (namespace: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace },
  spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
});

describe('openValidationServer with the shared cluster up', () => {
  it('reuses it (reused, mutable) and stop() leaves it running', async () => {
    const shared = readCurrentState();
    if (!shared) throw new Error('the global setup should have the shared cluster running');
    const lines: string[] = [];
    const server = await open({ log: (line) => lines.push(line) });
    expect(server).toMatchObject({ kubeconfig: sharedKubeconfig(), reused: true, mutable: true, pids: [] });
    expect(lines.join('\n')).toMatch(/running local cluster/);
    await server.stop();
    for (const component of shared.components) expect(processAlive(component.pid), component.name).toBe(true);
    expect(kubectl(sharedKubeconfig(), ['get', '--raw', '/readyz'])).toBe('ok');
  });

  it("leaves the real Flux controllers' own CRDs in place (the repository's stand-ins would break them)", async () => {
    expect(readCurrentState()?.flux).toBeDefined();
    await (await open({})).stop();
    const crd = JSON.parse(
      kubectl(sharedKubeconfig(), ['get', 'crd', 'gitrepositories.source.toolkit.fluxcd.io', '-o', 'json']),
    ) as { metadata: { annotations?: Record<string, string> }; spec: { names: { categories?: string[] } } };
    // Only the controllers' generated CRD carries these; crds.ts's stand-in has neither.
    expect(crd.metadata.annotations?.['controller-gen.kubebuilder.io/version']).toBeDefined();
    expect(crd.spec.names.categories).toContain('fluxcd');
  });
});

describe('openValidationServer with no cluster running', () => {
  it('starts etcd + kube-apiserver privately, with the CRDs; objects dry-run; stop() leaves nothing', async () => {
    const started = performance.now();
    const lines: string[] = [];
    const server = await open({ env: noCluster, log: (line) => lines.push(line) });
    const seconds = (performance.now() - started) / 1000;
    console.log(`private API server ready with the CRDs in ${seconds.toFixed(1)} s`);
    expect(server).toMatchObject({ reused: false, mutable: true });
    expect(server.kubeconfig).not.toBe(sharedKubeconfig());
    expect(server.pids).toHaveLength(2);
    for (const pid of server.pids) expect(processAlive(pid)).toBe(true);
    expect(lines.join('\n')).toMatch(/started a private API server at https:\/\/127\.0\.0\.1:\d+/);
    expect(seconds).toBeLessThan(30);
    // Not the shared cluster's state directory: `npm run cluster` is untouched.
    expect(existsSync(noCluster.TRIAGE_CLUSTER_STATE)).toBe(false);

    const session = await openDryRunSession({ kubeconfig: server.kubeconfig, mutable: server.mutable });
    try {
      await session.ensureNamespaces(['dryrun-private']);
      const outcomes = await session.dryRun([
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'dryrun-private' } },
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'd', namespace: 'dryrun-private' },
          spec: {
            selector: { matchLabels: { app: 'd' } },
            template: {
              metadata: { labels: { app: 'd' } },
              spec: {
                containers: [
                  {
                    name: 'app',
                    image: 'nginx:1.27',
                    ports: [{ name: 'much-too-long-name', containerPort: 80 }],
                  },
                ],
              },
            },
          },
        },
        secretProviderClass,
        // No kube-controller-manager here: the `default` service accounts come from the setup and
        // ensureNamespaces, or the ServiceAccount admission refuses every Pod.
        pod('dryrun-private'),
        pod('default'),
      ]);
      expect(outcomes[0]).toEqual({ kind: 'accepted', warnings: [] });
      expect(outcomes[1]).toMatchObject({
        kind: 'rejected',
        causes: [expect.objectContaining({ field: 'spec.template.spec.containers[0].ports[0].name' })],
      });
      expect(outcomes.slice(2)).toEqual([2, 3, 4].map(() => ({ kind: 'accepted', warnings: [] })));

      const root = server.stateDir as string;
      expect(existsSync(root)).toBe(true);
      await server.stop();
      for (const pid of server.pids) expect(processAlive(pid), `pid ${pid}`).toBe(false);
      expect(existsSync(root)).toBe(false);

      // The server gone: no answer is an ExitError (no object can be judged), not a rejection.
      await expect(session.dryRun([pod('default')])).rejects.toThrow(
        /^the dry run of Pod default\/p: the API server of .* did not answer \(HTTP 500: dial tcp 127\.0\.0\.1:\d+: connect: connection refused\)$/,
      );
    } finally {
      await session.close();
    }
  });

  it('is unavailable, with the message, when the binaries are not built (and starts nothing)', async () => {
    const empty = mkdtempSync(join(scratch, 'binaries-'));
    const lines: string[] = [];
    const result = await openValidationServer({
      env: noCluster,
      binariesDir: empty,
      log: (line) => lines.push(line),
    });
    expect(result).toEqual({ unavailable: NOT_BUILT });
    expect(NOT_BUILT).toBe(
      'the local API server is not built: run `npm run cluster -- build` once (about 12 minutes the first time)',
    );
    // Nothing was started: no `started etcd (pid …)` line.
    expect(lines).toEqual([]);
  });

  it('is unavailable when not ready in time, and stops what it started', async () => {
    const lines: string[] = [];
    const result = await openValidationServer({
      env: noCluster,
      readyTimeoutMs: 1000,
      log: (line) => lines.push(line),
    });
    if (!('unavailable' in result)) {
      opened.push(result.server);
      throw new Error('a 1 s budget should not be enough for kube-apiserver');
    }
    expect(result.unavailable).toMatch(
      /^the local API server was not ready in 1 s \((etcd|kube-apiserver): /,
    );
    const pids = lines.map((line) => Number(/\(pid (\d+)\)/.exec(line)?.[1])).filter(Boolean);
    const dirs = lines.map((line) => / in (\/\S+)$/.exec(line)?.[1]).filter(Boolean) as string[];
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) expect(processAlive(pid), `pid ${pid}`).toBe(false);
    for (const dir of dirs) expect(existsSync(dir), dir).toBe(false);
  });

  it('a process killed before stop() takes its API server and kubectl proxy with it', async () => {
    const module = (path: string) => JSON.stringify(pathToFileURL(join(PACKAGE_ROOT, path)).href);
    const script = join(scratch, 'killed.mts');
    writeFileSync(
      script,
      `import { openValidationServer } from ${module('scripts/cluster/validation-server.ts')};
import { openDryRunSession } from ${module('scripts/kube/dry-run.ts')};
const opened = await openValidationServer({ env: ${JSON.stringify(noCluster)} });
if ('unavailable' in opened) throw new Error(opened.unavailable);
const session = await openDryRunSession({ kubeconfig: opened.server.kubeconfig, mutable: true });
console.log(JSON.stringify({ pids: [...opened.server.pids, session.proxyPid], dir: opened.server.stateDir }));
setInterval(() => undefined, 1000);
`,
    );
    const child = spawn(process.execPath, ['--import', TSX_LOADER, script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    const started = await eventually(
      () => (output.includes('\n') ? (JSON.parse(output) as { pids: number[]; dir: string }) : undefined),
      60_000,
      'the child to open its server and session',
    );
    expect(started.pids).toHaveLength(3);
    for (const pid of started.pids) expect(processAlive(pid)).toBe(true);
    child.kill('SIGTERM');
    // Alone on SIGTERM, the cleanup keeps Node's default: the process still ends by the signal.
    expect(await exited).toBe('SIGTERM');
    await eventually(
      () => (started.pids.every((pid) => !processAlive(pid)) ? true : undefined),
      10_000,
      'the PIDs to be gone',
    );
    expect(existsSync(started.dir)).toBe(false);
  });
});
