import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ExitError } from '../lib/exit-error.js';
import { isMainModule, runMain } from '../lib/main.js';

/**
 * Git's smart HTTP protocol on 127.0.0.1 for the local Flux: `git http-backend` (git's own CGI
 * program) behind a small Node HTTP server that forwards each request to it. Fetch and push both
 * work (a repository needs `http.receivepack true` for push). Only the smart-protocol endpoints of
 * `<name>.git` repositories directly under the root are served; every request has a size cap, a
 * deadline, and a limited number run at once.
 */

export interface GitServerOptions {
  /** The directory holding the bare repositories (`<root>/<name>.git`). */
  root: string;
  /** Largest request body accepted (a push's pack), in bytes. */
  maxRequestBytes?: number;
  /** Largest response sent (a fetch's pack), in bytes. */
  maxResponseBytes?: number;
  /** One request's deadline; git http-backend is killed and the connection closed after it. */
  requestTimeoutMs?: number;
  /** Requests served at once; more are answered 503. */
  maxConcurrent?: number;
  /** One line per request (method, path, status, bytes, ms). */
  log?: (line: string) => void;
  /** The git to run (default `git` on PATH). */
  git?: string;
}

const DEFAULTS = {
  maxRequestBytes: 256 * 1024 * 1024,
  maxResponseBytes: 1024 * 1024 * 1024,
  requestTimeoutMs: 60_000,
  maxConcurrent: 8,
};
/** CGI response headers end within this many bytes, or the answer is not git's. */
const MAX_CGI_HEADER_BYTES = 64 * 1024;

/** `/<name>.git/<smart endpoint>`: what git clients ask for, and nothing else. */
const SMART_PATH = /^\/([A-Za-z0-9][A-Za-z0-9._-]*\.git)\/(info\/refs|git-upload-pack|git-receive-pack)$/;
const SERVICES = new Set(['git-upload-pack', 'git-receive-pack']);

function reply(response: ServerResponse, status: number, message: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
  response.end(`${message}\n`);
}

/** Which request this is allowed to be, or why not (a status and a message). */
function route(
  root: string,
  request: IncomingMessage,
): { repository: string; pathInfo: string; query: string } | { status: number; message: string } {
  const url = new URL(request.url ?? '/', 'http://local');
  const match = SMART_PATH.exec(url.pathname);
  if (!match?.[1] || !match[2] || match[1].includes('..'))
    return { status: 404, message: 'not a smart-HTTP git path' };
  const endpoint = match[2];
  if (endpoint === 'info/refs') {
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return { status: 405, message: 'info/refs is GET' };
    // Dumb HTTP (no service) would serve loose files: not offered.
    if (!SERVICES.has(url.searchParams.get('service') ?? ''))
      return { status: 403, message: 'only the smart protocol is served' };
  } else if (request.method !== 'POST') {
    return { status: 405, message: `${endpoint} is POST` };
  }
  if (!existsSync(join(root, match[1]))) return { status: 404, message: `no repository ${match[1]}` };
  return { repository: match[1], pathInfo: url.pathname, query: url.search.slice(1) };
}

/** Splits a CGI answer's header block into a status and headers. */
function parseCgiHeaders(block: string): { status: number; headers: Record<string, string> } {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'status') status = Number.parseInt(value, 10) || 500;
    else headers[name] = value;
  }
  return { status, headers };
}

/** The HTTP server (not listening yet). `close()` it to stop; running backends are killed. */
export function createGitServer(options: GitServerOptions): Server {
  const settings = { ...DEFAULTS, ...options };
  const log = options.log ?? (() => undefined);
  let running = 0;
  const children = new Set<ReturnType<typeof spawn>>();

  const server = createServer((request, response) => {
    const started = Date.now();
    const url = request.url ?? '/';
    let sent = 0;
    response.on('close', () => {
      log(
        `${request.method} ${url.slice(0, 200)} ${response.statusCode} ${sent} B ${Date.now() - started} ms`,
      );
    });
    if (url === '/healthz') {
      reply(response, 200, 'ok');
      return;
    }
    const target = route(settings.root, request);
    if ('status' in target) {
      reply(response, target.status, target.message);
      return;
    }
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > settings.maxRequestBytes) {
      reply(response, 413, `request larger than ${settings.maxRequestBytes} bytes`);
      return;
    }
    if (running >= settings.maxConcurrent) {
      reply(response, 503, 'busy: try again');
      return;
    }
    running += 1;
    const child = spawn(settings.git ?? 'git', ['http-backend'], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/',
        GIT_PROJECT_ROOT: settings.root,
        GIT_HTTP_EXPORT_ALL: '1',
        GIT_HTTP_MAX_REQUEST_BUFFER: String(Math.min(settings.maxRequestBytes, 64 * 1024 * 1024)),
        REQUEST_METHOD: request.method ?? 'GET',
        PATH_INFO: target.pathInfo,
        QUERY_STRING: target.query,
        CONTENT_TYPE: request.headers['content-type'] ?? '',
        REMOTE_ADDR: request.socket.remoteAddress ?? '127.0.0.1',
        // Protocol v2 and gzip-compressed request bodies, as git clients send them.
        GIT_PROTOCOL: String(request.headers['git-protocol'] ?? ''),
        HTTP_CONTENT_ENCODING: String(request.headers['content-encoding'] ?? ''),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.add(child);
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      running -= 1;
      children.delete(child);
      clearTimeout(timer);
    };
    const fail = (status: number, message: string) => {
      child.kill('SIGKILL');
      request.unpipe(child.stdin);
      reply(response, status, message);
      request.resume();
    };
    const timer = setTimeout(
      () => fail(504, `git http-backend did not finish within ${settings.requestTimeoutMs} ms`),
      settings.requestTimeoutMs,
    );

    let received = 0;
    request.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > settings.maxRequestBytes)
        fail(413, `request larger than ${settings.maxRequestBytes} bytes`);
    });
    request.pipe(child.stdin);
    child.stdin.on('error', () => {
      // The backend may exit before reading all of a request it refuses; its answer says why.
    });

    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString('utf8');
    });
    let header = Buffer.alloc(0);
    let inBody = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (response.destroyed) return;
      if (inBody) {
        sent += chunk.length;
        if (sent > settings.maxResponseBytes) {
          fail(500, 'response too large');
          return;
        }
        response.write(chunk);
        return;
      }
      header = Buffer.concat([header, chunk]);
      const text = header.toString('latin1');
      const end = /\r?\n\r?\n/.exec(text);
      if (!end) {
        if (header.length > MAX_CGI_HEADER_BYTES) fail(502, 'git http-backend sent no headers');
        return;
      }
      const { status, headers } = parseCgiHeaders(text.slice(0, end.index));
      response.writeHead(status, headers);
      inBody = true;
      const rest = header.subarray(Buffer.byteLength(text.slice(0, end.index + end[0].length), 'latin1'));
      sent += rest.length;
      if (rest.length > 0) response.write(rest);
    });
    child.on('error', (error) => {
      finish();
      reply(response, 500, `git http-backend could not start: ${error.message}`);
    });
    child.on('close', (code) => {
      finish();
      if (response.destroyed || response.writableEnded) return;
      if (!inBody) {
        reply(response, 502, `git http-backend exited ${code}: ${stderr.trim().split('\n')[0] ?? ''}`);
        return;
      }
      response.end();
    });
    response.on('close', () => {
      // The client went away: the backend's work is for nobody.
      if (!finished) child.kill('SIGKILL');
    });
  });
  server.requestTimeout = settings.requestTimeoutMs + 5000;
  server.headersTimeout = 10_000;
  server.on('close', () => {
    for (const child of children) child.kill('SIGKILL');
  });
  return server;
}

/** Listens on 127.0.0.1:`port` (0: any free port) and resolves with the port. */
export function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port }, () => {
      const address = server.address();
      if (address && typeof address === 'object') resolve(address.port);
      else reject(new Error('no port assigned'));
    });
  });
}

const USAGE = 'usage: git-server --root EXISTING_DIR --port N';

/**
 * As a daemon (`cluster up --flux` starts it through the launcher: `node scripts/start.mjs
 * git-server --root DIR --port N`). Bad arguments or a port in use are one line and exit 2.
 */
async function runDaemon(argv: string[]): Promise<number> {
  let values: { root?: string; port?: string };
  try {
    ({ values } = parseArgs({ args: argv, options: { root: { type: 'string' }, port: { type: 'string' } } }));
  } catch (error) {
    throw new ExitError(`${(error as Error).message}; ${USAGE}`, 2);
  }
  const port = Number(values.port);
  if (!values.root || !existsSync(values.root) || !Number.isInteger(port) || port <= 0) {
    throw new ExitError(USAGE, 2);
  }
  const line = (text: string) => process.stdout.write(`${new Date().toISOString()} ${text}\n`);
  const server = createGitServer({ root: values.root, log: line });
  try {
    await listen(server, port);
  } catch (error) {
    throw new ExitError(`cannot listen on 127.0.0.1:${port}: ${(error as Error).message}`, 2);
  }
  line(`serving ${values.root} on http://127.0.0.1:${port}/`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      server.close();
      server.closeAllConnections();
      process.exit(0);
    });
  }
  // The listening server keeps the process alive; the code is for when it is closed.
  return 0;
}

if (isMainModule(import.meta.url)) await runMain(() => runDaemon(process.argv.slice(2)));
