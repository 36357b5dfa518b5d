import { ExitError } from '../lib/exit-error.js';
import { runProcess } from '../lib/process.js';

/** How to run kustomize here: the standalone binary or kubectl's built-in copy. */
export interface KustomizeEngine {
  /** argv prefix; the kustomization directory is appended. */
  command: string[];
  version: string;
}

const MINIMUM_MAJOR = 5;
const INSTALL_HINT =
  'install kustomize v5 (https://kubectl.docs.kubernetes.io/installation/kustomize/) or kubectl ≥ 1.27, ' +
  'which bundles it, or point KUSTOMIZE at the binary';

let cached: Promise<KustomizeEngine> | undefined;

/** Finds kustomize once per process: $KUSTOMIZE, then `kustomize`, then `kubectl kustomize`. */
export function findKustomize(): Promise<KustomizeEngine> {
  cached ??= detect();
  return cached;
}

async function detect(): Promise<KustomizeEngine> {
  const candidates: { command: string[]; versionArgs: string[] }[] = [];
  const explicit = process.env.KUSTOMIZE;
  if (explicit) candidates.push({ command: [explicit, 'build'], versionArgs: [explicit, 'version'] });
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
    return { command: candidate.command, version };
  }
  if (explicit) throw new ExitError(`KUSTOMIZE=${explicit} does not run; ${INSTALL_HINT}`);
  throw new ExitError(`neither kustomize nor kubectl was found on PATH; ${INSTALL_HINT}`);
}
