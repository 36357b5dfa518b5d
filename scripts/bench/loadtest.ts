import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isMainModule, runMain } from '../lib/main.js';
import { triageBodies } from '../loadtest/bodies.js';
import { type SpawnedDevServer, spawnDevServer } from '../loadtest/dev-server.js';
import { runLoad } from '../loadtest/engine.js';

/**
 * The load engine (autocannon) against wrk on the same local CPU-burning server, in the same run.
 * The server runs in its own process: the generator under test shares neither its event loop
 * nor, on a 2-core machine, its core.
 */
export interface BenchRow {
  name: string;
  value: string;
}

export interface LoadBenchOptions {
  durationMs: number;
  connections: number;
  /** Rounds per tool; the best round counts (the least disturbed by other processes). */
  rounds: number;
}

interface ScenarioResult {
  label: string;
  engineRps: number;
  wrkRps?: number;
  /** CPU the engine's process used per response, microseconds. */
  engineCpuUsPerRequest: number;
}

/** As many bodies as the loadtest command cycles through. */
const BODY_POOL_SIZE = 256;
const DEFAULTS: LoadBenchOptions = { durationMs: 5000, connections: 32, rounds: 3 };
/** The dev HPA: 2 replicas × 250m request × 10% target = 50m of CPU to exceed. */
const DEV_CPU_TO_EXCEED_CORES = 2 * 0.25 * 0.1;
/** Assumed backend CPU per triage request (FastAPI, JSON, the model client); the model's wait is free. */
const ASSUMED_BACKEND_CPU_MS = 2;

export function wrkAvailable(): boolean {
  const probe = spawnSync('wrk', ['--version'], { encoding: 'utf8', timeout: 5000 });
  return !probe.error;
}

/**
 * wrk's Lua hooks for the same POSTs the engine sends: `wrk.method`, `wrk.headers`, `wrk.body`
 * (the first body, for a plain `wrk` request), and a `request()` that cycles through all of
 * them, so the server does the same work for both tools. Long bracket strings need no escaping.
 */
export function wrkScript(bodies: readonly string[]): string {
  const quoted = bodies.map((body) => `  [==[${body}]==],`);
  return [
    'wrk.method = "POST"',
    'wrk.headers["Content-Type"] = "application/json"',
    'wrk.headers["Accept"] = "application/json"',
    `wrk.body = [==[${bodies[0] ?? '{}'}]==]`,
    'local bodies = {',
    ...quoted,
    '}',
    'local index = 0',
    'request = function()',
    '  index = index % #bodies + 1',
    '  return wrk.format(nil, nil, nil, bodies[index])',
    'end',
    '',
  ].join('\n');
}

export function parseWrkRps(output: string): number | undefined {
  const match = /Requests\/sec:\s+([\d.]+)/.exec(output);
  return match ? Number(match[1]) : undefined;
}

function runWrk(url: string, scriptFile: string, options: LoadBenchOptions): Promise<number> {
  const seconds = Math.max(1, Math.round(options.durationMs / 1000));
  return new Promise((resolve, reject) => {
    execFile(
      'wrk',
      ['-t1', `-c${options.connections}`, `-d${seconds}s`, '-s', scriptFile, url],
      { timeout: options.durationMs + 15_000, killSignal: 'SIGKILL' },
      (error, stdout) => {
        const rps = parseWrkRps(stdout);
        const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1];
        if (error || rps === undefined) reject(new Error(`wrk failed: ${error?.message ?? stdout}`));
        else if (non2xx)
          reject(
            new Error(`wrk got ${non2xx} non-2xx responses: its requests are not what the engine sends`),
          );
        else resolve(rps);
      },
    );
  });
}

async function runEngine(
  url: string,
  bodies: string[],
  options: LoadBenchOptions,
): Promise<{ rps: number; cpuUs: number }> {
  const before = process.cpuUsage();
  const result = await runLoad({
    url,
    durationMs: options.durationMs,
    connections: options.connections,
    maxRequests: 50_000_000,
    requestTimeoutMs: 10_000,
    bodies,
  });
  const used = process.cpuUsage(before);
  const responses = Math.max(1, result.totals.responses);
  return { rps: result.totals.requestsPerSecond, cpuUs: (used.user + used.system) / responses };
}

async function scenario(
  label: string,
  burnMs: number,
  withWrk: boolean,
  scriptFile: string,
  options: LoadBenchOptions,
): Promise<ScenarioResult> {
  const server: SpawnedDevServer = await spawnDevServer({ burnMs });
  try {
    const url = `${server.url}/api/triage`;
    const bodies = triageBodies(BODY_POOL_SIZE);
    await runEngine(url, bodies, { ...options, durationMs: 1000 }); // warm the server's JIT
    let engineRps = 0;
    let cpuUs = Number.POSITIVE_INFINITY;
    let wrkRps: number | undefined;
    // Interleaved rounds: both tools see the same machine conditions.
    for (let round = 0; round < options.rounds; round++) {
      const engine = await runEngine(url, bodies, options);
      engineRps = Math.max(engineRps, engine.rps);
      cpuUs = Math.min(cpuUs, engine.cpuUs);
      if (withWrk) wrkRps = Math.max(wrkRps ?? 0, await runWrk(url, scriptFile, options));
    }
    return { label, engineRps, wrkRps, engineCpuUsPerRequest: cpuUs };
  } finally {
    await server.close();
  }
}

const rps = (value: number) => `${Math.round(value).toLocaleString('en-US')} req/s`;

export async function benchLoadEngine(
  overrides: Partial<LoadBenchOptions> = {},
): Promise<{ rows: BenchRow[]; results: ScenarioResult[] }> {
  const options = { ...DEFAULTS, ...overrides };
  const haveWrk = wrkAvailable();
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-wrk-'));
  const scriptFile = path.join(dir, 'post-triage.lua');
  await writeFile(scriptFile, wrkScript(triageBodies(BODY_POOL_SIZE)));
  const rows: BenchRow[] = [];
  const results: ScenarioResult[] = [];
  try {
    rows.push({
      name: 'setup',
      value: `${options.connections} connections, ${options.durationMs / 1000}s per run, best of ${options.rounds} interleaved rounds; dev server in its own process`,
    });
    if (!haveWrk) {
      rows.push({ name: 'wrk', value: 'NOT INSTALLED: comparison skipped (apt-get install wrk)' });
    }
    // The comparison that matters gets every round; the light-server one is for information.
    for (const [label, burnMs, rounds] of [
      ['server-bound (1 ms CPU/request)', 1, options.rounds],
      ['light server (0 ms CPU/request)', 0, 1],
    ] as const) {
      const result = await scenario(label, burnMs, haveWrk, scriptFile, { ...options, rounds });
      results.push(result);
      rows.push({ name: `${label}: load engine`, value: rps(result.engineRps) });
      if (result.wrkRps !== undefined) {
        rows.push(
          { name: `${label}: wrk`, value: rps(result.wrkRps) },
          {
            name: `${label}: ratio engine/wrk`,
            value: `${(result.engineRps / result.wrkRps).toFixed(2)}×${burnMs > 0 ? ' (goal ≥ 0.90×)' : ''}`,
          },
        );
      }
    }
    const cpuUs = Math.min(...results.map((result) => result.engineCpuUsPerRequest));
    const perCore = 1e6 / cpuUs;
    const needed = DEV_CPU_TO_EXCEED_CORES / (ASSUMED_BACKEND_CPU_MS / 1000);
    rows.push(
      {
        name: 'engine CPU per request',
        value: `${cpuUs.toFixed(0)} µs (≈ ${rps(perCore)} per fully used core)`,
      },
      {
        name: 'headroom for the dev HPA',
        value: `2 × 250m × 10% = 50m CPU ≈ ${Math.round(needed)} req/s at ${ASSUMED_BACKEND_CPU_MS} ms backend CPU/request: ${Math.floor(perCore / needed)}× headroom on one core`,
      },
    );
    return { rows, results };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function main(): Promise<number> {
  const { rows } = await benchLoadEngine();
  const width = Math.max(...rows.map((row) => row.name.length));
  for (const row of rows) process.stdout.write(`${row.name.padEnd(width)}  ${row.value}\n`);
  return 0;
}

if (isMainModule(import.meta.url)) await runMain(() => main());
