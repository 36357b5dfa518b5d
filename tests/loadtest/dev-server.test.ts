import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { LAUNCHER } from '../../scripts/lib/repo.js';
import { type SpawnedDevServer, spawnDevServer } from '../../scripts/loadtest/dev-server.js';

/** spawnDevServer starts the compiled dev server through the launcher, not TypeScript through tsx. */

let server: SpawnedDevServer | undefined;

afterAll(async () => {
  await server?.close();
});

describe('spawnDevServer', () => {
  it('runs `node scripts/start.mjs dev-server`, no TypeScript loader, and answers the API', async () => {
    server = await spawnDevServer({ burnMs: 0 }, 60_000);
    const argv = readFileSync(`/proc/${server.process.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    expect(argv.slice(0, 3)).toEqual([process.execPath, LAUNCHER, 'dev-server']);
    expect(argv.some((arg) => arg.includes('tsx'))).toBe(false);
    const health = await fetch(`${server.url}/api/health`);
    expect(await health.json()).toEqual({ status: 'healthy' });
  });

  it('stops on close (SIGTERM reaches the server itself: the launcher runs it in-process)', async () => {
    const running = server as SpawnedDevServer;
    await running.close();
    expect(running.process.exitCode ?? running.process.signalCode).not.toBeNull();
    // Its main() handles SIGTERM: a clean exit, not a kill.
    expect(running.process.exitCode).toBe(0);
  });
});
