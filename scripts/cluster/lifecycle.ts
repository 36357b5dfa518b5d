import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { metricsApiAvailability } from '../kube/apiservice.js';
import { serverSideApply } from '../kube/apply.js';
import { ExitError } from '../lib/exit-error.js';
import { processAlive, startDaemon, stopProcess } from '../lib/process.js';
import {
  createNodesAndUsage,
  installKwokCrd,
  registerMetricsApi,
  waitMetricsApi,
  waitNodesReady,
} from './bootstrap.js';
import { type BuiltBinaries, ensureBinaries } from './build.js';
import { createPki, pkiPaths } from './certs.js';
import {
  apiserverUrl,
  type ClusterLayout,
  type ComponentSpec,
  componentSpecs,
  PORT_NAMES,
  type Ports,
} from './components.js';
import { installRepositoryCrds } from './crds.js';
import {
  type FluxPartHealth,
  fluxHealth,
  localFluxManifests,
  refreshMirror,
  startFlux,
  stopFlux,
} from './flux.js';
import { probe, waitHealthy } from './health.js';
import { writeKubeconfig } from './kubeconfig.js';
import { stateDir, statePaths } from './paths.js';
import { freePorts } from './ports.js';
import {
  type ClusterState,
  type ComponentRecord,
  isOurs,
  readCurrentState,
  readState,
  writeState,
} from './state.js';
import { readVersions } from './versions.js';

export type Log = (line: string) => void;

export interface UpOptions {
  /** Also install the CRDs the overlays and GitOps manifests use. */
  crds?: boolean;
  /** Also run Flux (source-controller, kustomize-controller, a git server) and apply clusters/flux/local. */
  flux?: boolean;
  log: Log;
  env?: NodeJS.ProcessEnv;
}

export interface UpResult {
  state: ClusterState;
  /** False when a running cluster was found and reused. */
  started: boolean;
  elapsedMs: number;
}

/** The last lines of a component's log, indented, for an error message. */
export function lastLines(file: string, count = 5): string {
  try {
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    return lines
      .slice(-count)
      .map((line) => `    ${line.slice(0, 400)}`)
      .join('\n');
  } catch {
    return '    (no log)';
  }
}

/** Stops the recorded processes that are still ours, newest first. */
async function stopComponents(components: readonly ComponentRecord[], log: Log): Promise<void> {
  for (const record of [...components].reverse()) {
    if (!isOurs(record)) continue;
    const how = await stopProcess(record.pid);
    log(`stopped ${record.name} (pid ${record.pid}${how === 'killed' ? ', killed after 10 s' : ''})`);
  }
}

/** Stops what is still running (Flux first: it talks to the API server) and removes the state directory. */
async function teardown(root: string, state: ClusterState, log: Log): Promise<void> {
  await stopFlux(state.flux, log);
  await stopComponents(state.components, log);
  rmSync(root, { recursive: true, force: true });
}

export interface ComponentHealth {
  record: ComponentRecord;
  running: boolean;
  ready: boolean;
  detail: string;
}

export async function componentHealth(root: string, state: ClusterState): Promise<ComponentHealth[]> {
  const specs = componentSpecs(layoutFor(root, state.ports));
  return Promise.all(
    state.components.map(async (record) => {
      if (!isOurs(record)) {
        return { record, running: false, ready: false, detail: `not running (pid ${record.pid} exited)` };
      }
      const spec = specs.find((each) => each.name === record.name);
      if (!spec) throw new Error(`no component ${record.name}`);
      const answer = await probe(spec.health);
      return { record, running: true, ready: answer.ok, detail: answer.ok ? 'ready' : answer.detail };
    }),
  );
}

/** Where one cluster's files live under its state directory `root`. */
export function layoutFor(root: string, ports: Ports): ClusterLayout {
  const paths = statePaths(root);
  return {
    paths,
    ports,
    pki: pkiPaths(paths.pki),
    kubeconfigs: {
      admin: paths.kubeconfig,
      controllerManager: join(paths.config, 'controller-manager.kubeconfig'),
      scheduler: join(paths.config, 'scheduler.kubeconfig'),
    },
  };
}

async function startComponent(
  spec: ComponentSpec,
  binaries: BuiltBinaries,
  layout: ClusterLayout,
  version: string,
): Promise<ComponentRecord> {
  const log = join(layout.paths.logs, `${spec.name}.log`);
  const executable = binaries.paths[spec.name];
  const pid = await startDaemon(executable, spec.args, { logFile: log, cwd: layout.paths.root });
  return { name: spec.name, pid, executable, version, log };
}

async function waitReady(spec: ComponentSpec, record: ComponentRecord): Promise<void> {
  const answer = await waitHealthy(spec.health, spec.readyTimeoutMs, () => processAlive(record.pid));
  if (!answer.ok) {
    throw new ExitError(
      `${spec.name} did not become ready within ${spec.readyTimeoutMs / 1000} s (${answer.detail}); ` +
        `the last lines of ${record.log}:\n${lastLines(record.log)}`,
    );
  }
}

/**
 * Starts the cluster, or finds it running. Idempotent: a healthy running cluster is reused, a
 * stale state (a crashed run, a killed component) is stopped and cleaned first.
 */
export async function up(options: UpOptions): Promise<UpResult> {
  const { log } = options;
  const root = stateDir(options.env);
  const paths = statePaths(root);
  const started = Date.now();
  const existing = readState(paths.stateFile);
  if (existing) {
    const health = await componentHealth(root, existing);
    if (health.every((each) => each.running)) {
      log(`the local cluster is already running (started ${existing.startedAt})`);
      const withFlux = options.flux === true || existing.flux !== undefined;
      if (options.crds) await installRepositoryCrds(existing.kubeconfig, log, { withoutFlux: withFlux });
      if (options.flux) await ensureFlux(root, existing, log);
      return { state: existing, started: false, elapsedMs: Date.now() - started };
    }
    const dead = health.filter((each) => !each.running).map((each) => each.record.name);
    log(`found a stale cluster state (${dead.join(', ')} not running): stopping the rest and cleaning it`);
    await teardown(root, existing, log);
  } else if (existsSync(root)) {
    log(`removing ${root}: it holds no readable state.json (an interrupted up)`);
    rmSync(root, { recursive: true, force: true });
  }

  const binaries = await ensureBinaries(log);
  const buildDone = Date.now();
  const versions = readVersions();
  for (const dir of [paths.logs, paths.config, paths.etcdData])
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  const portList = await freePorts(PORT_NAMES.length);
  const ports = Object.fromEntries(
    PORT_NAMES.map((name, index) => [name, portList[index]]),
  ) as unknown as Ports;
  const layout = layoutFor(root, ports);
  await createPki(paths.pki);
  const server = apiserverUrl(ports);
  writeKubeconfig(layout.kubeconfigs.admin, server, layout.pki.ca.cert, layout.pki.admin);
  writeKubeconfig(
    layout.kubeconfigs.controllerManager,
    server,
    layout.pki.ca.cert,
    layout.pki.controllerManager,
  );
  writeKubeconfig(layout.kubeconfigs.scheduler, server, layout.pki.ca.cert, layout.pki.scheduler);

  const specs = componentSpecs(layout);
  const spec = (name: ComponentSpec['name']) => specs.find((each) => each.name === name) as ComponentSpec;
  const state: ClusterState = {
    format: 1,
    startedAt: new Date().toISOString(),
    server,
    kubeconfig: layout.kubeconfigs.admin,
    ports,
    components: [],
  };
  const launch = async (name: ComponentSpec['name']) => {
    const record = await startComponent(spec(name), binaries, layout, versions.byComponent[name]);
    state.components.push(record);
    // Recorded before waiting, so `down` stops it even if this `up` is interrupted.
    writeState(paths.stateFile, state);
    return record;
  };

  try {
    await waitReady(spec('etcd'), await launch('etcd'));
    await waitReady(spec('kube-apiserver'), await launch('kube-apiserver'));
    log(`kube-apiserver ready at ${server} (${((Date.now() - buildDone) / 1000).toFixed(1)} s)`);
    // kwok watches ClusterResourceUsage from its start: the CRD comes first.
    await installKwokCrd(layout.kubeconfigs.admin, binaries.kwokResourceUsageCrd);
    const group = await Promise.all(
      (['kube-controller-manager', 'kube-scheduler', 'kwok', 'metrics-server'] as const).map(launch),
    );
    await createNodesAndUsage(layout.kubeconfigs.admin);
    await registerMetricsApi(layout.kubeconfigs.admin, ports.metricsServer, layout.pki.ca.cert);
    await Promise.all(group.map((record) => waitReady(spec(record.name), record)));
    const notReady = await waitNodesReady(layout.kubeconfigs.admin, 20_000);
    if (notReady.length > 0) {
      throw new ExitError(
        `kwok did not make node(s) ${notReady.join(', ')} Ready within 20 s; see ${join(paths.logs, 'kwok.log')}`,
      );
    }
    const metrics = await waitMetricsApi(layout.kubeconfigs.admin, 20_000);
    if (!metrics.available) {
      throw new ExitError(
        `the metrics.k8s.io APIService is not Available after 20 s (${metrics.detail}); ` +
          `the last lines of the metrics-server log:\n${lastLines(join(paths.logs, 'metrics-server.log'))}`,
      );
    }
    if (options.crds)
      await installRepositoryCrds(layout.kubeconfigs.admin, log, { withoutFlux: options.flux === true });
    if (options.flux) await ensureFlux(root, state, log);
  } catch (error) {
    log('startup failed: stopping what this up started');
    // Keep the logs for reading: move nothing, stop the processes, leave the directory until the
    // next `up` or `down` cleans it (state.json then names dead processes: a stale state).
    await stopFlux(state.flux, log);
    await stopComponents(state.components, log);
    throw error;
  }
  return { state, started: true, elapsedMs: Date.now() - buildDone };
}

/**
 * Flux on a running control plane: started when absent (or restarted when part of it stopped);
 * when it runs, the mirror's main is refreshed from this repository's HEAD and clusters/flux/local
 * applied again. A failed start stops the Flux processes it started and leaves the rest running.
 */
async function ensureFlux(root: string, state: ClusterState, log: Log): Promise<void> {
  const paths = statePaths(root);
  if (state.flux) {
    const health = await fluxHealth(state.flux);
    if (health.every((each) => each.running)) {
      const commit = await refreshMirror(state.flux.mirror);
      const gitServer = `127.0.0.1:${state.flux.ports.gitServer}`;
      await serverSideApply({ kubeconfig: state.kubeconfig }, await localFluxManifests(gitServer), 30_000);
      log(`Flux is already running; ${state.flux.gitUrl} main refreshed to ${commit.slice(0, 12)}`);
      return;
    }
    const dead = health.filter((each) => !each.running).map((each) => each.record.name);
    log(`Flux is partly stopped (${dead.join(', ')} not running): restarting it`);
    await stopFlux(state.flux, log);
    state.flux = undefined;
    writeState(paths.stateFile, state);
  }
  try {
    state.flux = await startFlux(state, {
      stateRoot: root,
      logs: paths.logs,
      log,
      record: (flux) => {
        state.flux = flux;
        writeState(paths.stateFile, state);
      },
    });
    writeState(paths.stateFile, state);
  } catch (error) {
    log('Flux startup failed: stopping the Flux processes this up started');
    await stopFlux(state.flux, log);
    state.flux = undefined;
    writeState(paths.stateFile, state);
    throw error;
  }
}

export interface DownResult {
  found: boolean;
}

export async function down(log: Log, env?: NodeJS.ProcessEnv): Promise<DownResult> {
  const root = stateDir(env);
  const state = readState(statePaths(root).stateFile);
  if (!state) {
    if (existsSync(root)) rmSync(root, { recursive: true, force: true });
    return { found: false };
  }
  await teardown(root, state, log);
  return { found: true };
}

export interface StatusReport {
  state?: ClusterState;
  components: ComponentHealth[];
  /** The Flux part's processes, when `up --flux` started them. */
  flux: FluxPartHealth[];
  metrics?: { available: boolean; detail: string };
  /** Every component running and ready. */
  healthy: boolean;
}

export async function status(env?: NodeJS.ProcessEnv): Promise<StatusReport> {
  const root = stateDir(env);
  const state = readState(statePaths(root).stateFile);
  if (!state) return { components: [], flux: [], healthy: false };
  const components = await componentHealth(root, state);
  const flux = state.flux ? await fluxHealth(state.flux) : [];
  const apiserverReady = components.find((each) => each.record.name === 'kube-apiserver')?.ready;
  const metrics = apiserverReady
    ? await metricsApiAvailability({ kubeconfig: state.kubeconfig }).catch(() => undefined)
    : undefined;
  return {
    state,
    components,
    flux,
    metrics,
    healthy:
      components.every((each) => each.ready) &&
      flux.every((each) => each.ready) &&
      metrics?.available === true,
  };
}

/** The running cluster's kubeconfig path, or an ExitError saying how to start one. */
export function runningKubeconfig(env?: NodeJS.ProcessEnv): string {
  const state = readCurrentState(env);
  if (!state) throw new ExitError('no local cluster is running: start one with `npm run cluster -- up`');
  return state.kubeconfig;
}
