import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { ExitError } from '../lib/exit-error.js';
import { isMainModule, runMain } from '../lib/main.js';
import { commandArgv, PACKAGE_ROOT } from '../lib/repo.js';

/**
 * A stand-in for the triage backend: the same API (`POST /api/triage`, `GET /api/health`,
 * `GET`/`DELETE /api/patients`), with a fixed CPU cost per triage instead of a model call, so a
 * load test has something to saturate. Used by the tests, the benchmark and local trials.
 */
export interface DevServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** CPU burnt per triage request, in milliseconds of busy loop. */
  burnMs?: number;
  /** Answer every Nth triage request with 503 (0: never). */
  failEvery?: number;
  /** Reset the connection (TCP RST) on every Nth triage request (0: never). */
  resetEvery?: number;
}

export interface DevServer {
  url: string;
  port: number;
  /** Triage requests seen so far (answered, failed or reset). */
  requestCount(): number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;
const MAX_PATIENTS_KEPT = 100;

type Urgency = 'Critical' | 'High' | 'Medium' | 'Low';
const URGENCY_RULES: [Urgency, RegExp][] = [
  ['Critical', /chest pain|slurred speech|unconscious|fainted|worst ever|lips swelling|not breathing/i],
  ['High', /shortness of breath|39\.\d|bleeding|vomiting|right side|blurred vision|pregnan/i],
  ['Medium', /fever|cough|pain|swelling|rash|cut/i],
];

function classify(symptoms: string): Urgency {
  return URGENCY_RULES.find(([, pattern]) => pattern.test(symptoms))?.[0] ?? 'Low';
}

/** A busy loop: real CPU time, as the backend's JSON and model-client work would use. */
function burnCpu(ms: number): number {
  const end = performance.now() + ms;
  let sink = 0;
  while (performance.now() < end) sink += Math.sqrt(sink + 1);
  return sink;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(undefined));
  });
}

interface TriageInput {
  name: string;
  age: number;
  symptoms: string;
}

function parseTriage(text: string): TriageInput | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'body is not JSON';
  }
  if (typeof value !== 'object' || value === null) return 'body must be an object';
  const { name, age, symptoms } = value as Record<string, unknown>;
  if (typeof name !== 'string' || name === '') return 'name: a non-empty string is required';
  if (typeof age !== 'number' || !Number.isInteger(age) || age < 0 || age > 130)
    return 'age: an integer 0–130';
  if (typeof symptoms !== 'string' || symptoms === '') return 'symptoms: a non-empty string is required';
  return { name, age, symptoms };
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const { host = '127.0.0.1', port = 0, burnMs = 2, failEvery = 0, resetEvery = 0 } = options;
  const patients: unknown[] = [];
  let triageCount = 0;

  const server: Server = createServer(async (req, res) => {
    const url = req.url?.split('?')[0] ?? '/';
    if (url === '/api/health' && req.method === 'GET') return sendJson(res, 200, { status: 'healthy' });
    // The CPU this process has used (user + system), which the local lab turns into pod CPU.
    if (url === '/api/usage' && req.method === 'GET') {
      const { user, system } = process.cpuUsage();
      return sendJson(res, 200, { cpuSeconds: (user + system) / 1e6, triageRequests: triageCount });
    }
    if (url === '/api/patients' && req.method === 'GET') return sendJson(res, 200, patients);
    if (url === '/api/patients' && req.method === 'DELETE') {
      patients.length = 0;
      return sendJson(res, 200, { status: 'cleared' });
    }
    if (url !== '/api/triage') return sendJson(res, 404, { detail: 'Not Found' });
    if (req.method !== 'POST') return sendJson(res, 405, { detail: 'Method Not Allowed' });

    triageCount += 1;
    const sequence = triageCount;
    const text = await readBody(req);
    if (resetEvery > 0 && sequence % resetEvery === 0) {
      req.socket.resetAndDestroy();
      return;
    }
    if (failEvery > 0 && sequence % failEvery === 0) {
      return sendJson(res, 503, { detail: 'model deployment overloaded (simulated)' });
    }
    if (text === undefined) return sendJson(res, 413, { detail: 'body too large' });
    const input = parseTriage(text);
    if (typeof input === 'string') return sendJson(res, 422, { detail: input });
    burnCpu(burnMs);
    const patient = {
      id: randomUUID(),
      ...input,
      urgency: classify(input.symptoms),
      reasoning: `Assessed from the reported symptoms (${input.symptoms.length} characters).`,
      timestamp: new Date().toISOString(),
    };
    patients.push(patient);
    if (patients.length > MAX_PATIENTS_KEPT) patients.shift();
    sendJson(res, 200, patient);
  });
  // Load generators keep connections open; don't let idle ones drop mid-run.
  server.keepAliveTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostInUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostInUrl}:${address.port}`,
    port: address.port,
    requestCount: () => triageCount,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface SpawnedDevServer {
  url: string;
  process: ChildProcess;
  close(): Promise<void>;
}

/**
 * The dev server in its own process, so a load generator measured against it does not share
 * its event loop (or its CPU core) with the server. It runs compiled (`dev-server` in
 * scripts/build/entries.mjs) through the launcher, which rebuilds it when stale: no TypeScript
 * loader at run time, and the same code whether the caller is a test or a compiled command.
 */
export function spawnDevServer(
  options: DevServerOptions = {},
  startTimeoutMs = 20_000,
): Promise<SpawnedDevServer> {
  const args = ['--port', String(options.port ?? 0)];
  if (options.host) args.push('--host', options.host);
  if (options.burnMs !== undefined) args.push('--burn-ms', String(options.burnMs));
  if (options.failEvery) args.push('--fail-every', String(options.failEvery));
  if (options.resetEvery) args.push('--reset-every', String(options.resetEvery));
  const child = spawn(process.execPath, commandArgv('dev-server', args), {
    cwd: PACKAGE_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  const close = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });

  return new Promise((resolve, reject) => {
    let output = '';
    let errors = '';
    const timer = setTimeout(() => {
      void close();
      reject(new Error(`dev server did not start within ${startTimeoutMs} ms: ${errors.trim()}`));
    }, startTimeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ url: match[1], process: child, close });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dev server exited with code ${code}: ${errors.trim()}`));
    });
  });
}

function integerOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0)
    throw new ExitError(`--${name}: expected a number ≥ 0, got '${value}'`);
  return number;
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8000' },
      'burn-ms': { type: 'string' },
      'fail-every': { type: 'string' },
      'reset-every': { type: 'string' },
    },
    strict: true,
  });
  const server = await startDevServer({
    host: values.host,
    port: integerOption(values.port, 'port', 8000),
    burnMs: integerOption(values['burn-ms'], 'burn-ms', 2),
    failEvery: integerOption(values['fail-every'], 'fail-every', 0),
    resetEvery: integerOption(values['reset-every'], 'reset-every', 0),
  });
  process.stdout.write(`dev server listening on ${server.url}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}

if (isMainModule(import.meta.url)) await runMain(() => main());
