import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { ExitError } from '../lib/exit-error.js';
import { runProcess } from '../lib/process.js';
import { BINARIES_ROOT } from './paths.js';
import {
  BINARIES,
  CONTROLPLANE_MODULE_DIR,
  type ComponentName,
  type ControlPlaneVersions,
  kubernetesMinor,
  readVersions,
} from './versions.js';

/**
 * Builds the control plane's six binaries from the Go module proxy with one `go build` of the
 * wrapper module in controlplane/ (shared k8s.io packages compile once), into a directory keyed
 * by go.mod, go.sum and the build flags, so a second `up` finds them and builds nothing.
 * Go's own caches stay in their default places: a warm rebuild takes about 40 s, a cold one 12 min.
 */

export interface BuiltBinaries {
  dir: string;
  paths: Record<ComponentName, string>;
  /** kwok's own CRD for ClusterResourceUsage, copied from its module at build time. */
  kwokResourceUsageCrd: string;
}

const BUILD_TIMEOUT_MS = 45 * 60_000;
const PROGRESS_EVERY_MS = 30_000;
const COMPLETE_MARKER = '.complete';
const KWOK_USAGE_CRD = 'kwok.x-k8s.io_clusterresourceusages.yaml';

function buildFlags(kubernetesVersion: string): string {
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

export function binariesDir(versions: ControlPlaneVersions = readVersions()): string {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum']) hash.update(readFileSync(join(CONTROLPLANE_MODULE_DIR, file)));
  hash.update(buildFlags(versions.kubernetes));
  return join(BINARIES_ROOT, `${versions.kubernetes}-${hash.digest('hex').slice(0, 12)}`);
}

function layout(dir: string): BuiltBinaries {
  const paths = {} as Record<ComponentName, string>;
  for (const binary of BINARIES) paths[binary.name] = join(dir, binary.name);
  return { dir, paths, kwokResourceUsageCrd: join(dir, KWOK_USAGE_CRD) };
}

function formatElapsed(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

async function go(args: string[], log: (line: string) => void, what: string, onLine?: () => void) {
  const env = { ...process.env, GOFLAGS: '-mod=readonly -buildvcs=false' };
  const result = await runProcess('go', args, {
    cwd: CONTROLPLANE_MODULE_DIR,
    env,
    timeoutMs: BUILD_TIMEOUT_MS,
    onLine,
    maxOutputBytes: 4 * 1024 * 1024,
  });
  if (result.startError?.code === 'ENOENT') {
    throw new ExitError(
      'Go is not installed (go not found on PATH): the local control plane is built from the Go module proxy. ' +
        'Install Go >= 1.24 (https://go.dev/dl/); the first build then takes about 12 minutes.',
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

/** Returns the binaries, building them first when they are missing; logs progress while it builds. */
export async function ensureBinaries(log: (line: string) => void): Promise<BuiltBinaries> {
  const versions = readVersions();
  const dir = binariesDir(versions);
  if (existsSync(join(dir, COMPLETE_MARKER))) return layout(dir);
  const started = Date.now();
  log(
    `building the control plane (Kubernetes ${versions.kubernetes}, etcd ${versions.etcd}, kwok ${versions.kwok}, ` +
      `metrics-server ${versions.metricsServer}) from the Go module proxy into ${dir}`,
  );
  log(
    'a first build takes about 12 minutes and 3 GiB of Go build cache; later builds reuse that cache (about 40 s)',
  );

  await go(['mod', 'download'], log, 'go mod download (controlplane/go.mod)');
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
      [
        'build',
        '-v',
        '-trimpath',
        '-ldflags',
        buildFlags(versions.kubernetes),
        '-o',
        `${staging}/`,
        ...BINARIES.map((binary) => binary.pkg),
      ],
      log,
      'go build of the control plane',
      // `-v` names each package as it is compiled: a count to show, nothing to parse.
      () => {
        compiled += 1;
      },
    );
  } finally {
    clearInterval(progress);
  }
  for (const binary of BINARIES) {
    if (binary.output !== binary.name) renameSync(join(staging, binary.output), join(staging, binary.name));
  }
  const kwokDir = (
    await go(['list', '-m', '-f', '{{.Dir}}', 'sigs.k8s.io/kwok'], log, 'go list sigs.k8s.io/kwok')
  ).trim();
  copyFileSync(join(kwokDir, 'kustomize', 'crd', 'bases', KWOK_USAGE_CRD), join(staging, KWOK_USAGE_CRD));
  writeFileSync(join(staging, COMPLETE_MARKER), `${JSON.stringify(versions.byComponent)}\n`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(BINARIES_ROOT, { recursive: true });
  renameSync(staging, dir);
  log(`built in ${formatElapsed(Date.now() - started)}`);
  return layout(dir);
}
