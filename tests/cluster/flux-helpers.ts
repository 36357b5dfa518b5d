import { execFile, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { GIT_SERVER_PLACEHOLDER, LOCAL_FLUX_MANIFESTS } from '../../scripts/cluster/flux.js';
import { commandArgv, PACKAGE_ROOT } from '../../scripts/lib/repo.js';
import type { CliResult } from './helpers.js';

/**
 * For the tests against the real Flux controllers: commands run without blocking (the Flux cases
 * run concurrently), commits pushed to the local git server, and copies of clusters/flux/local's
 * objects under other names, so each case has its own GitRepository, Kustomization and namespace.
 */

/** A repository command as a child process, awaited; killed after `timeoutMs`. */
export function runCommandAsync(
  name: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult & { elapsedMs: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    // As helpers.ts's runCommand starts a command (`npm run <name>`), without blocking.
    const child = spawn(process.execPath, commandArgv(name, args), {
      cwd: options.cwd ?? PACKAGE_ROOT,
      env: { ...process.env, GITHUB_STEP_SUMMARY: '', GITHUB_TOKEN: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 180_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr, elapsedMs: Date.now() - started });
    });
  });
}

/** git in `cwd`; throws with git's stderr on failure. */
export function git(cwd: string, args: readonly string[]): string {
  const result = spawnSync(
    'git',
    ['-c', 'user.name=flux-test', '-c', 'user.email=flux-test@example.invalid', ...args],
    { cwd, encoding: 'utf8', timeout: 60_000 },
  );
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

/** git in `cwd` without blocking (a git server in this same process must go on answering). */
export function gitAsync(cwd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['-c', 'user.name=flux-test', '-c', 'user.email=flux-test@example.invalid', ...args],
      { cwd, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`git ${args.join(' ')}: ${stderr || error.message}`));
        else resolve(stdout.trim());
      },
    );
  });
}

/**
 * Clones the local git server's main into `dir`, lets `edit` change the tree, commits and pushes
 * the commit to `branch` (forced: a re-run starts the branch again). Returns the commit.
 */
export function pushCommit(gitUrl: string, dir: string, branch: string, edit: (dir: string) => void): string {
  git(dir, ['clone', '--quiet', '--branch', 'main', gitUrl, '.']);
  edit(dir);
  git(dir, ['commit', '--quiet', '--all', '-m', `flux test: ${branch}`]);
  git(dir, ['push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${branch}`]);
  return git(dir, ['rev-parse', 'HEAD']);
}

/** Appends a kustomize patch (YAML text, already indented for the list) to overlays/dev. */
export function appendToDevKustomization(dir: string, text: string): void {
  const file = join(dir, 'overlays', 'dev', 'kustomization.yaml');
  writeFileSync(file, `${readFileSync(file, 'utf8').trimEnd()}\n${text}`);
}

export function replaceInFile(file: string, from: string, to: string): void {
  const before = readFileSync(file, 'utf8');
  if (!before.includes(from)) throw new Error(`${file} does not contain ${from}`);
  writeFileSync(file, before.replace(from, to));
}

interface FluxObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: Record<string, unknown> & {
    ref?: { branch?: string };
    sourceRef?: { name: string };
    healthChecks?: { namespace?: string }[];
  };
}

/**
 * clusters/flux/local rendered (as `cluster up --flux` applies it), renamed with `-<suffix>`, its
 * GitRepository on `branch` and its Kustomization into `targetNamespace`: one case's own copy.
 */
export function fluxCopy(options: {
  gitUrl: string;
  suffix: string;
  branch: string;
  targetNamespace: string;
}): { manifests: string; kustomization: string; gitRepository: string } {
  const rendered = spawnSync('kubectl', ['kustomize', LOCAL_FLUX_MANIFESTS], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (rendered.status !== 0) throw new Error(`kubectl kustomize clusters/flux/local: ${rendered.stderr}`);
  const server = new URL(options.gitUrl).host;
  const objects = parseAllDocuments(rendered.stdout.replaceAll(GIT_SERVER_PLACEHOLDER, server)).map(
    (document) => document.toJS() as FluxObject,
  );
  const gitRepository = objects.find((each) => each.kind === 'GitRepository');
  const kustomization = objects.find((each) => each.kind === 'Kustomization');
  if (!gitRepository || !kustomization)
    throw new Error('clusters/flux/local renders no GitRepository/Kustomization');
  gitRepository.metadata.name = `${gitRepository.metadata.name}-${options.suffix}`;
  gitRepository.spec.ref = { branch: options.branch };
  kustomization.metadata.name = `${kustomization.metadata.name}-${options.suffix}`;
  kustomization.spec.sourceRef = { ...kustomization.spec.sourceRef, name: gitRepository.metadata.name };
  kustomization.spec.targetNamespace = options.targetNamespace;
  for (const check of kustomization.spec.healthChecks ?? []) check.namespace = options.targetNamespace;
  return {
    manifests: objects.map((each) => stringify(each)).join('---\n'),
    kustomization: kustomization.metadata.name,
    gitRepository: gitRepository.metadata.name,
  };
}

/** Lines a GitHub runner would read as a workflow command. */
export function workflowCommandLines(output: string): string[] {
  return output.split('\n').filter((line) => /^\s*::/.test(line) || line.includes('##['));
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The local git server's URL of this repository's mirror (`cluster up --flux`). */
    fluxGitUrl: string;
  }
}
