import { existsSync } from 'node:fs';
import {
  appliedState,
  type Controller,
  eventMessagePart,
  FLUX_SOURCE_RESOURCES,
  type FluxSourceRef,
  fluxSourceRef,
  type Json,
  MAX_MESSAGE_CHARS,
  newestEventMessage,
  readArgoApplication,
  readFluxKustomization,
  readFluxSource,
  type SyncStatus,
  short,
} from './kube/gitops.js';
import { KubectlError, kubectl, kubectlJson } from './kube/kubectl.js';
import { parseCommandLine } from './lib/args.js';
import { formatDuration as formatSpan, parseDuration } from './lib/duration.js';
import { EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, ExitError } from './lib/exit-error.js';
import { isMainModule, runMain } from './lib/main.js';
import { printableLine } from './lib/printable.js';
import { runProcess } from './lib/process.js';
import { appendStepSummary, stepSummaryProblem } from './lib/step-summary.js';

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

/** What one call to the cluster (or git, or GitHub) may take: the lesser of this and the time left. */
const CALL_TIMEOUT_MS = 30_000;
/**
 * A poll is not started with less time left than this: a kubectl call cut at the deadline would
 * replace the last real status with "did not finish".
 */
const MIN_CALL_MS = 2000;
/** Longest line printed to the log, the error and the job summary. */
const MAX_LINE_CHARS = 1000;

export interface WaitOptions {
  timeoutMs: number;
  intervalMs: number;
  /**
   * Returns the object as `kubectl get -o json` prints it, or an error line, within `timeoutMs`
   * (never more than the wait has left, so a hanging kubectl cannot stretch the wait).
   */
  fetch: (target: Target, call: { timeoutMs: number }) => Promise<{ json?: Json; error?: string }>;
  log: (message: string) => void;
  /**
   * Whether `reported` has `wanted` in its history (undefined: cannot tell). The controllers follow
   * main: when another commit lands while this one waits, they report the newer commit, which
   * deploys this one too. Without it, only the exact commit counts.
   */
  includes?: (reported: string, wanted: string, timeoutMs: number) => Promise<boolean | undefined>;
  /**
   * Flux: the Kustomization's source (GitRepository …) as `kubectl get -o json` prints it, so a
   * revision that never arrives is reported in the source's words (GitOperationFailed …).
   */
  fetchSource?: (ref: FluxSourceRef, call: { timeoutMs: number }) => Promise<{ json?: Json; error?: string }>;
  /**
   * Flux: asks the controllers to reconcile the source and the Kustomization now, once, after the
   * first read; returns the line to log. Without it the wait relies on the controllers' intervals.
   */
  requestReconcile?: (
    kustomization: { name: string; namespace: string },
    source: FluxSourceRef | undefined,
    call: { timeoutMs: number },
  ) => Promise<string>;
  /**
   * Flux: the message of the newest Warning event with this reason on the Kustomization, for a
   * failure known only from its history (the Ready condition is already back to Progressing).
   */
  fetchFailureMessage?: (reason: string, call: { timeoutMs: number }) => Promise<string | undefined>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface WaitResult {
  done: boolean;
  /** The controller gave up on the wanted commit (or a newer one holding it): no point waiting on. */
  failed?: boolean;
  summary: string;
  elapsedMs: number;
}

/**
 * Polls until done or the timeout; logs each change of status, not every poll. Each call gets at
 * most the time left, and no poll starts with less than MIN_CALL_MS left, so the wait ends by
 * `timeoutMs` even when kubectl hangs.
 */
export async function waitForSync(target: Target, options: WaitOptions): Promise<WaitResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  const started = now();
  /** Each call gets at most CALL_TIMEOUT_MS and never more than the wait has left. */
  const callTimeoutMs = () => Math.min(CALL_TIMEOUT_MS, options.timeoutMs - (now() - started));
  let last = '';
  let requested = false;
  let sourcePart: string | undefined;
  /** Answers of `includes`, asked once per reported commit (again after "cannot tell"). */
  const included = new Map<string, boolean>();
  /** Whether `commit` is the wanted one or holds it (false when that cannot be told in time). */
  const holdsWanted = async (commit: string): Promise<boolean> => {
    if (sameCommitPrefix(commit, target.revision)) return true;
    if (!options.includes || callTimeoutMs() <= 0) return false;
    if (!included.has(commit)) {
      const answer = await options.includes(commit, target.revision, callTimeoutMs());
      if (answer !== undefined) included.set(commit, answer);
    }
    return included.get(commit) === true;
  };
  for (;;) {
    const fetched = await options.fetch(target, { timeoutMs: Math.max(1, callTimeoutMs()) });
    let status: SyncStatus = fetched.json
      ? target.controller === 'argocd'
        ? readArgoApplication(fetched.json, target.revision)
        : readFluxKustomization(fetched.json, target.revision)
      : {
          done: false,
          summary: `kubectl: ${printableLine(fetched.error ?? 'no output', MAX_MESSAGE_CHARS)}`,
        };
    const state = fetched.json ? appliedState(target.controller, fetched.json) : undefined;
    if (!status.done && state?.healthy && options.includes) {
      for (const commit of state.commits) {
        if (callTimeoutMs() <= 0) break;
        if (await holdsWanted(commit)) {
          status = {
            ...status,
            done: true,
            summary: `${status.summary}; includes ${short(target.revision)}`,
          };
          break;
        }
      }
    }
    const source = target.controller === 'flux' && fetched.json ? fluxSourceRef(fetched.json) : undefined;
    if (
      target.controller === 'flux' &&
      fetched.json &&
      !requested &&
      !status.done &&
      options.requestReconcile
    ) {
      requested = true;
      options.log(
        printableLine(
          await options.requestReconcile(target, source, { timeoutMs: Math.max(1, callTimeoutMs()) }),
          MAX_LINE_CHARS,
        ),
      );
    }
    if (!status.done && source && options.fetchSource) {
      // Too little time left for another call: the source's last answer still stands.
      if (callTimeoutMs() > MIN_CALL_MS) {
        const fetchedSource = await options.fetchSource(source, { timeoutMs: callTimeoutMs() });
        sourcePart = fetchedSource.json
          ? readFluxSource(fetchedSource.json, source, target.revision)
          : `source ${source.kind} ${source.namespace}/${source.name}: kubectl: ${printableLine(fetchedSource.error ?? 'no output', MAX_MESSAGE_CHARS)}`;
      }
      if (sourcePart) status = { ...status, summary: `${status.summary}; ${sourcePart}` };
    }
    const failed = !status.done && status.failedAt !== undefined && (await holdsWanted(status.failedAt));
    if (failed && status.failureWithoutMessage && options.fetchFailureMessage && callTimeoutMs() > 0) {
      const message = await options.fetchFailureMessage(status.failureWithoutMessage, {
        timeoutMs: callTimeoutMs(),
      });
      if (message) status = { ...status, summary: `${status.summary}: ${eventMessagePart(message)}` };
    }
    const elapsedMs = now() - started;
    if (status.summary !== last) {
      options.log(printableLine(`[${formatDuration(elapsedMs)}] ${status.summary}`, MAX_LINE_CHARS));
      last = status.summary;
    }
    if (status.done) return { done: true, summary: status.summary, elapsedMs };
    if (failed) return { done: false, failed: true, summary: status.summary, elapsedMs };
    if (options.timeoutMs - elapsedMs - options.intervalMs < MIN_CALL_MS)
      return { done: false, summary: status.summary, elapsedMs };
    await sleep(options.intervalMs);
  }
}

/** Whether a reported commit and the wanted revision (a SHA or its prefix) name the same commit. */
function sameCommitPrefix(commit: string, wanted: string): boolean {
  const a = commit.toLowerCase();
  const b = wanted.toLowerCase();
  return a.startsWith(b) || b.startsWith(a);
}

/** The annotation `flux reconcile` sets: the controllers reconcile an object when its value changes. */
const RECONCILE_ANNOTATION = 'reconcile.fluxcd.io/requestedAt';

/**
 * Asks Flux to reconcile the source, then the Kustomization, now (`kubectl annotate`), as
 * `flux reconcile kustomization --with-source` does. Needs `patch` on both; without it the wait
 * goes on at the controllers' intervals.
 */
export async function kubectlRequestReconcile(
  kustomization: { name: string; namespace: string; kubeconfig?: string; context?: string },
  source: FluxSourceRef | undefined,
  call: { timeoutMs: number },
): Promise<string> {
  const stamp = `${RECONCILE_ANNOTATION}=${new Date().toISOString()}`;
  const targets = [
    ...(source ? [{ resource: FLUX_SOURCE_RESOURCES[source.kind] ?? '', ...source }] : []),
    { resource: 'kustomizations.kustomize.toolkit.fluxcd.io', kind: 'Kustomization', ...kustomization },
  ];
  const asked: string[] = [];
  for (const each of targets) {
    try {
      await kubectl(['annotate', '--overwrite', each.resource, each.name, stamp], {
        namespace: each.namespace,
        kubeconfig: kustomization.kubeconfig,
        context: kustomization.context,
        timeoutMs: call.timeoutMs,
        maxOutputBytes: 64 * 1024,
      });
      asked.push(`${each.kind} ${each.namespace}/${each.name}`);
    } catch (error) {
      if (error instanceof KubectlError && error.failure === 'missing')
        throw new ExitError(printableLine(error.message, MAX_LINE_CHARS), EXIT_ERROR);
      const why = error instanceof Error ? error.message : String(error);
      return `could not ask Flux to reconcile ${each.kind} ${each.namespace}/${each.name} now (${printableLine(why, MAX_MESSAGE_CHARS)}): waiting for its interval`;
    }
  }
  return `asked Flux to reconcile ${asked.join(' and ')} now (${RECONCILE_ANNOTATION})`;
}

/** The newest Warning event with `reason` on the Kustomization (`kubectl get events`), or undefined. */
export async function kubectlFailureMessage(
  kustomization: { name: string; namespace: string; kubeconfig?: string; context?: string },
  reason: string,
  call: { timeoutMs: number },
): Promise<string | undefined> {
  const selector = [
    'involvedObject.kind=Kustomization',
    `involvedObject.name=${kustomization.name}`,
    'type=Warning',
    `reason=${reason}`,
  ].join(',');
  try {
    const events = await kubectlJson(['get', 'events', `--field-selector=${selector}`], {
      namespace: kustomization.namespace,
      kubeconfig: kustomization.kubeconfig,
      context: kustomization.context,
      timeoutMs: call.timeoutMs,
    });
    return newestEventMessage(events as Json);
  } catch (error) {
    if (error instanceof KubectlError) return undefined;
    throw error;
  }
}

/** `kubectl get <source kind> NAME -n NAMESPACE -o json`, for the Kustomization's source. */
export async function kubectlFetchSource(
  ref: FluxSourceRef,
  connection: { kubeconfig?: string; context?: string },
  call: { timeoutMs: number },
): Promise<{ json?: Json; error?: string }> {
  const resource = FLUX_SOURCE_RESOURCES[ref.kind];
  if (!resource) return { error: `unknown source kind ${ref.kind}` };
  return getObject(resource, ref.name, { namespace: ref.namespace, ...connection }, call.timeoutMs);
}

/**
 * One object as JSON; a kubectl failure is the error to report and poll past, but a kubectl that
 * cannot be started is an ExitError (exit 2) at once: polling cannot fix it.
 */
async function getObject(
  resource: string,
  name: string,
  where: { namespace: string; kubeconfig?: string; context?: string },
  timeoutMs: number,
): Promise<{ json?: Json; error?: string }> {
  try {
    const json = await kubectlJson(['get', resource, name], {
      namespace: where.namespace,
      kubeconfig: where.kubeconfig,
      context: where.context,
      timeoutMs,
    });
    return { json: json as Json };
  } catch (error) {
    if (error instanceof KubectlError && error.failure === 'missing')
      throw new ExitError(printableLine(error.message, MAX_LINE_CHARS), EXIT_ERROR);
    if (error instanceof KubectlError) return { error: error.message };
    throw error;
  }
}

/**
 * `kubectl get application|kustomization NAME -n NAMESPACE -o json`. A kubectl that cannot be
 * started is an ExitError (exit 2) at once: polling cannot fix it.
 */
export async function kubectlFetch(
  target: Target,
  call: { timeoutMs: number } = { timeoutMs: CALL_TIMEOUT_MS },
): Promise<{ json?: Json; error?: string }> {
  const resource =
    target.controller === 'argocd'
      ? 'applications.argoproj.io'
      : 'kustomizations.kustomize.toolkit.fluxcd.io';
  return getObject(resource, target.name, target, call.timeoutMs);
}

/**
 * Whether commit `reported` has `wanted` in its history, from the local clone
 * (`git merge-base --is-ancestor`); undefined when the clone does not have both commits.
 */
export async function gitIncludes(
  reported: string,
  wanted: string,
  cwd = process.cwd(),
  timeoutMs = CALL_TIMEOUT_MS,
): Promise<boolean | undefined> {
  const result = await runProcess('git', ['merge-base', '--is-ancestor', wanted, reported], {
    cwd,
    timeoutMs,
    maxOutputBytes: 64 * 1024,
  });
  if (result.code === 0) return true;
  if (result.code === 1) return false;
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
  timeoutMs = CALL_TIMEOUT_MS,
): Promise<boolean | undefined> {
  const token = env.GITHUB_TOKEN;
  const repository = env.GITHUB_REPOSITORY;
  if (!token || !repository) return undefined;
  const api = env.GITHUB_API_URL ?? 'https://api.github.com';
  try {
    const response = await fetch(`${api}/repos/${repository}/compare/${wanted}...${reported}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json' },
      signal: AbortSignal.timeout(Math.max(1, timeoutMs)),
    });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { status?: string };
    return body.status === 'ahead' || body.status === 'identical';
  } catch {
    return undefined;
  }
}

async function commitIncludes(
  reported: string,
  wanted: string,
  timeoutMs: number,
): Promise<boolean | undefined> {
  const deadline = Date.now() + timeoutMs;
  const local = await gitIncludes(reported, wanted, process.cwd(), timeoutMs);
  if (local !== undefined || Date.now() >= deadline) return local;
  return githubIncludes(reported, wanted, process.env, deadline - Date.now());
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
       [--no-reconcile-request]

Waits until Argo CD (Application) or Flux (Kustomization) reports the commit applied and healthy,
or a newer commit that contains it (checked with git, else the GitHub API with GITHUB_TOKEN).
Flux: first asks the controllers to reconcile the Kustomization and its source now (the
reconcile.fluxcd.io/requestedAt annotation, as \`flux reconcile\` sets it; needs patch on both, else
the wait relies on their intervals; --no-reconcile-request skips it), reports the source's
condition while the commit has not arrived, and stops at once (exit 1) when Flux reports the
commit, or a newer one holding it, failed (ReconciliationFailed, HealthCheckFailed, BuildFailed,
PruneFailed).
--timeout is at most 2h; --interval at least 1s. kubectl comes from PATH, or KUBECTL=/path.
Exit codes: 0 synced and healthy, 1 failed or not within the timeout, 2 bad input or no usable kubectl.`;

const MAX_TIMEOUT_MS = 2 * 3_600_000;
const MIN_INTERVAL_MS = 1000;
/** Kubernetes object names (DNS-1123 subdomain) and namespaces (DNS-1123 label). */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const HELP_HINT = '(see npm run wait-for-sync -- --help)';

/** An argument error: one line, exit 2. */
function badArgument(message: string): ExitError {
  return new ExitError(`${printableLine(message, MAX_LINE_CHARS)} ${HELP_HINT}`, EXIT_ERROR);
}

/** A value the user gave, quoted for an error message (bounded, on one line). */
const quoted = (value: string) => `'${printableLine(value, 80)}'`;

function parseArguments(argv: readonly string[]) {
  try {
    return parseCommandLine(
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
          'no-reconcile-request': { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      },
      USAGE,
    ).values;
  } catch (error) {
    // parseCommandLine puts the usage under the reason; here the reason is enough.
    if (error instanceof ExitError) throw badArgument(error.message.split('\n')[0] ?? error.message);
    throw error;
  }
}

/** A duration option within [min, max]. */
function boundedDuration(text: string, option: string, minMs: number, maxMs: number): number {
  let ms: number;
  try {
    ms = parseDuration(text, option);
  } catch (error) {
    if (error instanceof ExitError) throw badArgument(error.message);
    throw error;
  }
  if (ms < minMs || ms > maxMs) {
    throw badArgument(
      `--${option} ${quoted(text)} is out of range: use ${formatSpan(minMs)} to ${formatSpan(maxMs)}`,
    );
  }
  return ms;
}

/** The job summary line: the controller's words in a code span, so Markdown and HTML stay text. */
function summaryMarkdown(
  done: boolean,
  what: string,
  revision: string,
  elapsed: string,
  status: string,
  failed = false,
) {
  if (failed) return `❌ ${what} reports \`${short(revision)}\` failed after ${elapsed}: ${codeSpan(status)}`;
  return done
    ? `✅ ${what} reports \`${short(revision)}\` synced and healthy after ${elapsed}.`
    : `❌ ${what} did not report \`${short(revision)}\` synced and healthy within ${elapsed}. Last status: ${codeSpan(status)}`;
}

/** CommonMark inline code holding any text: a fence longer than any backtick run inside. */
function codeSpan(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const values = parseArguments(argv);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_CLEAN;
  }
  const controller = values.controller;
  if (controller !== 'argocd' && controller !== 'flux')
    throw badArgument('--controller must be argocd or flux');
  const name = values.name ?? '';
  const revision = values.revision ?? '';
  if (!name) throw badArgument('--name is required');
  // A name is passed to kubectl as an argument: one starting with '-' would be read as a flag.
  if (name.length > 253 || !OBJECT_NAME.test(name))
    throw badArgument(`--name ${quoted(name)} is not a Kubernetes object name (a-z, 0-9, '-', '.')`);
  const namespace = values.namespace ?? DEFAULT_NAMESPACE[controller];
  if (namespace.length > 63 || !NAMESPACE_NAME.test(namespace))
    throw badArgument(`--namespace ${quoted(namespace)} is not a Kubernetes namespace name (a-z, 0-9, '-')`);
  if (!/^[0-9a-f]{7,40}$/i.test(revision))
    throw badArgument('--revision must be a commit SHA (7 to 40 hex digits)');
  if (values.kubeconfig && !existsSync(values.kubeconfig))
    throw badArgument(`--kubeconfig ${quoted(values.kubeconfig)} does not exist`);
  const timeoutMs = boundedDuration(values.timeout ?? '10m', 'timeout', 1000, MAX_TIMEOUT_MS);
  const intervalMs = boundedDuration(values.interval ?? '15s', 'interval', MIN_INTERVAL_MS, MAX_TIMEOUT_MS);
  // A summary that cannot be written is known now, not after the whole wait.
  const summaryFile = process.env.GITHUB_STEP_SUMMARY;
  const summaryProblem = summaryFile ? stepSummaryProblem(summaryFile) : undefined;
  if (summaryFile && summaryProblem) {
    throw new ExitError(
      printableLine(
        `GITHUB_STEP_SUMMARY=${summaryFile} ${summaryProblem}: cannot write the job summary`,
        MAX_LINE_CHARS,
      ),
      EXIT_ERROR,
    );
  }
  const target: Target = {
    controller,
    name,
    revision,
    namespace,
    kubeconfig: values.kubeconfig,
    context: values.context,
  };
  const what = `${LABEL[controller]} ${target.namespace}/${name}`;
  const say = (line: string) => process.stdout.write(`${printableLine(line, MAX_LINE_CHARS)}\n`);
  say(
    `Waiting up to ${formatDuration(timeoutMs)} for ${what} to report ${short(revision)} synced and healthy`,
  );
  const connection = { kubeconfig: target.kubeconfig, context: target.context };
  const result = await waitForSync(target, {
    timeoutMs,
    intervalMs,
    fetch: kubectlFetch,
    includes: commitIncludes,
    fetchSource: (ref, call) => kubectlFetchSource(ref, connection, call),
    fetchFailureMessage: (reason, call) => kubectlFailureMessage({ ...target, ...connection }, reason, call),
    requestReconcile: values['no-reconcile-request']
      ? undefined
      : (kustomization, source, call) =>
          kubectlRequestReconcile({ ...kustomization, ...connection }, source, call),
    log: say,
  });
  const elapsed = formatDuration(result.done || result.failed ? result.elapsedMs : timeoutMs);
  if (summaryFile) {
    appendStepSummary(
      summaryFile,
      summaryMarkdown(result.done, what, revision, elapsed, result.summary, result.failed === true),
    );
  }
  if (result.failed) {
    throw new ExitError(
      printableLine(
        `${what} reports ${short(revision)} failed after ${elapsed}: ${result.summary}`,
        MAX_LINE_CHARS,
      ),
      EXIT_FINDINGS,
    );
  }
  if (!result.done) {
    throw new ExitError(
      printableLine(
        `${what} did not report ${short(revision)} synced and healthy within ${elapsed}. Last status: ${result.summary}`,
        MAX_LINE_CHARS,
      ),
      EXIT_FINDINGS,
    );
  }
  say(`✅ ${what} reports ${short(revision)} synced and healthy after ${elapsed}.`);
  return EXIT_CLEAN;
}

if (isMainModule(import.meta.url)) {
  await runMain(() => main());
}
