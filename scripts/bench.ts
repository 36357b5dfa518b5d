#!/usr/bin/env tsx
/**
 * bench: measures, in one run, validate's start-up, validate against the bare kustomize renders of
 * the same trees and against kustomize + kubeconform + kube-linter (built at pinned versions into
 * .tools/peers/ when missing), with the goals of issue 14 as PASS/FAIL, hostile inputs refused before kustomize runs, and the load engine against wrk on the
 * same local server. Prints ratios. `npm run bench -- validate|server|hostile|loadtest` runs one part.
 */
import { availableParallelism, loadavg } from 'node:os';
import { benchHostile } from './bench/hostile.js';
import { benchLoadEngine } from './bench/loadtest.js';
import { benchServer } from './bench/server.js';
import { type BenchRow, benchValidate } from './bench/validate.js';
import { isMainModule, runMain } from './lib/main.js';

function printRows(title: string, rows: readonly BenchRow[]): void {
  const width = Math.max(...rows.map((row) => row.name.length), 10);
  process.stdout.write(`\n${title}\n${'-'.repeat(title.length)}\n`);
  for (const row of rows) process.stdout.write(`${row.name.padEnd(width)}  ${row.value}\n`);
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  const only = argv[0];
  const [one, five] = loadavg();
  // Figures taken on a busy machine are noisy: say how busy it was.
  process.stdout.write(
    `${availableParallelism()} cores, load average ${one?.toFixed(2)} (1 min) ${five?.toFixed(2)} (5 min); medians of paired runs, whole processes\n`,
  );
  if (!only || only === 'validate') {
    const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
    printRows(
      'validate: start-up, bare renders, the chain a user would run instead',
      await benchValidate(log),
    );
  }
  if (!only || only === 'server') printRows('validate --server (the API server stage)', await benchServer());
  if (!only || only === 'hostile') printRows('hostile input refused before kustomize', await benchHostile());
  if (!only || only === 'loadtest') printRows('load engine vs wrk', (await benchLoadEngine()).rows);
  return 0;
}

if (isMainModule(import.meta.url)) await runMain(() => main());
