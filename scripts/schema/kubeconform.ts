/**
 * The schema stage: every object of a rendered overlay checked by kubeconform -strict against the
 * Kubernetes schemas (offline copy from kubernetes-validate, see docs/schemas.md) and the repository's CRD
 * schemas. One kubeconform process per overlay.
 *
 * Document index: kubeconform reads a stream in parallel workers and reports neither the document's
 * position nor its namespace, so results from stdin could only be matched back by (kind, name), which is
 * ambiguous. Instead each document is written to its own file named by its index (`00003.yaml`) and the
 * index is read back from the file name kubeconform reports. The index counts the non-empty documents of
 * the stream, as `Resource.index` does in scripts/render/parse.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { formatPath, type JsonValue } from '../core/resource.js';
import { EXIT_ERROR, ExitError } from '../lib/exit-error.js';
import { findOnPath, isExecutable, runProcess } from '../lib/process.js';
import { forgetAtSnapshotStart } from '../lib/startup-snapshot.js';
import { fromValidationErrors, hideSchemaKeys, parseValidationMessage, type SchemaError } from './errors.js';
import {
  CRD_SCHEMA_TEMPLATE,
  DEFAULT_KUBERNETES_VERSION,
  ENV,
  isOnline,
  normalizeKubernetesVersion,
  PATHS,
  PINS,
  REPO_ROOT,
  resolveSchemaLocations,
} from './settings.js';

export type { SchemaError } from './errors.js';

export type SchemaStatus = 'valid' | 'invalid' | 'error' | 'skipped';

export interface SchemaResult {
  /** Index of the object among the non-empty documents of the rendered stream, 0-based. */
  index: number;
  kind: string;
  name: string;
  status: SchemaStatus;
  /** Empty when valid; otherwise one line a person can act on. */
  message: string;
  /** One entry per offending field (invalid only); `path` is parsed from kubeconform's JSON pointer. */
  errors: SchemaError[];
}

export interface CheckSchemasOptions {
  /** Kubernetes version to validate against, e.g. `1.33.0`; default TRIAGE_KUBERNETES_VERSION or pins.json. */
  kubernetesVersion?: string;
  /** Locations of the Kubernetes schemas (kubeconform -schema-location values); default TRIAGE_SCHEMA_LOCATION, then `.cache/schemas/kubernetes`. The repository's CRD schemas are always added after them. */
  schemaLocations?: string[];
  /** Also use kubeconform's default online location and the datreeio CRD catalogue; default TRIAGE_SCHEMA_ONLINE=1. */
  online?: boolean;
  /** Path to kubeconform; default findKubeconform(). */
  binary?: string;
  /** Default 60 s. */
  timeoutMs?: number;
  /** Repository root, against which relative locations resolve; default this repository. */
  cwd?: string;
  /** kubeconform -n; default 1 (see the call). */
  workers?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;
/** kubeconform's JSON report, read back from its file: 1,000 objects make about 150 KB. */
const MAX_REPORT_BYTES = 64 * 1024 * 1024;
const SETUP_HINT = 'run `npm run setup` (installs it into .tools/bin)';

interface KubeconformResource {
  filename: string;
  kind: string;
  name: string;
  version: string;
  status: string;
  msg: string;
  validationErrors?: { path: string; msg: string }[];
}

interface SplitDocument {
  index: number;
  text: string;
  body: JsonValue | undefined;
  kind: string;
  name: string;
}

const STATUS: Record<string, SchemaStatus | undefined> = {
  statusValid: 'valid',
  statusInvalid: 'invalid',
  statusError: 'error',
  statusSkipped: 'skipped',
};

/** Validates every object of a rendered overlay; kubeconform finding problems is a result, not an error. */
export function checkSchemas(renderedYaml: string, opts: CheckSchemasOptions = {}): Promise<SchemaResult[]> {
  return checkDocuments(splitDocuments(renderedYaml), opts);
}

/** A document already split and parsed by the caller (validate parses the rendered stream once). */
export interface SchemaDocument {
  text: string;
  body: JsonValue | undefined;
  kind: string;
  name: string;
}

/** What every kubeconform run of one check shares: the binary, its arguments, where schemas are looked up. */
interface RunPlan {
  binary: string;
  args: string[];
  /** The -schema-location values, in order (a tree's CRD location goes first when it has one). */
  locations: string[];
  kubernetesVersion: string;
  online: boolean;
  cwd: string;
  timeoutMs: number;
}

/** The run for these options; an ExitError when the schemas are missing. */
function planRun(opts: CheckSchemasOptions, binary: string): RunPlan {
  const cwd = opts.cwd ?? REPO_ROOT;
  const kubernetesVersion = normalizeKubernetesVersion(
    opts.kubernetesVersion ?? process.env[ENV.kubernetesVersion] ?? DEFAULT_KUBERNETES_VERSION,
  );
  const online = opts.online ?? isOnline();
  const resolved = resolveSchemaLocations({
    cwd,
    kubernetesVersion,
    schemaLocations: opts.schemaLocations,
    online,
  });
  if ('missing' in resolved) {
    throw new ExitError(
      `no Kubernetes ${kubernetesVersion} schemas at ${relative(cwd, resolved.missing)}: run \`npm run setup\` ` +
        `(TRIAGE_KUBERNETES_VERSION=${kubernetesVersion} npm run setup for another version), point ` +
        `${ENV.schemaLocation} at a schema copy, or allow downloads with ${ENV.online}=1`,
      EXIT_ERROR,
    );
  }
  const args = [
    '-strict',
    '-output',
    'json',
    '-verbose',
    '-kubernetes-version',
    kubernetesVersion,
    '-n',
    // One worker: each worker compiles every schema again, which costs more than it saves
    // (1,000 objects: 0.8 s with -n 1, 1.6 s with -n 2 on two cores).
    String(opts.workers ?? 1),
    ...resolved.locations.flatMap((location) => ['-schema-location', location]),
  ];
  if (online) {
    const cache = join(cwd, PATHS.httpCache);
    mkdirSync(cache, { recursive: true });
    args.push('-cache', cache);
  }
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return { binary, args, locations: resolved.locations, kubernetesVersion, online, cwd, timeoutMs };
}

/** As kubeconform reads them for this run, for messages that say where a schema was looked for. */
function shownLocations(plan: RunPlan): string[] {
  return plan.locations.map((location) =>
    location.replace(/\{\{\s*\.NormalizedKubernetesVersion\s*\}\}/g, `v${plan.kubernetesVersion}`),
  );
}

/** One stream, one worker: kubeconform reads the documents in order and reports them in that order. */
function streamText(documents: readonly SplitDocument[]): string {
  return documents.map((doc) => doc.text).join('---\n');
}

/** Like checkSchemas, for documents the caller has split and parsed; result indices are positions in `input`. */
export async function checkDocuments(
  input: readonly SchemaDocument[],
  opts: CheckSchemasOptions = {},
): Promise<SchemaResult[]> {
  const documents: SplitDocument[] = input.map((doc, index) => ({ ...doc, index }));
  // Before kubeconform is looked for: missing schemas are the message a user needs.
  const plan = planRun(opts, opts.binary ?? '');
  if (documents.length === 0) return [];
  plan.binary ||= await findKubeconform({ cwd: plan.cwd });
  const { args, binary, cwd, timeoutMs } = plan;
  // Synchronous up to the spawn: the caller runs the policies right after this call, and an await
  // here would hold kubeconform back until they finish instead of running beside them.
  const dir = mkdtempSync(join(tmpdir(), 'triage-schema-'));
  try {
    // CRDs the tree renders itself: their schemas come first, so its custom resources are checked
    // against the definitions they ship with.
    const treeCrds = join(dir, 'tree-crds');
    if (writeTreeCrdSchemas(documents, treeCrds)) {
      const location = join(treeCrds, CRD_SCHEMA_TEMPLATE);
      const at = args.indexOf('-schema-location');
      args.splice(at < 0 ? args.length : at, 0, '-schema-location', location);
      plan.locations.unshift(location);
    }
    const shown = shownLocations(plan);
    if ((opts.workers ?? 1) === 1) {
      // Writing a file per document instead cost ~0.3 s for 1,000 objects.
      const stream = join(dir, 'stream.yaml');
      writeFileSync(stream, streamText(documents));
      const reported = parseOutput(
        await runKubeconform(binary, [...args, stream], { timeoutMs, cwd, dir }),
        binary,
      );
      const ordered = inDocumentOrder(reported, documents);
      if (ordered)
        return ordered.map(([entry, status], index) =>
          toResult(entry, status, documents[index] as SplitDocument, shown, cwd),
        );
    }
    // One file per document, so each result names its document whatever the order.
    const perDocument = join(dir, 'documents');
    await mkdir(perDocument);
    await Promise.all(documents.map((doc) => writeFile(join(perDocument, fileNameFor(doc.index)), doc.text)));
    const reported = parseOutput(
      await runKubeconform(binary, [...args, perDocument], { timeoutMs, cwd, dir }),
      binary,
    );
    return toResults(reported, documents, shown, cwd);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** An object's type, as a kustomization's sources name it. */
export interface ObjectKind {
  apiVersion: string;
  kind: string;
}

/** A kubeconform started before the documents exist (see startKubeconform). */
export interface StartedKubeconform {
  /** What checkDocuments(documents) gives; called at most once. */
  check(documents: readonly SchemaDocument[]): Promise<SchemaResult[]>;
  /** No check is coming: the process is killed. */
  cancel(): void;
}

/** The name of every warm-up object, by which its results are told from the tree's own. */
const WARM_UP_NAME = 'triage-validate-warm-up';
const MAX_WARM_UP_KINDS = 100;
/** How long a started kubeconform waits for its documents; after that a check runs a fresh one. */
const WARM_WAIT_MS = 120_000;

/**
 * Starts kubeconform while the overlays still render, reading stdin, and gives it first one
 * small object of each kind the sources name, so that it reads and compiles their schemas (most
 * of its time: 18 objects of 10 kinds take 44 ms, one Namespace 11 ms) before the rendered
 * objects arrive. The warm-up objects' results are left out. The objects then go through the
 * same stream, in order, as in checkDocuments; when they carry CustomResourceDefinitions (whose
 * schemas must come first), or kubeconform's answer cannot be paired with them, the check runs
 * checkDocuments instead.
 */
export function startKubeconform(
  kinds: readonly ObjectKind[],
  opts: CheckSchemasOptions & { binary: string },
): StartedKubeconform {
  let plan: RunPlan;
  try {
    plan = planRun(opts, opts.binary);
  } catch {
    // checkDocuments reports the missing schemas.
    return { check: (documents) => checkDocuments(documents, opts), cancel: () => undefined };
  }
  const warmUp = warmUpObjects(kinds);
  const started = performance.now();
  const abort = new AbortController();
  let deliver: (text: string | undefined) => void = () => undefined;
  const documentsText = new Promise<string | undefined>((resolve) => {
    deliver = resolve;
  });
  async function* input() {
    yield warmUp.join('');
    const text = await documentsText;
    if (text !== undefined) yield text;
  }
  const dir = mkdtempSync(join(tmpdir(), 'triage-schema-'));
  const running = runKubeconform(plan.binary, [...plan.args, '-'], {
    timeoutMs: plan.timeoutMs + WARM_WAIT_MS,
    cwd: plan.cwd,
    dir,
    input: input(),
    signal: abort.signal,
  }).finally(() => rmSync(dir, { recursive: true, force: true }));
  running.catch(() => undefined);
  const cancel = () => {
    deliver(undefined);
    abort.abort();
  };
  let checked = false;
  return {
    cancel,
    async check(input) {
      if (checked) throw new Error('startKubeconform: check() was called twice');
      checked = true;
      const documents: SplitDocument[] = input.map((doc, index) => ({ ...doc, index }));
      const late = performance.now() - started > WARM_WAIT_MS;
      if (documents.length === 0 || late || documents.some((doc) => isCrd(doc.body))) {
        cancel();
        return checkDocuments(input, opts);
      }
      deliver(streamText(documents));
      const reported = parseOutput(await running, plan.binary);
      const warm = reported.slice(0, warmUp.length);
      const ordered =
        warm.length === warmUp.length && warm.every((entry) => entry.name === WARM_UP_NAME)
          ? inDocumentOrder(reported.slice(warmUp.length), documents)
          : undefined;
      if (!ordered) return checkDocuments(input, opts);
      const shown = shownLocations(plan);
      return ordered.map(([entry, status], index) =>
        toResult(entry, status, documents[index] as SplitDocument, shown, plan.cwd),
      );
    },
  };
}

/** One minimal object per distinct kind, each ended by a separator so kubeconform reads it at once. */
function warmUpObjects(kinds: readonly ObjectKind[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const { apiVersion, kind } of kinds) {
    // Only names that need no quoting in YAML: anything else is not warmed (it is still checked).
    if (!/^[A-Za-z0-9.-]+(\/[A-Za-z0-9.-]+)?$/.test(apiVersion) || !/^[A-Za-z][A-Za-z0-9]*$/.test(kind))
      continue;
    const key = `${apiVersion} ${kind}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(`apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${WARM_UP_NAME}\n---\n`);
    if (out.length >= MAX_WARM_UP_KINDS) break;
  }
  return out;
}

function isCrd(body: JsonValue | undefined): boolean {
  return isObject(body) && body.kind === 'CustomResourceDefinition';
}

/** kubeconform's results paired with the documents, when there is one per document in the same order. */
function inDocumentOrder(
  reported: KubeconformResource[],
  documents: SplitDocument[],
): [KubeconformResource, SchemaStatus][] | undefined {
  if (reported.length !== documents.length) return undefined;
  const paired: [KubeconformResource, SchemaStatus][] = [];
  for (const [index, entry] of reported.entries()) {
    const doc = documents[index];
    const status = STATUS[entry.status];
    if (!doc || !status) return undefined;
    if (doc.kind && entry.kind && doc.kind !== entry.kind) return undefined;
    if (doc.name && entry.name && doc.name !== entry.name) return undefined;
    paired.push([entry, status]);
  }
  return paired;
}

/** Splits the stream the way the parse stage counts it: empty documents take no index. */
function splitDocuments(text: string): SplitDocument[] {
  const parsed = parseAllDocuments(text);
  if (!Array.isArray(parsed)) return [];
  const documents: SplitDocument[] = [];
  for (const doc of parsed) {
    let body: JsonValue | undefined;
    try {
      body = doc.toJS({ maxAliasCount: 100 }) as JsonValue;
    } catch {
      body = undefined; // kubeconform will report what is wrong with it
    }
    const source = text.slice(doc.range[0], doc.range[2]);
    if ((body === null || body === undefined) && doc.errors.length === 0) continue;
    const object = typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {};
    const metadata = object.metadata;
    const name =
      typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata)
        ? metadata.name
        : undefined;
    documents.push({
      index: documents.length,
      text: source.endsWith('\n') ? source : `${source}\n`,
      body,
      kind: typeof object.kind === 'string' ? object.kind : '',
      name: typeof name === 'string' ? name : '',
    });
  }
  return documents;
}

function fileNameFor(index: number): string {
  return `${String(index).padStart(5, '0')}.yaml`;
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * kubeconform's report goes to a file: the policies keep this process busy while kubeconform runs,
 * and a report larger than a pipe holds would make kubeconform wait for them.
 */
async function runKubeconform(
  binary: string,
  args: string[],
  how: { timeoutMs: number; cwd: string; dir: string; input?: AsyncIterable<string>; signal?: AbortSignal },
) {
  const { timeoutMs } = how;
  const report = join(how.dir, 'report.json');
  const run = await runProcess(binary, args, {
    cwd: how.cwd,
    timeoutMs,
    stdoutFile: report,
    maxOutputBytes: 1024 * 1024,
    input: how.input,
    signal: how.signal,
  });
  if (run.timedOut) throw new ExitError(`kubeconform did not finish within ${timeoutMs / 1000} s`);
  if (run.startError) {
    throw new ExitError(`cannot run kubeconform at ${binary}: ${run.startError.message}; ${SETUP_HINT}`);
  }
  const size = statSync(report).size;
  if (size > MAX_REPORT_BYTES)
    throw new ExitError(`kubeconform printed more than ${MAX_REPORT_BYTES >> 20} MiB`);
  return { code: run.code ?? null, stdout: readFileSync(report, 'utf8'), stderr: run.stderr };
}

/** Exit 0 (all valid) and 1 (problems found) carry a JSON report; anything else is a tool failure. */
function parseOutput(run: RunResult, binary: string): KubeconformResource[] {
  if (run.code === 0 || run.code === 1) {
    try {
      const parsed = JSON.parse(run.stdout) as { resources?: KubeconformResource[] };
      if (Array.isArray(parsed.resources)) return parsed.resources;
    } catch {
      // fall through: exit 1 without a report is kubeconform refusing its arguments
    }
  }
  const detail = (run.stderr.trim() || run.stdout.trim()).split('\n').slice(0, 5).join(' | ');
  throw new ExitError(`kubeconform (${binary}) failed with exit code ${run.code}: ${detail || 'no output'}`);
}

function toResults(
  reported: KubeconformResource[],
  documents: SplitDocument[],
  locations: string[],
  cwd: string,
): SchemaResult[] {
  const results: SchemaResult[] = [];
  const seen = new Set<number>();
  for (const entry of reported) {
    const status = STATUS[entry.status];
    if (!status) continue; // an empty document: nothing to report
    const match = /^(\d+)\.yaml$/.exec(basename(entry.filename ?? ''));
    const doc = match ? documents[Number(match[1])] : undefined;
    if (!doc) {
      throw new ExitError(`kubeconform reported on ${entry.filename || 'an unknown file'}: ${entry.msg}`);
    }
    seen.add(doc.index);
    results.push(toResult(entry, status, doc, locations, cwd));
  }
  for (const doc of documents) {
    if (seen.has(doc.index)) continue;
    // Never fail open: a document kubeconform said nothing about is an error, not a pass.
    results.push({
      index: doc.index,
      kind: doc.kind,
      name: doc.name,
      status: 'error',
      message: 'kubeconform reported no result for this document',
      errors: [],
    });
  }
  return results.sort((a, b) => a.index - b.index);
}

function toResult(
  entry: KubeconformResource,
  status: SchemaStatus,
  doc: SplitDocument,
  locations: string[],
  cwd: string,
): SchemaResult {
  const base = { index: doc.index, kind: entry.kind || doc.kind, name: entry.name || doc.name, status };
  if (status === 'invalid') {
    let errors = parseValidationMessage(entry.msg, doc.body);
    if (errors.length === 0) errors = fromValidationErrors(entry.validationErrors ?? [], doc.body);
    if (errors.length === 0) errors = [{ path: [], message: hideSchemaKeys(entry.msg, doc.body) }];
    const message = errors
      .map((error) => `${formatPath(error.path) || '(root)'}: ${error.message}`)
      .join('; ');
    return { ...base, message, errors };
  }
  if (status === 'error' && /^could not find schema for /.test(entry.msg)) {
    const apiVersion = entry.version || (isObject(doc.body) ? String(doc.body.apiVersion ?? '') : '');
    const where = locations
      .filter((location) => !location.includes(`${sep}tree-crds${sep}`))
      .map((location) => displayLocation(fillTemplate(location, apiVersion, base.kind), cwd))
      .join(', ');
    const message =
      `no schema for ${apiVersion || 'this apiVersion'} ${base.kind}, so it was not checked: looked in the CRDs the tree renders and at ${where}; ` +
      'render its CustomResourceDefinition in the tree, or add its JSON schema to a `schema.locations` entry of validate.config.yaml (see docs/schemas.md)';
    return { ...base, message, errors: [] };
  }
  return { ...base, message: hideSchemaKeys(entry.msg, doc.body), errors: [] };
}

/** A -schema-location template with this object's values filled in, as kubeconform would look it up. */
function fillTemplate(location: string, apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  return location
    .replace(/\{\{\s*\.Group\s*\}\}/g, group ?? '')
    .replace(/\{\{\s*\.ResourceKind\s*\}\}/g, kind.toLowerCase())
    .replace(/\{\{\s*\.ResourceAPIVersion\s*\}\}/g, version ?? '')
    .replace(/\{\{\s*\.KindSuffix\s*\}\}/g, group ? `-${group.split('.')[0]}-${version}` : `-${version}`)
    .replace(/\{\{\s*\.StrictSuffix\s*\}\}/g, '-strict');
}

/**
 * Writes the JSON schema of every version of every CustomResourceDefinition among the documents
 * where CRD_SCHEMA_TEMPLATE finds it (`group/kind_version.json`). Returns whether it wrote any.
 */
function writeTreeCrdSchemas(documents: readonly SplitDocument[], root: string): boolean {
  let wrote = false;
  for (const doc of documents) {
    const body = doc.body;
    if (!isObject(body) || body.kind !== 'CustomResourceDefinition' || !isObject(body.spec)) continue;
    const spec = body.spec;
    const group = typeof spec.group === 'string' ? spec.group : undefined;
    const kind = isObject(spec.names) && typeof spec.names.kind === 'string' ? spec.names.kind : undefined;
    if (!group || !kind || !/^[a-z0-9.-]+$/.test(group) || !/^[A-Za-z0-9]+$/.test(kind)) continue;
    for (const version of Array.isArray(spec.versions) ? spec.versions : []) {
      if (!isObject(version) || typeof version.name !== 'string' || !/^[a-z0-9]+$/.test(version.name))
        continue;
      const schema = isObject(version.schema) ? version.schema.openAPIV3Schema : undefined;
      if (!isObject(schema)) continue;
      mkdirSync(join(root, group), { recursive: true });
      writeFileSync(join(root, group, `${kind.toLowerCase()}_${version.name}.json`), JSON.stringify(schema));
      wrote = true;
    }
  }
  return wrote;
}

function isObject(value: unknown): value is Record<string, JsonValue> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function displayLocation(location: string, cwd: string): string {
  if (location === 'default' || location.includes('://')) return location;
  const rel = relative(cwd, location);
  return rel.startsWith('..') ? location : rel;
}

export interface FindOptions {
  env?: NodeJS.ProcessEnv;
  /** Repository root holding .tools/bin. */
  cwd?: string;
}

const found = new Map<string, Promise<string>>();
forgetAtSnapshotStart(() => found.clear());

/**
 * kubeconform from $KUBECONFORM, then PATH, then the repository's .tools/bin; checked to be the pinned
 * version (a `go install` build without a version stamp reports `development` and is accepted).
 */
export function findKubeconform(opts: FindOptions = {}): Promise<string> {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? REPO_ROOT;
  const key = JSON.stringify([env[ENV.binary], env.PATH, cwd]);
  let promise = found.get(key);
  if (!promise) {
    promise = locate(env, cwd);
    found.set(key, promise);
    promise.catch(() => found.delete(key));
  }
  return promise;
}

/**
 * The kubeconform findKubeconform would give, without waiting, when an earlier run already ran
 * its `-v` on this very file (same path, inode, size and modification time): lets the schema
 * stage start kubeconform at once. Undefined when it would have to look.
 */
export function knownKubeconform(opts: FindOptions = {}): string | undefined {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? REPO_ROOT;
  let binary: string | undefined;
  try {
    binary = candidate(env, cwd);
  } catch {
    return undefined;
  }
  return binary !== undefined && cachedVersion(binary, cwd) === PINS.kubeconform.version ? binary : undefined;
}

/** The binary to use, not yet checked for its version; an ExitError when $KUBECONFORM is not one. */
function candidate(env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  const explicit = env[ENV.binary];
  if (explicit) {
    if (!isExecutable(explicit)) {
      throw new ExitError(`${ENV.binary}=${explicit} is not an executable file; unset it or ${SETUP_HINT}`);
    }
    return explicit;
  }
  return findOnPath('kubeconform', env.PATH) ?? [join(cwd, PATHS.toolsBin, 'kubeconform')].find(isExecutable);
}

async function locate(env: NodeJS.ProcessEnv, cwd: string): Promise<string> {
  const pinned = PINS.kubeconform.version;
  const binary = candidate(env, cwd);
  if (!binary) {
    throw new ExitError(
      `kubeconform ${pinned} not found (looked at $${ENV.binary}, PATH and ${PATHS.toolsBin}/kubeconform): ` +
        `${SETUP_HINT}, or set ${ENV.binary}=/path/to/kubeconform`,
    );
  }
  const cached = cachedVersion(binary, cwd);
  const version = cached ?? (await versionOf(binary));
  if (/^v?\d+\.\d+\.\d+/.test(version) && version.replace(/^v?/, 'v') !== pinned) {
    throw new ExitError(
      `${binary} is kubeconform ${version}, this repository pins ${pinned}: ${SETUP_HINT} and set ` +
        `${ENV.binary}=${join(cwd, PATHS.toolsBin, 'kubeconform')}`,
    );
  }
  if (cached === undefined) rememberVersion(binary, cwd, version);
  return binary;
}

/** Where the last `-v` answer is kept, with the identity of the file that gave it. */
function versionCacheFile(cwd: string): string {
  return join(cwd, PATHS.versionCache);
}

/** The file's identity: any replacement or rebuild changes one of these. */
function identity(binary: string): string | undefined {
  try {
    const stat = statSync(binary);
    return `${binary}:${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch {
    return undefined;
  }
}

function cachedVersion(binary: string, cwd: string): string | undefined {
  const id = identity(binary);
  if (!id) return undefined;
  try {
    const cached = JSON.parse(readFileSync(versionCacheFile(cwd), 'utf8')) as {
      identity?: unknown;
      version?: unknown;
    };
    return cached.identity === id && typeof cached.version === 'string' ? cached.version : undefined;
  } catch {
    return undefined;
  }
}

function rememberVersion(binary: string, cwd: string, version: string): void {
  const id = identity(binary);
  if (!id) return;
  try {
    mkdirSync(dirname(versionCacheFile(cwd)), { recursive: true });
    writeFileSync(versionCacheFile(cwd), `${JSON.stringify({ identity: id, version })}\n`);
  } catch {
    // A read-only checkout: the next run asks kubeconform again.
  }
}

async function versionOf(binary: string): Promise<string> {
  const run = await runProcess(binary, ['-v'], { timeoutMs: 10_000, maxOutputBytes: 64 * 1024 });
  if (run.code === 0) return run.stdout.trim();
  const why = run.startError?.message ?? (run.timedOut ? 'timed out' : `exit code ${run.code}`);
  throw new ExitError(`${binary} -v failed: ${why.split('\n')[0]}; ${SETUP_HINT}`);
}
