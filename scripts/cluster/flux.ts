import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { serverSideApply, waitForCrds } from '../kube/apply.js';
import { kubectl } from '../kube/kubectl.js';
import { ExitError } from '../lib/exit-error.js';
import { processAlive, runProcess, startDaemon, stopProcess } from '../lib/process.js';
import { commandArgv, PACKAGE_ROOT, repositoryRoot } from '../lib/repo.js';
import { type BuiltFluxBinaries, ensureFluxBinaries } from './build.js';
import { type HealthProbe, probe, waitHealthy } from './health.js';
import { freePorts } from './ports.js';
import {
  type ClusterState,
  type ComponentRecord,
  type FluxPartName,
  type FluxPorts,
  type FluxState,
  isOurs,
} from './state.js';
import { readFluxVersions } from './versions.js';

/**
 * Flux on the local control plane (`cluster up --flux`): source-controller and kustomize-controller
 * as host processes with the admin kubeconfig, their own CRDs, and a git server on 127.0.0.1
 * serving a bare mirror of this repository. The Flux objects applied are clusters/flux/local
 * (clusters/flux/dev with the local git server's URL), so what syncs here is what dev syncs.
 */

type Log = (line: string) => void;

export const FLUX_NAMESPACE = 'flux-system';
/** The mirror's name on the git server: `http://127.0.0.1:PORT/triage-gitops.git`. */
export const MIRROR_NAME = 'triage-gitops.git';
export const LOCAL_FLUX_MANIFESTS = join(PACKAGE_ROOT, 'clusters', 'flux', 'local');
/** Written in clusters/flux/local where the git server's address goes; replaced at `up`. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a literal placeholder, as Flux's own substitutions write it.
export const GIT_SERVER_PLACEHOLDER = '${LOCAL_GIT_SERVER}';

const FLUX_PORT_NAMES: readonly (keyof FluxPorts)[] = [
  'gitServer',
  'sourceStorage',
  'sourceMetrics',
  'sourceHealth',
  'kustomizeMetrics',
  'kustomizeHealth',
];
const LOCAL = '127.0.0.1';
const READY_TIMEOUT_MS = 60_000;
const GIT_TIMEOUT_MS = 120_000;

interface FluxPartSpec {
  name: FluxPartName;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  health: HealthProbe;
  version: string;
}

export interface FluxLayout {
  /** `<state>/flux`: the git root (mirror inside), source-controller's artifact storage. */
  root: string;
  gitRoot: string;
  storage: string;
  logs: string;
  kubeconfig: string;
  ports: FluxPorts;
}

export function fluxLayout(
  stateRoot: string,
  logs: string,
  kubeconfig: string,
  ports: FluxPorts,
): FluxLayout {
  const root = join(stateRoot, 'flux');
  return { root, gitRoot: join(root, 'git'), storage: join(root, 'storage'), logs, kubeconfig, ports };
}

/** The git server is this package's own compiled entry (`git-server`), started through the launcher. */
function gitServerCommand(): { command: string; args: string[] } {
  return { command: process.execPath, args: commandArgv('git-server') };
}

/** Each Flux part's command line, in start order. Flags and their reasons: ../shared/CLUSTER.md. */
export function fluxSpecs(
  layout: FluxLayout,
  binaries: BuiltFluxBinaries,
  gitVersion: string,
): FluxPartSpec[] {
  const { ports } = layout;
  const versions = readFluxVersions();
  const controllerEnv = {
    ...process.env,
    KUBECONFIG: layout.kubeconfig,
    // Where the controllers would look for their own objects (events, leader election).
    RUNTIME_NAMESPACE: FLUX_NAMESPACE,
  };
  const common = ['--enable-leader-election=false', '--watch-all-namespaces=true', '--log-level=info'];
  const git = gitServerCommand();
  return [
    {
      name: 'git-server',
      command: git.command,
      args: [...git.args, '--root', layout.gitRoot, '--port', String(ports.gitServer)],
      env: process.env,
      health: { url: `http://${LOCAL}:${ports.gitServer}/healthz` },
      version: gitVersion,
    },
    {
      name: 'source-controller',
      command: binaries.paths['source-controller'],
      args: [
        `--storage-path=${layout.storage}`,
        `--storage-addr=${LOCAL}:${ports.sourceStorage}`,
        // kustomize-controller downloads artifacts from this address: the host's, not a Service's.
        `--storage-adv-addr=${LOCAL}:${ports.sourceStorage}`,
        `--metrics-addr=${LOCAL}:${ports.sourceMetrics}`,
        `--health-addr=${LOCAL}:${ports.sourceHealth}`,
        ...common,
      ],
      env: controllerEnv,
      health: { url: `http://${LOCAL}:${ports.sourceHealth}/readyz` },
      version: versions['source-controller'],
    },
    {
      name: 'kustomize-controller',
      command: binaries.paths['kustomize-controller'],
      args: [
        `--metrics-addr=${LOCAL}:${ports.kustomizeMetrics}`,
        `--health-addr=${LOCAL}:${ports.kustomizeHealth}`,
        ...common,
      ],
      env: controllerEnv,
      health: { url: `http://${LOCAL}:${ports.kustomizeHealth}/readyz` },
      version: versions['kustomize-controller'],
    },
  ];
}

async function git(args: string[], what: string): Promise<string> {
  const result = await runProcess('git', args, { timeoutMs: GIT_TIMEOUT_MS, maxOutputBytes: 1024 * 1024 });
  if (result.startError)
    throw new ExitError(`git could not be started (${result.startError.code}): install git`);
  if (result.code !== 0) {
    throw new ExitError(
      `${what} failed: ${result.timedOut ? 'timed out' : result.stderr.trim().split('\n').at(-1)}`,
    );
  }
  return result.stdout.trim();
}

/**
 * Points the mirror's `main` at the working repository's HEAD commit (forced: commits a test
 * pushed to the mirror are dropped), creating the bare mirror first if needed. Uncommitted
 * changes are not served. Returns the commit.
 */
export async function refreshMirror(mirror: string, source = repositoryRoot(PACKAGE_ROOT)): Promise<string> {
  if (!existsSync(join(mirror, 'HEAD'))) {
    mkdirSync(mirror, { recursive: true });
    await git(['init', '--quiet', '--bare', '--initial-branch=main', mirror], `git init ${mirror}`);
    // Push over HTTP needs this (git http-backend refuses receive-pack to anonymous users otherwise).
    await git(['-C', mirror, 'config', 'http.receivepack', 'true'], 'git config http.receivepack');
  }
  await git(
    ['-C', mirror, 'fetch', '--quiet', '--no-tags', '--force', source, '+HEAD:refs/heads/main'],
    `fetching ${source} into the mirror`,
  );
  return git(['-C', mirror, 'rev-parse', 'refs/heads/main'], 'git rev-parse main');
}

/** clusters/flux/local rendered, with the git server's address in the GitRepository's URL. */
export async function localFluxManifests(gitServer: string): Promise<string> {
  const rendered = (await kubectl(['kustomize', LOCAL_FLUX_MANIFESTS], { timeoutMs: 30_000 })).stdout;
  if (!rendered.includes(GIT_SERVER_PLACEHOLDER)) {
    throw new ExitError(
      `clusters/flux/local renders no ${GIT_SERVER_PLACEHOLDER}: its GitRepository patch must name the local git server that way`,
      2,
      { file: join(LOCAL_FLUX_MANIFESTS, 'kustomization.yaml') },
    );
  }
  return rendered.replaceAll(GIT_SERVER_PLACEHOLDER, gitServer);
}

/** Names (`plural.group`) of the CRDs in a multi-document YAML file. */
function crdNames(yaml: string): string[] {
  return parseAllDocuments(yaml)
    .map((document) => (document.toJS() as { metadata?: { name?: string } } | null)?.metadata?.name)
    .filter((name): name is string => typeof name === 'string');
}

/** The controllers' own CRDs (all of source-controller's kinds: kustomize-controller watches each). */
export async function installFluxCrds(kubeconfig: string, crdDir: string, log: Log): Promise<void> {
  const files = readdirSync(crdDir)
    .filter((file) => file.endsWith('.yaml'))
    .sort();
  const manifests = files.map((file) => readFileSync(join(crdDir, file), 'utf8')).join('\n---\n');
  await serverSideApply({ kubeconfig }, manifests, 60_000);
  const names = crdNames(manifests);
  await waitForCrds({ kubeconfig }, names, 30_000);
  log(`Flux CRDs installed: ${names.join(', ')}`);
}

async function ensureNamespace(kubeconfig: string, name: string): Promise<void> {
  await serverSideApply(
    { kubeconfig },
    `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`,
    30_000,
  );
}

export interface FluxPartHealth {
  record: ComponentRecord<FluxPartName>;
  running: boolean;
  ready: boolean;
  detail: string;
}

export async function fluxHealth(flux: FluxState): Promise<FluxPartHealth[]> {
  const probes: Record<FluxPartName, string> = {
    'git-server': `http://${LOCAL}:${flux.ports.gitServer}/healthz`,
    'source-controller': `http://${LOCAL}:${flux.ports.sourceHealth}/readyz`,
    'kustomize-controller': `http://${LOCAL}:${flux.ports.kustomizeHealth}/readyz`,
  };
  return Promise.all(
    flux.components.map(async (record) => {
      if (!isOurs(record))
        return { record, running: false, ready: false, detail: `not running (pid ${record.pid} exited)` };
      const answer = await probe({ url: probes[record.name] });
      return { record, running: true, ready: answer.ok, detail: answer.ok ? 'ready' : answer.detail };
    }),
  );
}

/** Stops the Flux processes that are still ours, newest first. */
export async function stopFlux(flux: FluxState | undefined, log: Log): Promise<void> {
  for (const record of [...(flux?.components ?? [])].reverse()) {
    if (!isOurs(record)) continue;
    const how = await stopProcess(record.pid);
    log(`stopped ${record.name} (pid ${record.pid}${how === 'killed' ? ', killed after 10 s' : ''})`);
  }
}

function lastLines(file: string, count = 5): string {
  try {
    return readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(-count)
      .map((line) => `    ${line.slice(0, 400)}`)
      .join('\n');
  } catch {
    return '    (no log)';
  }
}

export interface StartFluxOptions {
  stateRoot: string;
  logs: string;
  log: Log;
  /** Called after each process starts, so `down` can stop it even if this start fails later. */
  record: (flux: FluxState) => void;
}

/**
 * Starts the Flux part on a running control plane and applies clusters/flux/local. Each process is
 * recorded (through `options.record`) as soon as it runs; on failure the caller stops them.
 */
export async function startFlux(state: ClusterState, options: StartFluxOptions): Promise<FluxState> {
  const { log } = options;
  const started = Date.now();
  const binaries = await ensureFluxBinaries(log);
  const buildDone = Date.now();
  const portList = await freePorts(FLUX_PORT_NAMES.length);
  const ports = Object.fromEntries(
    FLUX_PORT_NAMES.map((name, index) => [name, portList[index]]),
  ) as unknown as FluxPorts;
  const layout = fluxLayout(options.stateRoot, options.logs, state.kubeconfig, ports);
  for (const dir of [layout.gitRoot, layout.storage]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const mirror = join(layout.gitRoot, MIRROR_NAME);
  const commit = await refreshMirror(mirror);
  const gitServer = `${LOCAL}:${ports.gitServer}`;
  const flux: FluxState = { ports, mirror, gitUrl: `http://${gitServer}/${MIRROR_NAME}`, components: [] };

  await installFluxCrds(state.kubeconfig, binaries.crdDir, log);
  await ensureNamespace(state.kubeconfig, FLUX_NAMESPACE);
  // `git version 2.43.0` → `git 2.43.0`: what serves the mirror, for `status`.
  const gitVersion = (await git(['--version'], 'git --version')).replace(/^git version /, 'git ');
  for (const spec of fluxSpecs(layout, binaries, gitVersion)) {
    const logFile = join(layout.logs, `${spec.name}.log`);
    const pid = await startDaemon(spec.command, spec.args, { logFile, cwd: layout.root, env: spec.env });
    const record: ComponentRecord<FluxPartName> = {
      name: spec.name,
      pid,
      executable: spec.command,
      version: spec.version,
      log: logFile,
    };
    flux.components.push(record);
    options.record(flux);
    const answer = await waitHealthy(spec.health, READY_TIMEOUT_MS, () => processAlive(pid));
    if (!answer.ok) {
      throw new ExitError(
        `${spec.name} did not become ready within ${READY_TIMEOUT_MS / 1000} s (${answer.detail}); ` +
          `the last lines of ${logFile}:\n${lastLines(logFile)}`,
      );
    }
  }
  await serverSideApply({ kubeconfig: state.kubeconfig }, await localFluxManifests(gitServer), 30_000);
  log(
    `Flux ready in ${((Date.now() - buildDone) / 1000).toFixed(1)} s` +
      `${buildDone - started > 5000 ? ` (after a ${Math.round((buildDone - started) / 1000)} s build)` : ''}: ` +
      `${flux.gitUrl} serves ${commit.slice(0, 12)} (HEAD of this repository) as main; ` +
      `clusters/flux/local applied (Kustomization ${FLUX_NAMESPACE}/triage-dev)`,
  );
  return flux;
}
