import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pollUntil } from '../lib/poll.js';

/** How to reach one component's health endpoint. */
export interface HealthProbe {
  url: string;
  /** CA that signed the component's serving certificate; without it the certificate is not checked. */
  caFile?: string;
  /** Client certificate, for endpoints that authenticate (the API server's /readyz). */
  client?: { cert: string; key: string };
}

export interface ProbeAnswer {
  ok: boolean;
  /** `200 ok`, `503 …`, or the connection error. */
  detail: string;
}

/** One GET with a short timeout; never throws. */
export function probe(target: HealthProbe, timeoutMs = 2000): Promise<ProbeAnswer> {
  return new Promise((resolve) => {
    const url = new URL(target.url);
    const secure = url.protocol === 'https:';
    const options = secure
      ? {
          ca: target.caFile ? readFileSync(target.caFile) : undefined,
          // controller-manager and scheduler serve with certificates they make themselves at start.
          rejectUnauthorized: target.caFile !== undefined,
          cert: target.client ? readFileSync(target.client.cert) : undefined,
          key: target.client ? readFileSync(target.client.key) : undefined,
        }
      : {};
    const request = (secure ? httpsRequest : httpRequest)(url, {
      ...options,
      method: 'GET',
      timeout: timeoutMs,
    });
    request.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (body.length < 4096) body += chunk;
      });
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        resolve({ ok: status === 200, detail: `${status} ${body.trim().split('\n').at(-1) ?? ''}`.trim() });
      });
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (error) => resolve({ ok: false, detail: error.message }));
    request.end();
  });
}

/** Polls until the probe answers 200 or `timeoutMs` passes (also stops early when `alive()` is false). */
export async function waitHealthy(
  target: HealthProbe,
  timeoutMs: number,
  alive: () => boolean = () => true,
): Promise<ProbeAnswer> {
  const deadline = Date.now() + timeoutMs;
  return pollUntil(
    async (): Promise<ProbeAnswer & { exited?: true }> =>
      alive()
        ? probe(target, Math.min(2000, Math.max(200, deadline - Date.now())))
        : { ok: false, detail: 'the process exited', exited: true },
    (answer) => answer.ok || answer.exited === true,
    { timeoutMs, intervalMs: 150 },
  );
}
