/**
 * The tools a user would chain instead of validate, at pinned versions, for `npm run bench`:
 * kubeconform (setup installs it in .tools/bin) and kube-linter, built here from its repository's
 * tag (its vanity module path, golang.stackrox.io/kube-linter, is not served by the Go module proxy)
 * into .tools/peers/ (git-ignored with .tools/). Nothing here runs outside the bench.
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../lib/process.js';
import { PACKAGE_ROOT } from '../lib/repo.js';

export const KUBE_LINTER_VERSION = 'v0.8.3';
/** The commit tag v0.8.3 names (checked after cloning: a moved tag is refused). */
export const KUBE_LINTER_COMMIT = '10ae003038c81855aca8489df5e35da150f4dc2e';
export const KUBE_LINTER_DEFAULT_GIT = 'https://github.com/stackrox/kube-linter.git';
/** Where to clone kube-linter from instead (a mirror, a local bare repository). */
export const KUBE_LINTER_GIT_ENV = 'TRIAGE_BENCH_KUBE_LINTER_GIT';

export const PEERS_DIR = join(PACKAGE_ROOT, '.tools', 'peers');
export const KUBECONFORM_BIN = join(PACKAGE_ROOT, '.tools', 'bin', 'kubeconform');

export type Peers = { kubeconform: string; kubeLinter: string } | { missing: string };

function kubeLinterPath(): string {
  return join(PEERS_DIR, `kube-linter-${KUBE_LINTER_VERSION}`, 'kube-linter');
}

async function reportsVersion(binary: string): Promise<boolean> {
  if (!existsSync(binary)) return false;
  const result = await runProcess(binary, ['version'], { timeoutMs: 10_000, maxOutputBytes: 4096 });
  return result.code === 0 && result.stdout.trim() === KUBE_LINTER_VERSION;
}

async function step(what: string, command: string, args: string[], cwd?: string, timeoutMs = 120_000) {
  const result = await runProcess(command, args, {
    cwd,
    timeoutMs,
    maxOutputBytes: 1 << 20,
    overflow: 'drop',
  });
  if (result.code === 0) return result.stdout;
  const reason = result.startError
    ? `${command} is not installed`
    : result.timedOut
      ? `did not finish within ${timeoutMs / 1000}s`
      : (result.stderr.trim().split('\n').pop() ?? `exit ${result.code}`);
  throw new Error(`${what}: ${reason}`);
}

/** Clones the pinned tag, checks its commit, and `go build`s kube-linter with its release version stamped. */
async function buildKubeLinter(log: (line: string) => void): Promise<void> {
  const url = process.env[KUBE_LINTER_GIT_ENV] || KUBE_LINTER_DEFAULT_GIT;
  const work = mkdtempSync(join(tmpdir(), 'triage-kube-linter-'));
  try {
    log(`building kube-linter ${KUBE_LINTER_VERSION} from ${url} (once; Go caches the modules)`);
    const source = join(work, 'src');
    await step('git clone', 'git', [
      '-c',
      'advice.detachedHead=false',
      'clone',
      '--quiet',
      '--depth',
      '1',
      '--branch',
      KUBE_LINTER_VERSION,
      url,
      source,
    ]);
    const commit = (await step('git rev-parse', 'git', ['rev-parse', 'HEAD'], source)).trim();
    if (commit !== KUBE_LINTER_COMMIT) {
      throw new Error(
        `tag ${KUBE_LINTER_VERSION} of ${url} is commit ${commit}, pinned ${KUBE_LINTER_COMMIT}`,
      );
    }
    const output = join(work, 'kube-linter');
    await step(
      'go build',
      'go',
      [
        'build',
        '-trimpath',
        '-ldflags',
        `-s -w -X golang.stackrox.io/kube-linter/internal/version.version=${KUBE_LINTER_VERSION}`,
        '-o',
        output,
        './cmd/kube-linter',
      ],
      source,
      30 * 60_000,
    );
    mkdirSync(join(PEERS_DIR, `kube-linter-${KUBE_LINTER_VERSION}`), { recursive: true });
    renameSync(output, kubeLinterPath());
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The peers, built when missing; `{ missing }` says why they are not there (no Go, no network…). */
export async function ensurePeers(log: (line: string) => void): Promise<Peers> {
  if (!existsSync(KUBECONFORM_BIN))
    return { missing: '.tools/bin/kubeconform is missing (run npm run setup)' };
  if (!(await reportsVersion(kubeLinterPath()))) {
    try {
      await buildKubeLinter(log);
    } catch (error) {
      return {
        missing: `kube-linter ${KUBE_LINTER_VERSION} could not be built: ${(error as Error).message}`,
      };
    }
    if (!(await reportsVersion(kubeLinterPath()))) {
      return { missing: `the kube-linter built does not report ${KUBE_LINTER_VERSION}` };
    }
  }
  return { kubeconform: KUBECONFORM_BIN, kubeLinter: kubeLinterPath() };
}
