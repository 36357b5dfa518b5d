import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { ExitError } from '../lib/exit-error.js';
import { runProcess } from '../lib/process.js';
import { BINARIES_ROOT, FLUX_BINARIES_ROOT } from './paths.js';
import {
  BINARIES,
  type BinarySource,
  CONTROLPLANE_MODULE_DIR,
  type ComponentName,
  type ControlPlaneVersions,
  FLUX_BINARIES,
  FLUX_MODULE_DIR,
  type FluxComponentName,
  kubernetesMinor,
  parseGoModRequires,
  readFluxVersions,
  readVersions,
} from './versions.js';

/**
 * Builds binaries from the Go module proxy with one `go build` of a wrapper module (shared
 * packages compile once): the control plane's six from controlplane/, the Flux controllers from
 * controlplane/flux/. Each lands in a directory keyed by its module's go.mod, go.sum and the build
 * flags, so a second `up` finds them and builds nothing. Go's own caches stay in their default
 * places: a warm rebuild takes under a minute.
 */

export interface BuiltBinaries {
  dir: string;
  paths: Record<ComponentName, string>;
  /** kwok's own CRD for ClusterResourceUsage, copied from its module at build time. */
  kwokResourceUsageCrd: string;
}

export interface BuiltFluxBinaries {
  dir: string;
  paths: Record<FluxComponentName, string>;
  /** The controllers' own CRDs (config/crd/bases of each module), copied at build time. */
  crdDir: string;
}

/** One wrapper module's build: what it compiles, with which flags, and what it copies out. */
export interface ModuleBuild {
  /** For the log: "the control plane", "the Flux controllers". */
  what: string;
  moduleDir: string;
  /** Parent of the keyed output directories. */
  outputRoot: string;
  /** First part of the output directory's name (a version). */
  label: string;
  binaries: readonly BinarySource[];
  ldflags: string;
  /** Said before a build starts: how long a first build takes. */
  estimate: string;
  /** Copies files out of the module cache into the staging directory; `moduleDir(m)` finds a module. */
  extras?: (staging: string, moduleDir: (module: string) => Promise<string>) => Promise<void>;
}

const BUILD_TIMEOUT_MS = 45 * 60_000;
const PROGRESS_EVERY_MS = 30_000;
const COMPLETE_MARKER = '.complete';
const KWOK_USAGE_CRD = 'kwok.x-k8s.io_clusterresourceusages.yaml';
const FLUX_CRD_DIR = 'crds';

function controlPlaneFlags(kubernetesVersion: string): string {
  const { major, minor } = kubernetesMinor(kubernetesVersion);
  const stamp = 'k8s.io/component-base/version';
  // A wrapper-module build would otherwise report v0.0.0-master, which kubectl's skew check misreads.
  return [
    '-s -w',
    `-X ${stamp}.gitVersion=${kubernetesVersion}`,
    `-X ${stamp}.gitMajor=${major}`,
    `-X ${stamp}.gitMinor=${minor}`,
    `-X ${stamp}.gitTreeState=clean`,
  ].join(' ');
}

/** Where a build's binaries go: keyed by its go.mod, go.sum and flags. */
export function outputDir(
  build: Pick<ModuleBuild, 'moduleDir' | 'outputRoot' | 'label' | 'ldflags'>,
): string {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum']) hash.update(readFileSync(join(build.moduleDir, file)));
  hash.update(build.ldflags);
  return join(build.outputRoot, `${build.label}-${hash.digest('hex').slice(0, 12)}`);
}

function controlPlaneBuild(versions: ControlPlaneVersions = readVersions()): ModuleBuild {
  return {
    what: `the control plane (Kubernetes ${versions.kubernetes}, etcd ${versions.etcd}, kwok ${versions.kwok}, metrics-server ${versions.metricsServer})`,
    moduleDir: CONTROLPLANE_MODULE_DIR,
    outputRoot: BINARIES_ROOT,
    label: versions.kubernetes,
    binaries: BINARIES,
    ldflags: controlPlaneFlags(versions.kubernetes),
    estimate:
      'a first build takes about 12 minutes and 3 GiB of Go build cache; later builds reuse that cache (about 40 s)',
    extras: async (staging, moduleDir) => {
      const kwokDir = await moduleDir('sigs.k8s.io/kwok');
      copyFileSync(join(kwokDir, 'kustomize', 'crd', 'bases', KWOK_USAGE_CRD), join(staging, KWOK_USAGE_CRD));
    },
  };
}

function fluxBuild(): ModuleBuild {
  const versions = readFluxVersions();
  return {
    what: `the Flux controllers (source-controller ${versions['source-controller']}, kustomize-controller ${versions['kustomize-controller']})`,
    moduleDir: FLUX_MODULE_DIR,
    outputRoot: FLUX_BINARIES_ROOT,
    label: `source-${versions['source-controller']}-kustomize-${versions['kustomize-controller']}`,
    binaries: FLUX_BINARIES,
    // Each controller's main package reads its version from main.VERSION.
    ldflags: '-s -w',
    estimate:
      'a first build takes 15 to 25 minutes on 2 cores (about 930 CPU-s, 1.8 GiB peak RSS); later builds reuse the Go build cache (about 45 s)',
    extras: async (staging, moduleDir) => {
      mkdirSync(join(staging, FLUX_CRD_DIR));
      for (const binary of FLUX_BINARIES) {
        const bases = join(await moduleDir(binary.module), 'config', 'crd', 'bases');
        for (const file of listYaml(bases))
          copyFileSync(join(bases, file), join(staging, FLUX_CRD_DIR, file));
      }
    },
  };
}

function listYaml(dir: string): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .sort();
}

function formatElapsed(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

async function go(
  moduleDir: string,
  args: string[],
  log: (line: string) => void,
  what: string,
  onLine?: () => void,
) {
  const env = { ...process.env, GOFLAGS: '-mod=readonly -buildvcs=false' };
  const result = await runProcess('go', args, {
    cwd: moduleDir,
    env,
    timeoutMs: BUILD_TIMEOUT_MS,
    onLine,
    maxOutputBytes: 4 * 1024 * 1024,
  });
  if (result.startError?.code === 'ENOENT') {
    throw new ExitError(
      'Go is not installed (go not found on PATH): the local control plane is built from the Go module proxy. ' +
        `Install Go (https://go.dev/dl/), at least the version on the go line of ${join(moduleDir, 'go.mod')}.`,
    );
  }
  if (result.timedOut)
    throw new ExitError(`${what} did not finish within ${BUILD_TIMEOUT_MS / 60_000} minutes`);
  if (result.code !== 0) {
    const tail = result.stderr.trim().split('\n').slice(-8).join('\n');
    log(tail);
    throw new ExitError(`${what} failed (exit ${result.code}); its last lines are above`);
  }
  return result.stdout;
}

/** Each binary's module version, as go.mod pins it: what the `.complete` marker records. */
function moduleVersions(build: ModuleBuild): Record<string, string> {
  const requires = parseGoModRequires(readFileSync(join(build.moduleDir, 'go.mod'), 'utf8'));
  return Object.fromEntries(
    build.binaries.map((binary) => [binary.name, requires.get(binary.module) ?? '?']),
  );
}

/**
 * Returns the build's output directory, building it first when it is missing (or an earlier build
 * was interrupted); logs progress while it builds.
 */
export async function ensureModuleBuild(build: ModuleBuild, log: (line: string) => void): Promise<string> {
  const dir = outputDir(build);
  if (existsSync(join(dir, COMPLETE_MARKER))) return dir;
  const started = Date.now();
  const goMod = join(build.moduleDir, 'go.mod');
  log(`building ${build.what} from the Go module proxy into ${dir}`);
  log(build.estimate);

  await go(build.moduleDir, ['mod', 'download'], log, `go mod download (${goMod})`);
  log(`modules downloaded (${formatElapsed(Date.now() - started)})`);

  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  let compiled = 0;
  const progress = setInterval(() => {
    log(`still building: ${compiled} packages compiled, ${formatElapsed(Date.now() - started)} elapsed`);
  }, PROGRESS_EVERY_MS);
  try {
    await go(
      build.moduleDir,
      [
        'build',
        '-v',
        '-trimpath',
        '-ldflags',
        build.ldflags,
        '-o',
        `${staging}/`,
        ...build.binaries.map((binary) => binary.pkg),
      ],
      log,
      `go build of ${build.what}`,
      // `-v` names each package as it is compiled: a count to show, nothing to parse.
      () => {
        compiled += 1;
      },
    );
  } finally {
    clearInterval(progress);
  }
  for (const binary of build.binaries) {
    if (binary.output !== binary.name) renameSync(join(staging, binary.output), join(staging, binary.name));
  }
  const moduleDir = async (module: string) =>
    (await go(build.moduleDir, ['list', '-m', '-f', '{{.Dir}}', module], log, `go list ${module}`)).trim();
  await build.extras?.(staging, moduleDir);
  writeFileSync(join(staging, COMPLETE_MARKER), `${JSON.stringify(moduleVersions(build))}\n`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(build.outputRoot, { recursive: true });
  renameSync(staging, dir);
  log(`built in ${formatElapsed(Date.now() - started)}`);
  return dir;
}

export function binariesDir(versions: ControlPlaneVersions = readVersions()): string {
  return outputDir(controlPlaneBuild(versions));
}

/** The control plane's binaries, built first when missing. */
export async function ensureBinaries(log: (line: string) => void): Promise<BuiltBinaries> {
  const dir = await ensureModuleBuild(controlPlaneBuild(), log);
  const paths = {} as Record<ComponentName, string>;
  for (const binary of BINARIES) paths[binary.name] = join(dir, binary.name);
  return { dir, paths, kwokResourceUsageCrd: join(dir, KWOK_USAGE_CRD) };
}

/** source-controller and kustomize-controller and their CRDs, built first when missing. */
export async function ensureFluxBinaries(log: (line: string) => void): Promise<BuiltFluxBinaries> {
  const dir = await ensureModuleBuild(fluxBuild(), log);
  const paths = {} as Record<FluxComponentName, string>;
  for (const binary of FLUX_BINARIES) paths[binary.name] = join(dir, binary.name);
  return { dir, paths, crdDir: join(dir, FLUX_CRD_DIR) };
}
