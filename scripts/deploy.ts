import { resolve } from 'node:path';
import { readCurrentState } from './cluster/state.js';
import { deploy } from './deploy/run.js';
import { parseCommandLine } from './lib/args.js';
import { parseDuration } from './lib/duration.js';
import { EXIT_CLEAN, EXIT_ERROR, ExitError } from './lib/exit-error.js';
import { isMainModule, runMain } from './lib/main.js';
import { repositoryRoot } from './lib/repo.js';

export const USAGE = `Usage: npm run deploy -- --env dev|prod [--kubeconfig FILE] [--context NAME] [--timeout 5m]

Renders overlays/<env>, shows the server-side diff, applies it server-side (field manager
triage-gitops), waits for the rollout and, if it fails, rolls back to the previous ReplicaSet.

Target: --kubeconfig and/or --context name a cluster (AKS in the deploy workflow). Without them the
local cluster of \`npm run cluster -- up\` is used; deploy never picks a remote cluster on its own.
dev's Secret values come from the environment variables named in base/secrets.env
(AZURE_OPENAI_API_KEY, DATABASE_CONNECTION_STRING); they are never printed. Unset, the
committed placeholders are deployed, on the local cluster only.
Exit codes: 0 deployed, 1 the rollout failed (rolled back), 2 input, cluster or tool error.`;

export async function main(
  argv: readonly string[] = process.argv.slice(2),
  env = process.env,
): Promise<number> {
  const { values } = parseCommandLine(
    {
      args: [...argv],
      options: {
        env: { type: 'string' },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        timeout: { type: 'string', default: '5m' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_CLEAN;
  }
  const environment = values.env;
  if (environment !== 'dev' && environment !== 'prod') {
    throw new ExitError(`--env must be dev or prod\n\n${USAGE}`, EXIT_ERROR);
  }
  const rolloutTimeoutMs = parseDuration(String(values.timeout), 'timeout');
  let target: { kubeconfig?: string; context?: string };
  let targetLabel: string;
  let local = false;
  const localState = readCurrentState(env);
  if (values.kubeconfig || values.context) {
    target = { kubeconfig: values.kubeconfig, context: values.context };
    // The local cluster's own kubeconfig named explicitly is still the local cluster.
    local =
      !values.context &&
      localState !== undefined &&
      resolve(values.kubeconfig ?? '') === localState.kubeconfig;
    targetLabel = [
      values.context && `context ${values.context}`,
      values.kubeconfig && `kubeconfig ${values.kubeconfig}`,
    ]
      .filter(Boolean)
      .join(', ');
  } else {
    const state = localState;
    if (!state) {
      throw new ExitError(
        'no target: start the local cluster with `npm run cluster -- up`, or name a cluster with --context (and --kubeconfig)',
        EXIT_ERROR,
      );
    }
    target = { kubeconfig: state.kubeconfig };
    targetLabel = `the local cluster (${state.server})`;
    local = true;
  }
  return deploy({
    environment,
    root: repositoryRoot(),
    target,
    targetLabel,
    local,
    rolloutTimeoutMs,
    env,
    log: (line) => process.stdout.write(`${line}\n`),
  });
}

if (isMainModule(import.meta.url)) {
  await runMain(() => main());
}
