import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDryRunSession } from '../kube/dry-run.js';
import { stopWithThisProcess } from '../lib/exit-cleanup.js';
import { processAlive, startDaemon, stopProcess } from '../lib/process.js';
import { binariesDir } from './build.js';
import { createPki } from './certs.js';
import { apiserverUrl, type ComponentSpec, componentSpecs, PORT_NAMES, type Ports } from './components.js';
import { crdObject, repositoryCrds } from './crds.js';
import { waitHealthy } from './health.js';
import { writeKubeconfig } from './kubeconfig.js';
import { componentHealth, lastLines, layoutFor } from './lifecycle.js';
import { stateDir } from './paths.js';
import { freePorts } from './ports.js';
import { type ClusterState, type ComponentRecord, readCurrentState, writeState } from './state.js';
import { readVersions } from './versions.js';

/**
 * An API server to dry-run rendered objects against, never a real cluster: the running
 * `npm run cluster` when it is healthy, else etcd + kube-apiserver alone, started from the
 * already-built binaries in a private temporary directory on free 127.0.0.1 ports and stopped
 * again by `stop()`. Either way the repository's CRDs are installed, so SecretProviderClass,
 * Application, GitRepository and Kustomization objects are judged too.
 */

export interface ValidationServer {
  /** Admin kubeconfig of the server. */
  kubeconfig: string;
  /** True when a running `npm run cluster` was reused (then it is not stopped by stop()). */
  reused: boolean;
  /** True when the server is ours to change (local): namespaces and CRDs may be created for real. */
  mutable: boolean;
  /** Stops what this call started (by PID), removes its temp state; no-op when reused. */
  stop(): Promise<void>;
  /** The private server's state directory (absent when reused); removed by stop(). */
  stateDir?: string;
  /** PIDs this call started (etcd, kube-apiserver); empty when reused. */
  pids: readonly number[];
}

export type ValidationServerResult = { server: ValidationServer } | { unavailable: string };

export interface ValidationServerOptions {
  log?: (line: string) => void;
  /** How long etcd + kube-apiserver may take to become ready (default 30 s). */
  readyTimeoutMs?: number;
  /** Where TRIAGE_CLUSTER_STATE is read from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /**
   * The directory holding the built etcd and kube-apiserver (default: TRIAGE_CONTROLPLANE_BINARIES,
   * then the one `cluster up` builds), for binaries built elsewhere.
   */
  binariesDir?: string;
}

export const NOT_BUILT =
  'the local API server is not built: run `npm run cluster -- build` once (about 12 minutes the first time)';

const STARTED: readonly ComponentSpec['name'][] = ['etcd', 'kube-apiserver'];

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/**
 * The repository's CRDs, applied through one dry-run session (a few ms when they are current),
 * and the `default` namespace's `default` ServiceAccount, which only kube-controller-manager would
 * otherwise create: without it every Pod sent to `default` is refused.
 */
async function prepare(kubeconfig: string, withoutFlux = false): Promise<void> {
  const session = await openDryRunSession({ kubeconfig, mutable: true });
  try {
    await session.applyCrds(repositoryCrds({ withoutFlux }).map(crdObject));
    await session.ensureNamespaces(['default']);
  } finally {
    await session.close();
  }
}

/** The running `npm run cluster`, when its etcd and kube-apiserver are up and ready. */
async function reusable(
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<ClusterState | undefined> {
  const state = readCurrentState(env);
  if (!state) return undefined;
  const health = await componentHealth(stateDir(env), state);
  const needed = health.filter((each) => STARTED.includes(each.record.name));
  if (needed.length === STARTED.length && needed.every((each) => each.ready)) return state;
  // Left as it is: cleaning a stale state is `cluster up`'s and `cluster down`'s job.
  log(
    'the local cluster is not running or not ready (see `npm run cluster -- status`): starting a private API server',
  );
  return undefined;
}

function builtBinaries(dir: string): Record<'etcd' | 'kube-apiserver', string> | undefined {
  const paths = { etcd: join(dir, 'etcd'), 'kube-apiserver': join(dir, 'kube-apiserver') };
  // `.complete` is written last by the build: a directory without it is an interrupted build.
  if (!existsSync(join(dir, '.complete'))) return undefined;
  try {
    for (const path of Object.values(paths)) accessSync(path, constants.X_OK);
  } catch {
    return undefined;
  }
  return paths;
}

export async function openValidationServer(
  options: ValidationServerOptions = {},
): Promise<ValidationServerResult> {
  const log = options.log ?? (() => undefined);
  const env = options.env ?? process.env;
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;

  const running = await reusable(env, log);
  if (running) {
    try {
      // With Flux running, its own CRDs are served already and must stay.
      await prepare(running.kubeconfig, running.flux !== undefined);
    } catch (error) {
      return {
        unavailable: `the running local cluster could not take the repository's CRDs: ${errorMessage(error)}`,
      };
    }
    log(`dry-running against the running local cluster (${running.server})`);
    return {
      server: {
        kubeconfig: running.kubeconfig,
        reused: true,
        mutable: true,
        pids: [],
        stop: async () => undefined,
      },
    };
  }

  let dir: string;
  try {
    dir = options.binariesDir ?? (options.env ?? process.env).TRIAGE_CONTROLPLANE_BINARIES ?? binariesDir();
  } catch (error) {
    // binariesDir() hashes controlplane/go.mod: unreadable, nothing can be built or found.
    return { unavailable: `${NOT_BUILT} (${errorMessage(error)})` };
  }
  const binaries = builtBinaries(dir);
  if (!binaries) return { unavailable: NOT_BUILT };
  return startPrivate(binaries, readyTimeoutMs, log);
}

async function startPrivate(
  binaries: Record<'etcd' | 'kube-apiserver', string>,
  readyTimeoutMs: number,
  log: (line: string) => void,
): Promise<ValidationServerResult> {
  const started = Date.now();
  const root = mkdtempSync(join(tmpdir(), 'triage-validation-server-'));
  const records: ComponentRecord[] = [];
  const unregisters: (() => void)[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const record of [...records].reverse()) await stopProcess(record.pid);
    for (const unregister of unregisters) unregister();
    rmSync(root, { recursive: true, force: true });
  };

  try {
    const portList = await freePorts(PORT_NAMES.length);
    const ports = Object.fromEntries(
      PORT_NAMES.map((name, index) => [name, portList[index]]),
    ) as unknown as Ports;
    const layout = layoutFor(root, ports);
    for (const dir of [layout.paths.logs, layout.paths.config, layout.paths.etcdData])
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    await createPki(layout.paths.pki);
    const server = apiserverUrl(ports);
    writeKubeconfig(layout.kubeconfigs.admin, server, layout.pki.ca.cert, layout.pki.admin);
    const versions = readVersions();
    const state: ClusterState = {
      format: 1,
      startedAt: new Date().toISOString(),
      server,
      kubeconfig: layout.kubeconfigs.admin,
      ports,
      components: records,
    };
    const deadline = Date.now() + readyTimeoutMs;
    for (const spec of componentSpecs(layout).filter((each) => STARTED.includes(each.name))) {
      const name = spec.name as 'etcd' | 'kube-apiserver';
      const logFile = join(layout.paths.logs, `${name}.log`);
      const pid = await startDaemon(binaries[name], spec.args, { logFile, cwd: root });
      records.push({
        name,
        pid,
        executable: binaries[name],
        version: versions.byComponent[name],
        log: logFile,
      });
      log(`started ${name} (pid ${pid}) in ${root}`);
      // Killed (and the directory removed) if this process exits before stop(): nothing left behind.
      unregisters.push(stopWithThisProcess(pid, name === 'etcd' ? root : undefined));
      // Recorded as a cluster state too: `TRIAGE_CLUSTER_STATE=<dir> npm run cluster -- status|down` work on it.
      writeState(layout.paths.stateFile, state);
      const answer = await waitHealthy(spec.health, Math.max(0, deadline - Date.now()), () =>
        processAlive(pid),
      );
      if (!answer.ok) {
        const why = processAlive(pid) ? answer.detail : 'it exited';
        const unavailable =
          `the local API server was not ready in ${seconds(readyTimeoutMs)} (${name}: ${why}); ` +
          `the last lines of its log:\n${lastLines(logFile)}`;
        await stop();
        return { unavailable };
      }
    }
    await prepare(layout.kubeconfigs.admin);
    log(`started a private API server at ${server} in ${seconds(Date.now() - started)}`);
    return {
      server: {
        kubeconfig: layout.kubeconfigs.admin,
        reused: false,
        mutable: true,
        stateDir: root,
        pids: records.map((record) => record.pid),
        stop,
      },
    };
  } catch (error) {
    await stop();
    return { unavailable: `the local API server could not be started: ${errorMessage(error)}` };
  }
}
