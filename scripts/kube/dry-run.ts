import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopWithThisProcess } from '../lib/exit-cleanup.js';
import { ExitError } from '../lib/exit-error.js';
import { pollUntil, sleep } from '../lib/poll.js';
import { processAlive, startDaemon, stopProcess } from '../lib/process.js';
import { FIELD_MANAGER } from './apply.js';
import { field, list, text } from './json.js';

/**
 * Server-side-apply dry runs against a real API server, one HTTP request per object.
 *
 * The requests go through `kubectl proxy`, which handles every kind of credential a kubeconfig
 * can hold (client certificates, tokens, exec plugins such as kubelogin). It listens on a Unix
 * socket in a private 0700 directory, so no other local user can borrow the credentials the way
 * they could through a TCP port on 127.0.0.1. Objects are never printed: errors made here name an
 * object by kind, namespace and name only.
 */

export interface DryRunCause {
  field?: string;
  message: string;
  reason?: string;
}

export type DryRunOutcome =
  | { kind: 'accepted'; warnings: string[] }
  | {
      kind: 'rejected';
      code: number;
      reason?: string;
      message: string;
      causes: DryRunCause[];
      warnings: string[];
      /** True when the object was refused before any request (no apiVersion, kind or usable name). */
      local?: true;
    }
  | { kind: 'not-served'; message: string };

export interface DryRunSession {
  /**
   * Server-side apply, dryRun=All, fieldManager=triage-gitops, force=true, one request per object,
   * bounded concurrency; one rejection never hides another; outcomes parallel to `objects`. An
   * HTTP answer of any status is an outcome; no answer at all (timeout, proxy gone) throws an
   * ExitError, since then no object can be judged.
   */
  dryRun(objects: readonly Record<string, unknown>[]): Promise<DryRunOutcome[]>;
  /**
   * Creates the namespaces for real if missing (only allowed when the session is mutable; throws
   * otherwise), each with its `default` ServiceAccount, as kube-controller-manager would.
   */
  ensureNamespaces(names: readonly string[]): Promise<void>;
  /** Creates/updates CustomResourceDefinitions for real and waits until they are Established (mutable only). */
  applyCrds(crds: readonly Record<string, unknown>[]): Promise<void>;
  /** Stops the kubectl proxy this session started (by PID) and removes its directory. Idempotent. */
  close(): Promise<void>;
  /** The PID of the session's `kubectl proxy`. */
  readonly proxyPid?: number;
}

export interface DryRunTarget {
  kubeconfig: string;
  context?: string;
  /** True when the server is ours to change (namespaces and CRDs may be created for real). */
  mutable: boolean;
}

export interface DryRunSessionOptions {
  /** Deadline of each request, and of the proxy's start (default 30 s). */
  timeoutMs?: number;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** The server's field validation (default Strict, as `kubectl apply --server-side` and deploy use). */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  /** The kubectl to run (default KUBECTL, else `kubectl` on PATH). */
  kubectl?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_CONCURRENCY = 8;
/** Error bodies are Kubernetes Status objects of a few KiB; more than this is not read. */
const MAX_ERROR_BODY_BYTES = 1024 * 1024;
/** Discovery documents list resources; a cluster with many CRDs still stays well under this. */
const MAX_DISCOVERY_BYTES = 8 * 1024 * 1024;
const MAX_WARNINGS = 50;
const MAX_WARNING_CHARS = 2000;
const MAX_CAUSES = 100;
const CRD_API = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

// ---------------------------------------------------------------------------------------------
// HTTP through the proxy's socket

interface Answer {
  status: number;
  /** The body, when it was asked for (up to the cap). */
  body: string;
  truncated: boolean;
  warnings: string[];
}

/** Raised when the server gave no answer at all (not an HTTP error status). */
class NoAnswer extends Error {}

/** `299 - "text"` values of the Warning headers (RFC 7234 warn-text, quotes escaped with `\`). */
export function parseWarningHeaders(rawHeaders: readonly string[]): string[] {
  const warnings: string[] = [];
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    if (rawHeaders[index]?.toLowerCase() !== 'warning') continue;
    const value = rawHeaders[index + 1] ?? '';
    const quoted = [...value.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)].map((match) =>
      (match[1] ?? '').replace(/\\(.)/g, '$1'),
    );
    for (const text of quoted.length > 0 ? quoted : [value.trim()]) {
      if (warnings.length < MAX_WARNINGS) warnings.push(text.slice(0, MAX_WARNING_CHARS));
    }
  }
  return warnings;
}

interface HttpClient {
  send(
    method: string,
    path: string,
    options: { body?: string; contentType?: string; keepBody: (status: number) => number },
  ): Promise<Answer>;
  destroy(): void;
}

function httpClient(socketPath: string, timeoutMs: number, concurrency: number): HttpClient {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  return {
    send: (method, path, options) =>
      new Promise((resolve, reject) => {
        const headers: Record<string, string | number> = { Accept: 'application/json' };
        if (options.body !== undefined) {
          headers['Content-Type'] = options.contentType ?? 'application/json';
          headers['Content-Length'] = Buffer.byteLength(options.body);
        }
        const call = request({ socketPath, agent, method, path, headers, maxHeaderSize: 256 * 1024 });
        const timer = setTimeout(
          () => call.destroy(new NoAnswer(`no answer within ${timeoutMs / 1000} s`)),
          timeoutMs,
        );
        call.on('response', (response) => {
          const status = response.statusCode ?? 0;
          // A dry run's 2xx body echoes the whole object (a Secret's data too): never kept.
          const cap = options.keepBody(status);
          const chunks: Buffer[] = [];
          let size = 0;
          let truncated = false;
          response.on('data', (chunk: Buffer) => {
            if (size + chunk.length > cap) {
              truncated = true;
              if (cap > 0 && size < cap) chunks.push(chunk.subarray(0, cap - size));
              size = cap;
              return;
            }
            size += chunk.length;
            if (cap > 0) chunks.push(chunk);
          });
          let ended = false;
          response.on('end', () => {
            ended = true;
            clearTimeout(timer);
            resolve({
              status,
              body: Buffer.concat(chunks).toString('utf8'),
              truncated: truncated && cap > 0,
              warnings: parseWarningHeaders(response.rawHeaders),
            });
          });
          response.on('close', () => {
            clearTimeout(timer);
            if (!ended) reject(new NoAnswer('the connection closed before the answer ended'));
          });
          response.on('error', (error) => {
            clearTimeout(timer);
            reject(error instanceof NoAnswer ? error : new NoAnswer(error.message));
          });
        });
        call.on('error', (error) => {
          clearTimeout(timer);
          reject(error instanceof NoAnswer ? error : new NoAnswer(error.message));
        });
        call.end(options.body);
      }),
    destroy: () => agent.destroy(),
  };
}

// ---------------------------------------------------------------------------------------------
// Kubernetes Status answers

interface StatusFailure {
  reason?: string;
  message: string;
  causes: DryRunCause[];
}

/** A 200 answer's JSON; anything else from the server is a tool error, named by its path. */
function parseJson(body: string, path: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new ExitError(`the API server answered ${path} with something other than JSON`);
  }
}

function isStatus(body: string): boolean {
  try {
    return text(JSON.parse(body), 'kind') === 'Status';
  } catch {
    return false;
  }
}

/**
 * Server-side apply reports type errors and unknown fields as one message without causes:
 * `failed to create typed patch object (ns/name; apps/v1, Kind=Deployment): .spec.x: field not
 * declared in schema`, or `…: errors:\n  .a: …\n  .b: …`. Each becomes a cause with its field
 * (structured-merge-diff's path: list items by key, `containers[name="c"]`).
 */
export function typedPatchCauses(message: string): DryRunCause[] {
  const match = /^failed to create typed patch object \([^)]*\): ([\s\S]*)$/.exec(message);
  if (!match?.[1]) return [];
  const rest = match[1].trim();
  const lines = rest.startsWith('errors:') ? rest.slice('errors:'.length).split('\n') : [rest];
  return lines
    .map((line) => /^\.(\S.*?): (.+)$/.exec(line.trim()))
    .filter((each): each is RegExpExecArray => each !== null)
    .slice(0, MAX_CAUSES)
    .map((each) => ({ field: each[1] as string, message: each[2] as string }));
}

/** The server's Status object (`{code, reason, message, details.causes}`), or the body's first line. */
export function readStatus(status: number, body: string, truncated = false): StatusFailure {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (text(parsed, 'kind') === 'Status') {
    const causes = list(parsed, 'details', 'causes')
      .slice(0, MAX_CAUSES)
      .map((cause): DryRunCause => {
        const each: DryRunCause = { message: text(cause, 'message') ?? '' };
        const path = text(cause, 'field');
        const reason = text(cause, 'reason');
        if (path) each.field = path;
        if (reason) each.reason = reason;
        return each;
      });
    const message = text(parsed, 'message') || `HTTP ${status}`;
    return {
      reason: text(parsed, 'reason') || undefined,
      message,
      causes: causes.length > 0 ? causes : typedPatchCauses(message),
    };
  }
  const line = body.trim().split('\n')[0]?.trim().slice(0, 500);
  return {
    message: truncated
      ? `HTTP ${status}: the answer was larger than ${MAX_ERROR_BODY_BYTES / (1024 * 1024)} MiB and was not read`
      : line
        ? `HTTP ${status}: ${line}`
        : `HTTP ${status} without a message`,
    causes: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Discovery: apiVersion/kind → resource path, once per session

interface Resource {
  plural: string;
  namespaced: boolean;
}

type GroupVersionAnswer =
  | { served: true; kinds: Map<string, Resource> }
  | { served: false; message: string }
  | { failed: StatusFailure & { code: number } };

function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

class Discovery {
  private servedVersions?: Promise<Set<string>>;
  private readonly groupVersions = new Map<string, Promise<GroupVersionAnswer>>();

  constructor(private readonly get: (path: string) => Promise<Answer>) {}

  /** Forget what was learned (after CRDs were applied). */
  reset(): void {
    this.servedVersions = undefined;
    this.groupVersions.clear();
  }

  private async readJson(path: string): Promise<unknown> {
    const answer = await this.get(path);
    if (answer.status !== 200 || answer.truncated) {
      const failure = readStatus(answer.status, answer.body, answer.truncated);
      throw new ExitError(`the API server's discovery (${path}) failed: ${failure.message}`);
    }
    return parseJson(answer.body, path);
  }

  /** Every group/version the server lists (from /api and /apis): the only ones asked about later. */
  private served(): Promise<Set<string>> {
    this.servedVersions ??= (async () => {
      const [core, groups] = await Promise.all([this.readJson('/api'), this.readJson('/apis')]);
      const versions = new Set(list(core, 'versions').filter((each) => typeof each === 'string'));
      for (const group of list(groups, 'groups')) {
        for (const version of list(group, 'versions')) {
          const name = text(version, 'groupVersion');
          if (name) versions.add(name);
        }
      }
      return versions as Set<string>;
    })();
    // A failed discovery is not cached: the next call asks again.
    this.servedVersions.catch(() => {
      this.servedVersions = undefined;
    });
    return this.servedVersions;
  }

  lookup(apiVersion: string): Promise<GroupVersionAnswer> {
    let answer = this.groupVersions.get(apiVersion);
    if (!answer) {
      answer = this.fetchGroupVersion(apiVersion);
      this.groupVersions.set(apiVersion, answer);
      answer.catch(() => this.groupVersions.delete(apiVersion));
    }
    return answer;
  }

  private async fetchGroupVersion(apiVersion: string): Promise<GroupVersionAnswer> {
    if (!(await this.served()).has(apiVersion)) {
      return { served: false, message: `the server does not serve the API ${apiVersion}` };
    }
    const answer = await this.get(groupVersionPath(apiVersion));
    if (answer.status === 404) {
      return { served: false, message: `the server does not serve the API ${apiVersion}` };
    }
    if (answer.status !== 200 || answer.truncated) {
      const failure = readStatus(answer.status, answer.body, answer.truncated);
      return {
        failed: {
          ...failure,
          code: answer.status,
          message: `discovery of ${apiVersion}: ${failure.message}`,
        },
      };
    }
    const kinds = new Map<string, Resource>();
    for (const resource of list(parseJson(answer.body, groupVersionPath(apiVersion)), 'resources')) {
      const plural = text(resource, 'name');
      const kind = text(resource, 'kind');
      // `pods/status` and the like are subresources, not where an object is applied.
      if (!plural || !kind || plural.includes('/') || kinds.has(kind)) continue;
      kinds.set(kind, { plural, namespaced: field(resource, 'namespaced') === true });
    }
    return { served: true, kinds };
  }
}

// ---------------------------------------------------------------------------------------------
// Objects → requests

/** A name the API server accepts in a URL path (its IsValidPathSegmentName). */
function pathSegmentProblem(name: string): string | undefined {
  if (name === '.' || name === '..') return `may not be '${name}'`;
  if (name.includes('/') || name.includes('%')) return "may not contain '/' or '%'";
  return undefined;
}

function localRejection(message: string, path: string, detail: string): DryRunOutcome {
  return {
    kind: 'rejected',
    code: 400,
    reason: 'BadRequest',
    message,
    causes: [{ field: path, message: detail }],
    warnings: [],
    local: true,
  };
}

/** `Deployment triage/api`: how errors made here name an object, never with its content. */
function describe(object: Record<string, unknown>): string {
  const kind = text(object, 'kind') ?? 'object';
  const name = text(object, 'metadata', 'name') ?? '(no name)';
  const namespace = text(object, 'metadata', 'namespace');
  return `${kind} ${namespace ? `${namespace}/` : ''}${name}`;
}

type Addressed = { path: string } | { outcome: DryRunOutcome };

async function address(discovery: Discovery, object: Record<string, unknown>): Promise<Addressed> {
  const apiVersion = text(object, 'apiVersion');
  const kind = text(object, 'kind');
  if (!apiVersion)
    return { outcome: localRejection('apiVersion: Required value', 'apiVersion', 'Required value') };
  if (!kind) return { outcome: localRejection('kind: Required value', 'kind', 'Required value') };
  const name = text(object, 'metadata', 'name');
  if (!name) {
    const detail = 'Required value: server-side apply needs a name (generateName is not enough)';
    return { outcome: localRejection(`metadata.name: ${detail}`, 'metadata.name', detail) };
  }
  const nameProblem = pathSegmentProblem(name);
  if (nameProblem) {
    return {
      outcome: localRejection(`metadata.name: Invalid value: ${nameProblem}`, 'metadata.name', nameProblem),
    };
  }
  const group = await discovery.lookup(apiVersion);
  if ('failed' in group) {
    return { outcome: { kind: 'rejected', ...group.failed, warnings: [] } };
  }
  if (!group.served) return { outcome: { kind: 'not-served', message: group.message } };
  const resource = group.kinds.get(kind);
  if (!resource) {
    return {
      outcome: { kind: 'not-served', message: `the server serves ${apiVersion} but no kind ${kind} in it` },
    };
  }
  const base = groupVersionPath(apiVersion);
  const encodedName = encodeURIComponent(name);
  if (!resource.namespaced) return { path: `${base}/${resource.plural}/${encodedName}` };
  // As kubectl does: a namespaced object without a namespace goes to `default`.
  const namespace = text(object, 'metadata', 'namespace') || 'default';
  const namespaceProblem = pathSegmentProblem(namespace);
  if (namespaceProblem) {
    return {
      outcome: localRejection(
        `metadata.namespace: Invalid value: ${namespaceProblem}`,
        'metadata.namespace',
        namespaceProblem,
      ),
    };
  }
  return {
    path: `${base}/namespaces/${encodeURIComponent(namespace)}/${resource.plural}/${encodedName}`,
  };
}

/** Runs `work` over `items`, at most `limit` at once, results in input order; stops taking work after a throw. */
async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index] as T);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

// ---------------------------------------------------------------------------------------------
// The proxy

function kubectlNamed(command: string): string {
  return command === 'kubectl' ? 'kubectl' : `kubectl (${command})`;
}

async function startProxy(
  command: string,
  target: DryRunTarget,
  dir: string,
): Promise<{ pid: number; socket: string; log: string }> {
  const socket = join(dir, 'proxy.sock');
  const log = join(dir, 'proxy.log');
  // Unix socket paths are limited to 107 bytes.
  if (Buffer.byteLength(socket) > 100) {
    throw new ExitError(
      `the temporary directory path is too long for a Unix socket (${socket}): set TMPDIR shorter`,
    );
  }
  const args = [
    'proxy',
    `--unix-socket=${socket}`,
    `--kubeconfig=${target.kubeconfig}`,
    ...(target.context ? [`--context=${target.context}`] : []),
  ];
  try {
    return { pid: await startDaemon(command, args, { logFile: log, cwd: dir }), socket, log };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new ExitError(
        `${kubectlNamed(command)} was not found: the server dry run talks to the API server through ` +
          '`kubectl proxy`; install kubectl (https://kubernetes.io/docs/tasks/tools/) or set KUBECTL to its path',
      );
    }
    throw new ExitError(
      `${kubectlNamed(command)} could not be started (${code ?? (error as Error).message}): ` +
        'install kubectl or set KUBECTL to its path',
    );
  }
}

/** kubectl's own error line from the proxy's log (`error: context "x" does not exist`). */
function proxyError(logFile: string): string {
  try {
    const lines = readFileSync(logFile, 'utf8').trim().split('\n');
    const line = lines.find((each) => /^error/i.test(each.trim())) ?? lines.at(-1) ?? '';
    return line.trim().slice(0, 500) || 'no message';
  } catch {
    return 'no message';
  }
}

// ---------------------------------------------------------------------------------------------
// The session

export async function openDryRunSession(
  target: DryRunTarget,
  options: DryRunSessionOptions = {},
): Promise<DryRunSession> {
  try {
    return await openSessionOnce(target, options);
  } catch (error) {
    // A kubectl proxy that ended before serving without a word (seen once in CI under load, not
    // reproduced): started once more; a proxy that says why (a bad context) fails at once.
    if (!(error instanceof ExitError) || !/^kubectl proxy for .* failed: no message$/.test(error.message))
      throw error;
    return openSessionOnce(target, options);
  }
}

async function openSessionOnce(target: DryRunTarget, options: DryRunSessionOptions): Promise<DryRunSession> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const fieldValidation = options.fieldValidation ?? 'Strict';
  const command = options.kubectl ?? process.env.KUBECTL ?? 'kubectl';
  if (!existsSync(target.kubeconfig)) {
    throw new ExitError(`the kubeconfig ${target.kubeconfig} does not exist`);
  }
  const where = `the API server of ${target.kubeconfig}${target.context ? ` (context ${target.context})` : ''}`;

  const dir = mkdtempSync(join(tmpdir(), 'triage-dry-run-'));
  let proxy: { pid: number; socket: string; log: string };
  try {
    proxy = await startProxy(command, target, dir);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const unregister = stopWithThisProcess(proxy.pid, dir);
  const client = httpClient(proxy.socket, timeoutMs, concurrency);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    client.destroy();
    await stopProcess(proxy.pid, 2000);
    unregister();
    rmSync(dir, { recursive: true, force: true });
  };

  /** One request; no answer at all becomes an ExitError naming what it was for. */
  const send = async (
    what: string,
    method: string,
    path: string,
    options: Parameters<HttpClient['send']>[2],
  ): Promise<Answer> => {
    if (closed) throw new ExitError(`${what}: the dry-run session is closed`);
    try {
      const answer = await client.send(method, path, options);
      // kubectl proxy's own failure (`dial tcp …: connection refused`) is a 5xx in plain text; the
      // API server's own errors are Status objects.
      if (answer.status >= 500 && !isStatus(answer.body)) {
        throw new NoAnswer(readStatus(answer.status, answer.body, answer.truncated).message);
      }
      return answer;
    } catch (error) {
      if (!(error instanceof NoAnswer)) throw error;
      const reason = processAlive(proxy.pid)
        ? error.message
        : `kubectl proxy exited: ${proxyError(proxy.log)}`;
      throw new ExitError(`${what}: ${where} did not answer (${reason})`);
    }
  };
  const get = (path: string) => send(`GET ${path}`, 'GET', path, { keepBody: () => MAX_DISCOVERY_BYTES });

  try {
    // Wait until the proxy serves and the credentials work: /api needs an authenticated user.
    const deadline = Date.now() + timeoutMs;
    const first = await pollUntil(
      async (): Promise<Answer | { waiting: string } | { exited: string }> => {
        if (!processAlive(proxy.pid)) return { exited: proxyError(proxy.log) };
        if (!existsSync(proxy.socket)) return { waiting: 'kubectl proxy has not opened its socket' };
        try {
          return await client.send('GET', '/api', { keepBody: () => MAX_DISCOVERY_BYTES });
        } catch (error) {
          return { waiting: (error as Error).message };
        }
      },
      (answer) => !('waiting' in answer) || Date.now() >= deadline,
      { timeoutMs, intervalMs: 50 },
    );
    if ('exited' in first) throw new ExitError(`kubectl proxy for ${where} failed: ${first.exited}`);
    if ('waiting' in first) {
      throw new ExitError(`${where} did not answer within ${timeoutMs / 1000} s (${first.waiting})`);
    }
    if (first.status === 401 || first.status === 403) {
      throw new ExitError(`${where} refused the kubeconfig's credentials (HTTP ${first.status})`);
    }
    if (first.status >= 500 && !isStatus(first.body)) {
      throw new ExitError(`${where} did not answer (${readStatus(first.status, first.body).message})`);
    }
    if (first.status !== 200) {
      throw new ExitError(`${where} answered ${readStatus(first.status, first.body).message}`);
    }
  } catch (error) {
    await close();
    throw error;
  }

  const discovery = new Discovery(get);
  const query = (dryRun: boolean) =>
    `?${dryRun ? 'dryRun=All&' : ''}fieldManager=${FIELD_MANAGER}&force=true&fieldValidation=${fieldValidation}`;

  const dryRunOne = async (object: Record<string, unknown>): Promise<DryRunOutcome> => {
    const addressed = await address(discovery, object);
    if ('outcome' in addressed) return addressed.outcome;
    const answer = await send(`the dry run of ${describe(object)}`, 'PATCH', addressed.path + query(true), {
      // JSON is YAML: the apply patch content type takes it as it is.
      body: JSON.stringify(object),
      contentType: 'application/apply-patch+yaml',
      keepBody: (status) => (status >= 200 && status < 300 ? 0 : MAX_ERROR_BODY_BYTES),
    });
    if (answer.status >= 200 && answer.status < 300) return { kind: 'accepted', warnings: answer.warnings };
    return {
      kind: 'rejected',
      code: answer.status,
      ...readStatus(answer.status, answer.body, answer.truncated),
      warnings: answer.warnings,
    };
  };

  const requireMutable = (what: string) => {
    if (!target.mutable) {
      throw new ExitError(
        `${what} is not allowed: ${where} is not ours to change (the session is read-only)`,
      );
    }
  };

  /** GET, and POST when it is not there; 409 (made meanwhile by someone else) is what was wanted. */
  const ensureObject = async (
    what: string,
    collection: string,
    name: string,
    body: Record<string, unknown>,
  ) => {
    const found = await send(`reading ${what}`, 'GET', `${collection}/${encodeURIComponent(name)}`, {
      keepBody: () => MAX_ERROR_BODY_BYTES,
    });
    if (found.status === 200) return;
    if (found.status !== 404) {
      throw new ExitError(`could not read ${what}: ${readStatus(found.status, found.body).message}`);
    }
    const created = await send(`creating ${what}`, 'POST', `${collection}?fieldManager=${FIELD_MANAGER}`, {
      body: JSON.stringify(body),
      keepBody: () => MAX_ERROR_BODY_BYTES,
    });
    if ((created.status >= 200 && created.status < 300) || created.status === 409) return;
    throw new ExitError(`could not create ${what}: ${readStatus(created.status, created.body).message}`);
  };

  const ensureNamespace = async (name: string) => {
    const problem = name ? pathSegmentProblem(name) : 'empty';
    if (problem) throw new ExitError(`the namespace name "${name}" is not valid: ${problem}`);
    await ensureObject(`namespace ${name}`, '/api/v1/namespaces', name, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    });
    // What kube-controller-manager adds to every namespace within a second: without it, the
    // ServiceAccount admission refuses every Pod there (a private API server has no controllers).
    await ensureObject(
      `service account ${name}/default`,
      `/api/v1/namespaces/${encodeURIComponent(name)}/serviceaccounts`,
      'default',
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: name } },
    );
  };

  const applyCrd = async (crd: Record<string, unknown>, index: number): Promise<string> => {
    const name = text(crd, 'metadata', 'name');
    if (
      text(crd, 'apiVersion') !== 'apiextensions.k8s.io/v1' ||
      text(crd, 'kind') !== 'CustomResourceDefinition' ||
      !name ||
      pathSegmentProblem(name)
    ) {
      throw new ExitError(
        `applyCrds: item ${index} (${describe(crd)}) is not an apiextensions.k8s.io/v1 CustomResourceDefinition with a valid name`,
      );
    }
    const answer = await send(`applying CRD ${name}`, 'PATCH', `${CRD_API}/${name}${query(false)}`, {
      body: JSON.stringify(crd),
      contentType: 'application/apply-patch+yaml',
      keepBody: (status) => (status >= 200 && status < 300 ? 0 : MAX_ERROR_BODY_BYTES),
    });
    if (answer.status < 200 || answer.status >= 300) {
      throw new ExitError(
        `the CustomResourceDefinition ${name} was rejected: ${readStatus(answer.status, answer.body, answer.truncated).message}`,
      );
    }
    return name;
  };

  /** Established=True, or why not (NamesAccepted=False is final: a name clash). */
  const crdCondition = async (
    name: string,
  ): Promise<'established' | { pending: string } | { failed: string }> => {
    const answer = await get(`${CRD_API}/${name}`);
    if (answer.status !== 200) return { pending: readStatus(answer.status, answer.body).message };
    const conditions = list(parseJson(answer.body, `${CRD_API}/${name}`), 'status', 'conditions');
    const condition = (type: string) => conditions.find((each) => text(each, 'type') === type);
    if (text(condition('Established'), 'status') === 'True') return 'established';
    const names = condition('NamesAccepted');
    if (text(names, 'status') === 'False') {
      return { failed: `${text(names, 'reason') ?? 'NamesNotAccepted'}: ${text(names, 'message') ?? ''}` };
    }
    return { pending: 'not Established yet' };
  };

  const waitEstablished = async (name: string, deadline: number) => {
    for (;;) {
      const state = await crdCondition(name);
      if (state === 'established') return;
      if ('failed' in state)
        throw new ExitError(`the CustomResourceDefinition ${name} was not accepted: ${state.failed}`);
      if (Date.now() >= deadline) {
        throw new ExitError(
          `the CustomResourceDefinition ${name} was not Established within ${timeoutMs / 1000} s (${state.pending})`,
        );
      }
      await sleep(100);
    }
  };

  /** Discovery lags Established a little: wait until each served version lists its kind. */
  const waitDiscovered = async (crds: readonly Record<string, unknown>[], deadline: number) => {
    for (const crd of crds) {
      const group = text(crd, 'spec', 'group');
      const kind = text(crd, 'spec', 'names', 'kind');
      const versions = list(crd, 'spec', 'versions')
        .filter((version) => field(version, 'served') !== false)
        .map((version) => text(version, 'name'))
        .filter((version): version is string => Boolean(version));
      for (const version of versions) {
        for (;;) {
          discovery.reset();
          const answer = await discovery.lookup(`${group}/${version}`);
          if ('served' in answer && answer.served && kind && answer.kinds.has(kind)) break;
          if (Date.now() >= deadline) {
            throw new ExitError(
              `the API server does not serve ${kind} (${group}/${version}) after its CRD was applied`,
            );
          }
          await sleep(100);
        }
      }
    }
    discovery.reset();
  };

  return {
    async dryRun(objects) {
      if (closed) throw new ExitError('the dry-run session is closed');
      return mapBounded(objects, concurrency, dryRunOne);
    },
    async ensureNamespaces(names) {
      requireMutable('creating namespaces');
      await mapBounded([...new Set(names)], concurrency, ensureNamespace);
    },
    async applyCrds(crds) {
      requireMutable('applying CustomResourceDefinitions');
      const names = await mapBounded(
        crds.map((crd, index) => ({ crd, index })),
        concurrency,
        ({ crd, index }) => applyCrd(crd, index),
      );
      const deadline = Date.now() + timeoutMs;
      await mapBounded(names, concurrency, (name) => waitEstablished(name, deadline));
      await waitDiscovered(crds, deadline);
    },
    close,
    proxyPid: proxy.pid,
  };
}
