import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandArgv, PACKAGE_ROOT } from '../../scripts/lib/repo.js';

export const SHA = 'c3f1e0b9a2d84f6e7a1b5c9d0e2f4a6b8c0d1e2f';
export const OTHER_SHA = '0000000000000000000000000000000000000001';

/** A private scratch directory, removed by the returned cleanup. */
export function scratch(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'wait-for-sync-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes an executable `#!/bin/sh` stand-in for kubectl and returns its path. */
export function fakeKubectl(dir: string, name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** A fake kubectl that prints this object as `kubectl get … -o json` would. */
export function kubectlPrinting(dir: string, object: unknown): string {
  const json = join(dir, 'object.json');
  writeFileSync(json, JSON.stringify(object, null, 4));
  return fakeKubectl(dir, 'kubectl-prints', `cat '${json}'`);
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall-clock time from spawn to exit, node's start-up included. */
  elapsedMs: number;
}

/** `node scripts/start.mjs wait-for-sync ARGS`, as `npm run wait-for-sync` runs it. */
export function runWaitForSync(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, commandArgv('wait-for-sync', args), {
      cwd: PACKAGE_ROOT,
      // No job summary or GitHub token from the environment the tests run in.
      env: { ...process.env, GITHUB_STEP_SUMMARY: '', GITHUB_TOKEN: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr, elapsedMs: Date.now() - started });
    });
  });
}

/** An Argo CD Application that is not synced, with the controller's operation message. */
export function failedApplication(message: string): unknown {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'triage-dev', namespace: 'argocd' },
    status: {
      sync: { status: 'OutOfSync', revision: OTHER_SHA },
      health: { status: 'Degraded' },
      operationState: { phase: 'Failed', message },
    },
  };
}

export function syncedApplication(): unknown {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'triage-dev', namespace: 'argocd' },
    status: { sync: { status: 'Synced', revision: SHA }, health: { status: 'Healthy' } },
  };
}

/** Lines as the GitHub runner reads them: it splits on CR, LF and CRLF. */
export function runnerLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}
