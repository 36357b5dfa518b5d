import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitError } from '../lib/exit-error.js';
import { findOnPath, isExecutable, runProcess } from '../lib/process.js';
import { PACKAGE_ROOT } from '../lib/repo.js';
import { forgetAtSnapshotStart } from '../lib/startup-snapshot.js';

/**
 * How to run kustomize here: kustomize-batch (the kustomize library in one process for every
 * overlay, built by `npm run setup`), or a kustomize CLI, one process per overlay.
 */
export type KustomizeEngine =
  | { kind: 'batch'; binary: string; version: string }
  | {
      kind: 'cli';
      /** argv prefix; the kustomization directory is appended. */
      command: string[];
      version: string;
    };

const MINIMUM_MAJOR = 5;
const INSTALL_HINT =
  'install kustomize v5 (https://kubectl.docs.kubernetes.io/installation/kustomize/) or kubectl ≥ 1.27, ' +
  'which bundles it, or point KUSTOMIZE at the binary';

/** kustomize-batch's sources: its binary is built under a name made from their hash (scripts/setup.sh). */
export const BATCH_SOURCE_DIR = join(PACKAGE_ROOT, 'scripts', 'render', 'kustomize-batch');
/** What the binary is built from; default.pgo is the profile its build is optimised with (profile.sh). */
const BATCH_SOURCES = ['main.go', 'go.mod', 'go.sum', 'default.pgo'];

let cached: Promise<KustomizeEngine> | undefined;
let cachedCli: Promise<KustomizeEngine & { kind: 'cli' }> | undefined;
forgetAtSnapshotStart(() => {
  cached = undefined;
  cachedCli = undefined;
});

/**
 * Finds kustomize once per process: $KUSTOMIZE (a CLI the user named), then kustomize-batch when
 * it is built from the current sources, then `kustomize`, then `kubectl kustomize`.
 */
export function findKustomize(): Promise<KustomizeEngine> {
  cached ??= process.env.KUSTOMIZE ? findKustomizeCli() : Promise.resolve(findBatch() ?? findKustomizeCli());
  return cached;
}

/** The kustomize CLI a user would run by hand ($KUSTOMIZE, `kustomize`, `kubectl kustomize`). */
export function findKustomizeCli(): Promise<KustomizeEngine & { kind: 'cli' }> {
  cachedCli ??= detectCli();
  return cachedCli;
}

/** Where setup builds kustomize-batch for the sources as they are now. */
export function batchBinaryPath(): string {
  const hash = createHash('sha256');
  for (const name of BATCH_SOURCES) hash.update(readFileSync(join(BATCH_SOURCE_DIR, name)));
  return join(PACKAGE_ROOT, '.tools', 'kustomize-batch', hash.digest('hex').slice(0, 16), 'kustomize-batch');
}

/** kustomize-batch when built from these sources; a stale or missing one is never run. */
function findBatch(): (KustomizeEngine & { kind: 'batch' }) | undefined {
  let binary: string;
  try {
    binary = batchBinaryPath();
  } catch {
    return undefined; // its sources are not here (an installed copy without them)
  }
  if (!isExecutable(binary)) return undefined;
  const goMod = readFileSync(join(BATCH_SOURCE_DIR, 'go.mod'), 'utf8');
  const api = /sigs\.k8s\.io\/kustomize\/api (v\S+)/.exec(goMod)?.[1] ?? 'unknown';
  return { kind: 'batch', binary, version: `sigs.k8s.io/kustomize/api ${api}` };
}

async function detectCli(): Promise<KustomizeEngine & { kind: 'cli' }> {
  const candidates: { command: string[]; versionArgs: string[] }[] = [];
  const explicit = process.env.KUSTOMIZE;
  if (explicit) candidates.push({ command: [explicit, 'build'], versionArgs: [explicit, 'version'] });
  // Looked up on PATH first: starting a binary that is not there costs a spawn for nothing.
  if (findOnPath('kustomize'))
    candidates.push({ command: ['kustomize', 'build'], versionArgs: ['kustomize', 'version'] });
  candidates.push({ command: ['kubectl', 'kustomize'], versionArgs: ['kubectl', 'version', '--client'] });
  for (const candidate of candidates) {
    const [binary, ...args] = candidate.versionArgs as [string, ...string[]];
    const result = await runProcess(binary, args, { timeoutMs: 10_000, maxOutputBytes: 64 * 1024 });
    // A binary the user named is what they want checked with: never fall back silently to another one.
    if (result.code !== 0 && explicit && candidate.command[0] === explicit) {
      throw new ExitError(`KUSTOMIZE=${explicit} does not run; ${INSTALL_HINT}`);
    }
    if (result.code !== 0) continue;
    const version =
      /kustomize[^\n]*?v?(\d+\.\d+\.\d+)/i.exec(result.stdout)?.[1] ??
      /v?(\d+\.\d+\.\d+)/.exec(result.stdout)?.[1];
    if (!version) continue;
    if (Number(version.split('.')[0]) < MINIMUM_MAJOR) {
      throw new ExitError(
        `${candidate.versionArgs[0]} bundles kustomize ${version}; v${MINIMUM_MAJOR} or newer is needed: ${INSTALL_HINT}`,
      );
    }
    return { kind: 'cli', command: candidate.command, version };
  }
  if (explicit) throw new ExitError(`KUSTOMIZE=${explicit} does not run; ${INSTALL_HINT}`);
  throw new ExitError(`neither kustomize nor kubectl was found on PATH; ${INSTALL_HINT}`);
}
