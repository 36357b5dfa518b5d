import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { triageBodies } from '../../scripts/loadtest/bodies.js';
import { type SpawnedDevServer, spawnDevServer } from '../../scripts/loadtest/dev-server.js';
import { type LoadPlan, runLoad } from '../../scripts/loadtest/engine.js';

/** An HTTP server in this process that answers `{}` and keeps what it was sent. */
async function recordingServer() {
  const seen: { url?: string; authorization?: string; body: string }[] = [];
  const server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      seen.push({ url: req.url, authorization: req.headers.authorization, body });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { seen, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

// The servers run in their own processes: the load generator must not share their event loop.
let steady: SpawnedDevServer;
let failing: SpawnedDevServer;
let resetting: SpawnedDevServer;

beforeAll(async () => {
  [steady, failing, resetting] = await Promise.all([
    spawnDevServer({ burnMs: 2 }),
    spawnDevServer({ burnMs: 1, failEvery: 4 }),
    spawnDevServer({ burnMs: 1, resetEvery: 5 }),
  ]);
}, 30_000);

afterAll(async () => {
  await Promise.all([steady?.close(), failing?.close(), resetting?.close()]);
});

const plan = (url: string, overrides: Partial<LoadPlan> = {}): LoadPlan => ({
  url: `${url}/api/triage`,
  durationMs: 2000,
  connections: 8,
  maxRequests: 1_000_000,
  requestTimeoutMs: 5000,
  bodies: triageBodies(64),
  ...overrides,
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('load engine against a CPU-burning server', () => {
  it('reports plausible throughput and latency, second by second', async () => {
    const seen: number[] = [];
    const started = performance.now();
    const result = await runLoad(plan(steady.url), { onSecond: (second) => seen.push(second.t) });
    const wall = performance.now() - started;
    const { totals } = result;

    // 2 ms of CPU per request on one core: at most ~500 req/s, and surely more than 50.
    expect(totals.requestsPerSecond).toBeGreaterThan(50);
    expect(totals.requestsPerSecond).toBeLessThan(520);
    expect(totals.statusCodes).toEqual({ 200: totals.responses });
    expect(totals.errorRate).toBe(0);
    // Latency: never below the CPU burnt, percentiles ordered.
    expect(totals.latency.p50).toBeGreaterThanOrEqual(2);
    expect(totals.latency.p50).toBeLessThanOrEqual(totals.latency.p95);
    expect(totals.latency.p95).toBeLessThanOrEqual(totals.latency.p99);
    expect(totals.latency.p99).toBeLessThanOrEqual(totals.latency.max);
    // Little's law for a closed loop: throughput × mean latency ≈ connections.
    const inFlight = totals.requestsPerSecond * (totals.latency.mean / 1000);
    expect(inFlight).toBeGreaterThan(8 * 0.7);
    expect(inFlight).toBeLessThan(8 * 1.15);
    // The per-second timeline adds up to the totals and covers the run.
    expect(result.seconds.reduce((sum, second) => sum + second.responses, 0)).toBe(totals.responses);
    expect(result.seconds.map((second) => second.t)).toEqual([0, 1]);
    expect(seen).toEqual([0, 1]);
    expect(result.seconds.reduce((sum, second) => sum + second.seconds, 0)).toBeCloseTo(
      totals.elapsedMs / 1000,
      1,
    );
    // Duration bounds.
    expect(result.stopReason).toBe('duration');
    expect(totals.elapsedMs).toBeGreaterThanOrEqual(1990);
    expect(wall).toBeLessThan(3500);
  }, 15_000);

  it('measures each second as it really was when a tick comes late, and reports every second', async () => {
    // Block the event loop from 0.9 s to 1.6 s: the first tick fires ~0.6 s late, as it does
    // when the process is still starting up.
    setTimeout(() => {
      const until = performance.now() + 700;
      while (performance.now() < until) {
        // busy: nothing else runs
      }
    }, 900);
    const seen: number[] = [];
    const result = await runLoad(plan(steady.url, { durationMs: 3000, connections: 4 }), {
      onSecond: (second) => seen.push(second.t),
    });
    const [first, second] = result.seconds;
    // The first bucket covered ~1.6 s; the next ends at the 2 s mark, so lateness does not add up.
    expect(first?.seconds).toBeGreaterThan(1.5);
    expect(second?.t).toBe(1);
    expect(second?.seconds).toBeLessThan(0.6);
    expect(result.seconds.map((s) => s.t)).toEqual([0, 1, 2]);
    expect(result.seconds.reduce((sum, s) => sum + s.seconds, 0)).toBeCloseTo(
      result.totals.elapsedMs / 1000,
      2,
    );
    // Every second reached the progress callback, the last one included.
    expect(seen).toEqual([0, 1, 2]);
  }, 15_000);

  it('counts non-2xx responses as errors', async () => {
    const { totals } = await runLoad(plan(failing.url, { durationMs: 1500 }));
    expect(totals.statusCodes['503']).toBeGreaterThan(0);
    expect(totals.non2xx).toBe(totals.statusCodes['503']);
    expect(totals.errorRate).toBeGreaterThan(0.2);
    expect(totals.errorRate).toBeLessThan(0.3);
  }, 15_000);

  it('counts connection resets as errors', async () => {
    const { totals } = await runLoad(plan(resetting.url, { durationMs: 1500 }));
    expect(totals.errors).toBeGreaterThan(0);
    expect(totals.errorCodes.ECONNRESET).toBeGreaterThan(0);
    expect(totals.errorRate).toBeGreaterThan(0.05);
  }, 15_000);

  it('counts refused connections as errors, with no responses', async () => {
    const port = await closedPort();
    const { totals } = await runLoad(plan(`http://127.0.0.1:${port}`, { durationMs: 1000, connections: 2 }));
    expect(totals.responses).toBe(0);
    expect(totals.errors).toBeGreaterThan(0);
    expect(totals.errorCodes.ECONNREFUSED).toBe(totals.errors);
    expect(totals.errorRate).toBe(1);
  }, 15_000);

  it('stops at the request cap long before the duration', async () => {
    const started = performance.now();
    const result = await runLoad(plan(steady.url, { durationMs: 20_000, maxRequests: 60, connections: 4 }));
    expect(result.stopReason).toBe('max-requests');
    expect(result.totals.responses).toBe(60);
    expect(performance.now() - started).toBeLessThan(5000);
  }, 15_000);

  it('sends exactly --max-requests requests, even with more connections than requests', async () => {
    const server = await recordingServer();
    try {
      for (const [maxRequests, connections] of [
        [1, 50],
        [60, 8],
      ] as const) {
        server.seen.length = 0;
        const result = await runLoad(
          plan(`http://127.0.0.1:${server.port}`, { durationMs: 5000, maxRequests, connections }),
        );
        expect(server.seen.length).toBe(maxRequests);
        expect(result.totals.responses).toBe(maxRequests);
        expect(result.stopReason).toBe('max-requests');
        expect(result.connections).toBe(Math.min(connections, maxRequests));
      }
    } finally {
      await server.close();
    }
  }, 15_000);

  it('starts every connection on a different body, however many connections there are', async () => {
    const server = await recordingServer();
    try {
      await runLoad(
        plan(`http://127.0.0.1:${server.port}`, {
          durationMs: 5000,
          connections: 64,
          maxRequests: 64,
          bodies: triageBodies(64),
        }),
      );
    } finally {
      await server.close();
    }
    expect(server.seen.length).toBe(64);
    expect(new Set(server.seen.map((request) => request.body)).size).toBe(64);
  }, 15_000);

  it("sends the URL's user and password as Basic auth and its query as given", async () => {
    const server = await recordingServer();
    try {
      await runLoad(
        plan(`http://us%40er:p%3Ass@127.0.0.1:${server.port}`, {
          url: `http://us%40er:p%3Ass@127.0.0.1:${server.port}/api/triage?code=abc&x=1`,
          durationMs: 2000,
          connections: 1,
          maxRequests: 3,
        }),
      );
    } finally {
      await server.close();
    }
    expect(server.seen.map((request) => request.url)).toEqual(new Array(3).fill('/api/triage?code=abc&x=1'));
    expect(server.seen[0]?.authorization).toBe(`Basic ${Buffer.from('us@er:p:ss').toString('base64')}`);
  }, 15_000);

  it('holds a target rate', async () => {
    const result = await runLoad(plan(steady.url, { durationMs: 3000, rate: 40, connections: 100 }));
    expect(result.totals.requestsPerSecond).toBeGreaterThan(40 * 0.75);
    expect(result.totals.requestsPerSecond).toBeLessThan(40 * 1.35);
  }, 15_000);

  it('stops at once when aborted, keeping what it measured', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 700);
    const started = performance.now();
    const result = await runLoad(plan(steady.url, { durationMs: 30_000 }), { signal: controller.signal });
    expect(result.stopReason).toBe('interrupted');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(result.totals.responses).toBeGreaterThan(0);
    expect(result.seconds.reduce((sum, second) => sum + second.responses, 0)).toBe(result.totals.responses);
  }, 15_000);

  it('sends POST /api/triage with varied JSON bodies and the Host header asked for', async () => {
    const seen: { method?: string; url?: string; host?: string; type?: string; body: unknown }[] = [];
    const server = createHttpServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      req.on('end', () => {
        seen.push({
          method: req.method,
          url: req.url,
          host: req.headers.host,
          type: req.headers['content-type'],
          body: JSON.parse(text),
        });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      await runLoad(
        plan(`http://127.0.0.1:${port}`, {
          durationMs: 400,
          connections: 1,
          maxRequests: 20,
          hostHeader: 'triage.contoso.example',
        }),
      );
    } finally {
      server.close();
    }
    expect(seen.length).toBeGreaterThanOrEqual(10);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/api/triage',
      host: 'triage.contoso.example',
      type: 'application/json',
    });
    expect(seen[0]?.body).toEqual({
      name: expect.any(String),
      age: expect.any(Number),
      symptoms: expect.any(String),
    });
    expect(new Set(seen.map((request) => JSON.stringify(request.body))).size).toBe(seen.length);
  }, 15_000);
});
