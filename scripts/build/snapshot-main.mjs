/**
 * The code a command's startup snapshot starts with (bundled with the command by snapshot.mjs).
 * While the snapshot is built it runs the command's warm-up runs, so the snapshot holds every module
 * loaded and the code they ran compiled; in the process the snapshot starts, it checks the build
 * against the sources (the stat of every input, as scripts/start.mjs does) and runs the command, or
 * hands over to scripts/start.mjs, which rebuilds, when they changed: a stale snapshot never runs.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startupSnapshot } from 'node:v8';
import { checkBuild } from './manifest.mjs';

/** What a warm-up run may print before the rest is dropped: it is read only to say why one failed. */
const WARM_UP_OUTPUT_CHARS = 4096;
/** Listeners a warm-up run must not leave behind: the snapshot would carry them into every run. */
const PROCESS_EVENTS = ['exit', 'SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * @param {{ root: string, command: string, source: string, id: string, warmUp: string[][],
 *   main: (argv: string[]) => Promise<number>, runMain: (main: () => Promise<number>) => Promise<void> }} spec
 */
export function snapshotMain({ root, command, source, id, warmUp, main, runMain }) {
  startupSnapshot.setDeserializeMainFunction(() => {
    // `node --snapshot-blob B -- ARGS`: argv is [node, ...ARGS].
    const args = process.argv.slice(1);
    if (checkBuild(root, command).manifest?.id !== id) {
      handOver(root, command, args);
      return;
    }
    process.argv = [process.argv[0], join(root, source), ...args];
    void runMain(() => main(args));
  });
  const scratch = process.env.TRIAGE_SNAPSHOT_SCRATCH;
  if (!scratch) throw new Error('TRIAGE_SNAPSHOT_SCRATCH is not set: snapshot.mjs builds snapshots');
  void warm(root, source, scratch, warmUp, main);
}

/** The launcher, with this process's arguments, standard streams and environment; its exit is this one's. */
function handOver(root, command, args) {
  const run = spawnSync(process.execPath, [join(root, 'scripts', 'start.mjs'), command, ...args], {
    stdio: 'inherit',
  });
  if (run.error) {
    process.stderr.write(`error: cannot start scripts/start.mjs: ${run.error.message}\n`);
    process.exitCode = 2;
  } else if (run.signal) {
    process.kill(process.pid, run.signal);
  } else {
    process.exitCode = run.status ?? 2;
  }
}

/**
 * Runs each warm-up in turn with its output kept from the terminal, and writes what each one
 * returned to `scratch`/warm-up.json for snapshot.mjs, which says when one did not run cleanly.
 */
async function warm(root, source, scratch, warmUp, main) {
  const argv = process.argv;
  // Node hands out small Buffers from a shared 8 KB pool whose bytes the snapshot keeps whole,
  // stale ones included: during the warm-ups each Buffer gets memory of its own, freed with it, so
  // no byte they read (a Secret's value in a source file, say) reaches the blob.
  const poolSize = Buffer.poolSize;
  Buffer.poolSize = 0;
  const listeners = PROCESS_EVENTS.map((event) => process.listenerCount(event));
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  const results = [];
  for (const template of warmUp) {
    const args = template.map((arg) => arg.replaceAll('{scratch}', scratch));
    let output = '';
    const keep = (chunk) => {
      output = (output + String(chunk)).slice(0, WARM_UP_OUTPUT_CHARS);
      return true;
    };
    process.stdout.write = keep;
    process.stderr.write = keep;
    process.argv = [argv[0], join(root, source), ...args];
    let code;
    try {
      code = await main(args);
    } catch (error) {
      code = 2;
      output ||= error instanceof Error ? error.message : String(error);
    } finally {
      process.stdout.write = writes.stdout;
      process.stderr.write = writes.stderr;
      process.argv = argv;
    }
    results.push({ args: template, code, output });
  }
  Buffer.poolSize = poolSize;
  process.exitCode = undefined;
  // Judged as the heap is written, once the event loop has drained: a child still exiting after its
  // run returned removes its listeners by then.
  startupSnapshot.addSerializeCallback(() => {
    const leftBehind = PROCESS_EVENTS.filter(
      (event, index) => process.listenerCount(event) > listeners[index],
    );
    writeFileSync(join(scratch, 'warm-up.json'), JSON.stringify({ results, leftBehind }));
  });
}
