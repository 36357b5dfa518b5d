import { appendFileSync } from 'node:fs';
import { $ } from 'zx';
import {
  appliedState,
  type Controller,
  type Json,
  readArgoApplication,
  readFluxKustomization,
  type SyncStatus,
  short,
} from './kube/gitops.js';
import { KubectlError, kubectlJson } from './kube/kubectl.js';
import { parseCommandLine } from './lib/args.js';
import { parseDuration } from './lib/duration.js';
import { EXIT_CLEAN, EXIT_FINDINGS, ExitError } from './lib/exit-error.js';
import { isMainModule, runMain } from './lib/main.js';

export type { Controller, SyncStatus };
export { appliedState, readArgoApplication, readFluxKustomization };

/**
 * Waits until a GitOps controller reports a commit as applied and healthy, reading the same
 * status fields `kubectl get … -o json` prints. The deploy workflow runs it in pull mode, where
 * Argo CD or Flux applies and the workflow only watches.
 */

export interface Target {
  controller: Controller;
  name: string;
  namespace: string;
  revision: string;
  /** The cluster: a kubeconfig file and/or context (else kubectl's current context). */
  kubeconfig?: string;
  context?: string;
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs: number;
  /** Returns the object as `kubectl get -o json` prints it, or an error line. */
  fetch: (target: Target) => Promise<{ json?: Json; error?: string }>;
  log: (message: string) => void;
  /**
   * Whether `reported` has `wanted` in its history (undefined: cannot tell). The controllers follow
   * main: when another commit lands while this one waits, they report the newer commit, which
   * deploys this one too. Without it, only the exact commit counts.
   */
  includes?: (reported: string, wanted: string) => Promise<boolean | undefined>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface WaitResult {
  done: boolean;
  summary: string;
  elapsedMs: number;
}

/** Polls until done or the timeout; logs each change of status, not every poll. */
export async function waitForSync(target: Target, options: WaitOptions): Promise<WaitResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  const started = now();
  let last = '';
  /** Answers of `includes`, asked once per reported commit (again after "cannot tell"). */
  const included = new Map<string, boolean>();
  for (;;) {
    const fetched = await options.fetch(target);
    let status: SyncStatus = fetched.json
      ? target.controller === 'argocd'
        ? readArgoApplication(fetched.json, target.revision)
        : readFluxKustomization(fetched.json, target.revision)
      : { done: false, summary: `kubectl: ${fetched.error ?? 'no output'}` };
    const state = fetched.json ? appliedState(target.controller, fetched.json) : undefined;
    if (!status.done && state?.healthy && options.includes) {
      for (const commit of state.commits) {
        if (!included.has(commit)) {
          const answer = await options.includes(commit, target.revision);
          if (answer !== undefined) included.set(commit, answer);
        }
        if (included.get(commit)) {
          status = {
            ...status,
            done: true,
            summary: `${status.summary}; includes ${short(target.revision)}`,
          };
          break;
        }
      }
    }
    const elapsedMs = now() - started;
    if (status.summary !== last) {
      options.log(`[${formatDuration(elapsedMs)}] ${status.summary}`);
      last = status.summary;
    }
    if (status.done) return { done: true, summary: status.summary, elapsedMs };
    if (elapsedMs + options.intervalMs > options.timeoutMs)
      return { done: false, summary: status.summary, elapsedMs };
    await sleep(options.intervalMs);
  }
}

/** `kubectl get application|kustomization NAME -n NAMESPACE -o json`. */
export async function kubectlFetch(target: Target): Promise<{ json?: Json; error?: string }> {
  const resource =
    target.controller === 'argocd'
      ? 'applications.argoproj.io'
      : 'kustomizations.kustomize.toolkit.fluxcd.io';
  try {
    const json = await kubectlJson(['get', resource, target.name], {
      namespace: target.namespace,
      kubeconfig: target.kubeconfig,
      context: target.context,
      timeoutMs: 30_000,
    });
    return { json: json as Json };
  } catch (error) {
    if (error instanceof KubectlError) return { error: error.message };
    throw error;
  }
}

/**
 * Whether commit `reported` has `wanted` in its history, from the local clone
 * (`git merge-base --is-ancestor`); undefined when the clone does not have both commits.
 */
export async function gitIncludes(
  reported: string,
  wanted: string,
  cwd = process.cwd(),
): Promise<boolean | undefined> {
  const result = await $({
    cwd,
    nothrow: true,
    quiet: true,
    timeout: '30s',
  })`git merge-base --is-ancestor ${wanted} ${reported}`;
  if (result.exitCode === 0) return true;
  if (result.exitCode === 1) return false;
  return undefined;
}

/**
 * The same question to the GitHub API (`GET /repos/{repo}/compare/{wanted}...{reported}`: `ahead`
 * or `identical` means reported contains wanted), for the shallow clone of a workflow run, which
 * lacks commits pushed after it started. Needs GITHUB_TOKEN (contents: read) and GITHUB_REPOSITORY.
 */
export async function githubIncludes(
  reported: string,
  wanted: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<boolean | undefined> {
  const token = env.GITHUB_TOKEN;
  const repository = env.GITHUB_REPOSITORY;
  if (!token || !repository) return undefined;
  const api = env.GITHUB_API_URL ?? 'https://api.github.com';
  try {
    const response = await fetch(`${api}/repos/${repository}/compare/${wanted}...${reported}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json' },
      signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { status?: string };
    return body.status === 'ahead' || body.status === 'identical';
  } catch {
    return undefined;
  }
}

async function commitIncludes(reported: string, wanted: string): Promise<boolean | undefined> {
  return (await gitIncludes(reported, wanted)) ?? (await githubIncludes(reported, wanted));
}

/** `1m05s`: a fixed-width clock for the progress log. */
function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds >= 60
    ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`
    : `${seconds}s`;
}

const DEFAULT_NAMESPACE: Record<Controller, string> = { argocd: 'argocd', flux: 'flux-system' };
const LABEL: Record<Controller, string> = { argocd: 'Argo CD Application', flux: 'Flux Kustomization' };

export const USAGE = `Usage: npm run wait-for-sync -- --controller argocd|flux --name NAME --revision SHA
       [--namespace NS] [--kubeconfig FILE] [--context NAME] [--timeout 10m] [--interval 15s]

Waits until Argo CD (Application) or Flux (Kustomization) reports the commit applied and healthy,
or a newer commit that contains it (checked with git, else the GitHub API with GITHUB_TOKEN).
Exit codes: 0 synced and healthy, 1 not within the timeout, 2 bad input.`;

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const { values } = parseCommandLine(
    {
      args: [...argv],
      options: {
        controller: { type: 'string' },
        name: { type: 'string' },
        namespace: { type: 'string' },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        revision: { type: 'string' },
        timeout: { type: 'string', default: '10m' },
        interval: { type: 'string', default: '15s' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_CLEAN;
  }
  const controller = values.controller;
  if (controller !== 'argocd' && controller !== 'flux')
    throw new ExitError(`--controller must be argocd or flux\n${USAGE}`, 2);
  const name = typeof values.name === 'string' ? values.name : '';
  const revision = typeof values.revision === 'string' ? values.revision : '';
  if (!name) throw new ExitError('--name is required', 2);
  if (!/^[0-9a-f]{7,40}$/i.test(revision)) throw new ExitError('--revision must be a commit SHA', 2);
  const target: Target = {
    controller,
    name,
    revision,
    namespace: typeof values.namespace === 'string' ? values.namespace : DEFAULT_NAMESPACE[controller],
    kubeconfig: values.kubeconfig,
    context: values.context,
  };
  const timeoutMs = parseDuration(String(values.timeout), 'timeout');
  const intervalMs = parseDuration(String(values.interval), 'interval');
  const what = `${LABEL[controller]} ${target.namespace}/${name}`;
  process.stdout.write(
    `Waiting up to ${formatDuration(timeoutMs)} for ${what} to report ${short(revision)} synced and healthy\n`,
  );
  const result = await waitForSync(target, {
    timeoutMs,
    intervalMs,
    fetch: kubectlFetch,
    includes: commitIncludes,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  const verdict = result.done
    ? `✅ ${what} reports ${short(revision)} synced and healthy after ${formatDuration(result.elapsedMs)}.`
    : `❌ ${what} did not report ${short(revision)} synced and healthy within ${formatDuration(timeoutMs)}. Last status: ${result.summary}`;
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${verdict}\n`);
  if (!result.done) throw new ExitError(verdict.replace(/^❌ /, ''), EXIT_FINDINGS);
  process.stdout.write(`${verdict}\n`);
  return EXIT_CLEAN;
}

if (isMainModule(import.meta.url)) {
  await runMain(() => main());
}
