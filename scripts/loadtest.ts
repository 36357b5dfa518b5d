import { runningKubeconfig } from './cluster/lifecycle.js';
import { kubectlJson } from './kube/kubectl.js';
import { EXIT_CLEAN, EXIT_FINDINGS } from './lib/exit-error.js';
import { isMainModule, runMain } from './lib/main.js';
import { parseLoadtestArgs, USAGE } from './loadtest/args.js';
import { type SpawnedDevServer, spawnDevServer } from './loadtest/dev-server.js';
import { displayUrl } from './loadtest/display-url.js';
import { runLoadtest } from './loadtest/run.js';

/** The local lab's server: CPU per triage request (busy loop) on top of Node's own HTTP work. */
const LOCAL_SERVER_BURN_MS = 2;

const KUBECTL_TIMEOUT_MS = 15_000;
const REPEAT_SIGNAL_GRACE_MS = 1000;

/**
 * `npm run loadtest -- --env dev|prod | --url URL [...]`: load the triage API, watch the HPA,
 * pass or fail on what was seen. 0 pass, 1 fail (or interrupted), 2 input or tool error.
 */
export async function main(argv = process.argv.slice(2)): Promise<number> {
  const options = parseLoadtestArgs(argv);
  if (!options) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_CLEAN;
  }

  // First Ctrl+C (or SIGTERM from a cancelled CI job): stop and report. Another one a second
  // later: leave now. One within the second is the same Ctrl+C twice: the terminal signals the
  // whole process group, and a parent that forwards signals (npm, the tsx CLI) relays it again.
  const interrupt = new AbortController();
  let interruptedAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) {
      if (performance.now() - interruptedAt < REPEAT_SIGNAL_GRACE_MS) return;
      process.stderr.write(`\n${signal} again: exiting without a report\n`);
      process.exit(130);
    }
    process.stderr.write(`\n${signal}: stopping, the report follows (again to exit at once)\n`);
    interruptedAt = performance.now();
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let server: SpawnedDevServer | undefined;
  try {
    if (options.local) {
      // The real HTTP server the load goes to, in its own process so its CPU is its own.
      options.kubeconfig = runningKubeconfig();
      server = await spawnDevServer({ burnMs: LOCAL_SERVER_BURN_MS });
      options.url = server.url;
      process.stderr.write(
        `lab: the triage test server listens on ${displayUrl(server.url)} (the load goes there, not through the cluster)\n`,
      );
    }
    const { verdict } = await runLoadtest(options, {
      kubectl: kubectlJson,
      stdout: process.stdout,
      stderr: process.stderr,
      signal: interrupt.signal,
      kubectlTimeoutMs: KUBECTL_TIMEOUT_MS,
      githubStepSummary: process.env.GITHUB_STEP_SUMMARY || undefined,
      ...(server ? { local: { usageUrl: `${server.url}/api/usage` } } : {}),
    });
    return verdict.pass ? EXIT_CLEAN : EXIT_FINDINGS;
  } finally {
    await server?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

if (isMainModule(import.meta.url)) await runMain(() => main());
