import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuiltFluxBinaries } from '../../scripts/cluster/build.js';
import { fluxLayout, fluxSpecs } from '../../scripts/cluster/flux.js';
import { createGitServer, listen } from '../../scripts/cluster/git-server.js';
import { freePorts } from '../../scripts/cluster/ports.js';
import { LAUNCHER } from '../../scripts/lib/repo.js';
import { tempTrees } from '../helpers/temp-trees.js';
import { git, gitAsync } from './flux-helpers.js';

/**
 * The git server `cluster up --flux` runs for Flux (git http-backend behind Node's HTTP server),
 * started here in-process on a free port with a private root: a push over HTTP lands in the bare
 * repository and a second clone fetches it; what it refuses, it refuses with a status.
 */

const trees = tempTrees('git-server-test');
const root = trees.dir();
const server = createGitServer({ root, maxRequestBytes: 64 * 1024, requestTimeoutMs: 10_000 });
let base = '';

beforeAll(async () => {
  const bare = join(root, 'repo.git');
  mkdirSync(bare);
  git(bare, ['init', '--quiet', '--bare', '--initial-branch=main']);
  git(bare, ['config', 'http.receivepack', 'true']);
  base = `http://127.0.0.1:${await listen(server, 0)}`;
});

afterAll(() => {
  server.close();
  server.closeAllConnections();
});

/** One raw request; resolves with the status and at most 4 KiB of body. */
function send(path: string, method = 'GET', body?: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const call = request(`${base}${path}`, { method }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => {
        if (text.length < 4096) text += chunk.toString();
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    call.on('error', reject);
    call.end(body);
  });
}

describe('the git server for Flux', () => {
  it('a commit pushed over HTTP is what the next clone fetches (protocol v2 too)', async () => {
    const first = trees.dir();
    await gitAsync(first, ['clone', '--quiet', `${base}/repo.git`, '.']);
    writeFileSync(join(first, 'file.txt'), 'pushed\n');
    git(first, ['add', 'file.txt']);
    git(first, ['commit', '--quiet', '-m', 'one']);
    await gitAsync(first, ['push', '--quiet', 'origin', 'HEAD:main']);
    const pushed = git(first, ['rev-parse', 'HEAD']);

    const second = trees.dir();
    await gitAsync(second, ['-c', 'protocol.version=2', 'clone', '--quiet', `${base}/repo.git`, '.']);
    expect(git(second, ['rev-parse', 'HEAD'])).toBe(pushed);
    expect(git(second, ['show', 'HEAD:file.txt'])).toBe('pushed');
    expect(git(join(root, 'repo.git'), ['rev-parse', 'refs/heads/main'])).toBe(pushed);
  });

  it('serves only the smart protocol of repositories under its root', async () => {
    expect((await send('/repo.git/info/refs')).status).toBe(403);
    expect((await send('/repo.git/HEAD')).status).toBe(404);
    expect((await send('/repo.git/objects/info/packs')).status).toBe(404);
    expect((await send('/missing.git/info/refs?service=git-upload-pack')).status).toBe(404);
    expect((await send('/..%2F..%2Fetc%2Frepo.git/info/refs?service=git-upload-pack')).status).toBe(404);
    expect((await send('/sub/repo.git/info/refs?service=git-upload-pack')).status).toBe(404);
    expect((await send('/repo.git/git-upload-pack', 'GET')).status).toBe(405);
    expect((await send('/healthz')).status).toBe(200);
  });

  it('a request body above the cap is refused with 413, and the server goes on serving', async () => {
    const answer = await send('/repo.git/git-receive-pack', 'POST', Buffer.alloc(100 * 1024, 1));
    expect(answer.status).toBe(413);
    expect(await gitAsync(root, ['ls-remote', `${base}/repo.git`])).toMatch(/refs\/heads\/main/);
  });
});

describe('the git server as `cluster up --flux` starts it', () => {
  it('is the compiled git-server entry run through the launcher (no tsx), and serves the mirror', async () => {
    const [port] = (await freePorts(1)) as [number];
    const layout = fluxLayout(trees.dir(), trees.dir(), 'unused-kubeconfig', {
      gitServer: port,
      sourceStorage: 0,
      sourceMetrics: 0,
      sourceHealth: 0,
      kustomizeMetrics: 0,
      kustomizeHealth: 0,
    });
    mkdirSync(layout.gitRoot, { recursive: true });
    const source = trees.tree({ 'kustomization.yaml': 'resources: []\n' });
    git(layout.gitRoot, ['clone', '--quiet', '--bare', source, 'mirror.git']);
    const binaries = { dir: '', crdDir: '', paths: {} } as unknown as BuiltFluxBinaries;
    const spec = fluxSpecs(layout, binaries, 'git test').find((part) => part.name === 'git-server');
    if (!spec) throw new Error('fluxSpecs has no git-server part');
    expect(spec.command).toBe(process.execPath);
    expect(spec.args.slice(0, 2)).toEqual([LAUNCHER, 'git-server']);

    const child = spawn(spec.command, spec.args, { cwd: layout.root, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        let output = '';
        const timer = setTimeout(() => reject(new Error(`git server did not start: ${output}`)), 60_000);
        const read = (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('serving ')) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout.on('data', read);
        child.stderr.on('data', read);
        child.once('exit', (code) => reject(new Error(`git server exited ${code}: ${output}`)));
      });
      const argv = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
      expect(argv.some((arg) => arg.includes('tsx'))).toBe(false);
      const refs = await gitAsync(layout.root, ['ls-remote', `http://127.0.0.1:${port}/mirror.git`]);
      expect(refs).toContain(git(source, ['rev-parse', 'HEAD']));
    } finally {
      child.kill('SIGTERM');
    }
  });
});
