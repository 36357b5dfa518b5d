import { getPath } from '../core/resource.js';
import {
  currentReplicaSet,
  missingNamespaces,
  rolloutStatus,
  rolloutUndo,
  serverSideApply,
  serverSideDiff,
  servesApi,
  type Target,
  waitForReadyReplicas,
} from '../kube/apply.js';
import { KubectlError } from '../kube/kubectl.js';
import { EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, ExitError } from '../lib/exit-error.js';
import { maskValues } from '../lib/redact.js';
import { appendStepSummary, stepSummaryProblem } from '../lib/step-summary.js';
import { parseRenderedStream } from '../render/parse.js';
import { renderForDeploy } from './render.js';

/**
 * The deploy workflow's push mode as one command: render, server-side diff (into the job summary
 * in Actions), server-side apply with one field manager, wait for each Deployment's rollout, and on
 * failure undo to the previous ReplicaSet, wait for it, and exit 1 saying what failed.
 */

export interface DeployOptions {
  environment: 'dev' | 'prod';
  root: string;
  target: Target;
  /** Printed as where the deploy goes: `local cluster (…)`, `context aks-dev`. */
  targetLabel: string;
  /** The local cluster: dev's placeholders may stay when the secret variables are unset. */
  local: boolean;
  rolloutTimeoutMs: number;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

/** The group/version of the SecretProviderClass that prod's Key Vault component needs. */
const SECRET_STORE_API = 'secrets-store.csi.x-k8s.io/v1';
const SUMMARY_DIFF_BYTES = 900_000;
const API_TIMEOUT_MS = 120_000;

/**
 * Appends to the job summary in Actions. deploy() checks the path before it touches the cluster;
 * a write that fails later is logged, not thrown: stopping after the apply would skip the
 * rollout wait and the undo.
 */
export function writeStepSummary(
  env: NodeJS.ProcessEnv,
  markdown: string,
  log: (line: string) => void,
): void {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  try {
    appendStepSummary(file, markdown);
  } catch (error) {
    if (!(error instanceof ExitError)) throw error;
    log(`warning: ${error.message}`);
  }
}

/** The job summary is where the server-side diff is kept: a path that cannot take it stops the deploy first. */
function checkStepSummary(env: NodeJS.ProcessEnv): void {
  const file = env.GITHUB_STEP_SUMMARY;
  const problem = file ? stepSummaryProblem(file) : undefined;
  if (problem) {
    throw new ExitError(
      `GITHUB_STEP_SUMMARY=${file} ${problem}: the job summary (where the kubectl diff goes) cannot be written; nothing was deployed`,
      EXIT_ERROR,
    );
  }
}

/** kubectl's message for a failed call, with every secret value masked. */
function kubectlFailure(error: unknown, mask: (text: string) => string, step: string): never {
  if (error instanceof KubectlError) {
    throw new ExitError(`${step} failed: ${mask(error.message)}`, EXIT_ERROR);
  }
  throw error;
}

export async function deploy(options: DeployOptions): Promise<number> {
  const { environment, target, log, env } = options;
  const overlay = `overlays/${environment}`;
  checkStepSummary(env);
  const summary = (markdown: string) => writeStepSummary(env, markdown, log);
  log(`deploying ${overlay} to ${options.targetLabel}`);

  if (
    environment === 'prod' &&
    !(await servesApi(target, SECRET_STORE_API).catch((error) =>
      kubectlFailure(error, String, 'checking the cluster'),
    ))
  ) {
    throw new ExitError(
      `the cluster does not serve ${SECRET_STORE_API} (the SecretProviderClass CRD is missing): ${overlay} ` +
        'takes its secrets from Key Vault through the Secrets Store CSI driver. On AKS enable the ' +
        'azure-keyvault-secrets-provider add-on; on the local cluster run `npm run cluster -- up --crds`.',
      EXIT_ERROR,
    );
  }

  const rendered = await renderForDeploy(options.root, environment, {
    env,
    allowPlaceholders: options.local,
  });
  const mask = (text: string) => maskValues(text, rendered.secretValues, '***');
  if (rendered.placeholders.length > 0) {
    log(
      `secrets: ${rendered.placeholders.join(', ')} not set in the environment; the committed placeholders are deployed (local cluster only)`,
    );
  }
  const { resources } = parseRenderedStream(rendered.manifests, overlay);
  const deployments = resources.filter((each) => each.kind === 'Deployment');
  const namespaces = [
    ...new Set(
      resources.flatMap((each) =>
        each.kind === 'Namespace' ? [each.name] : each.namespace ? [each.namespace] : [],
      ),
    ),
  ];
  log(
    `rendered ${resources.length} objects (${deployments.map((each) => `deployment/${each.name}`).join(', ') || 'no Deployment'})`,
  );

  // A server-side dry run cannot look into a namespace that does not exist yet.
  const absent = await missingNamespaces(target, namespaces).catch((error) =>
    kubectlFailure(error, mask, 'reading namespaces'),
  );
  let changes: string;
  if (absent.length > 0) {
    changes = `first deploy: namespace ${absent.join(', ')} does not exist yet, so every object is new`;
    log(changes);
    summary(`### ${overlay}: ${changes}`);
  } else {
    const result = await serverSideDiff(target, rendered.manifests, API_TIMEOUT_MS).catch((error) =>
      kubectlFailure(error, mask, 'kubectl diff'),
    );
    const diff = mask(result.diff);
    changes = result.changed
      ? `${diff.split('\n').filter((line) => /^[-+][^-+]/.test(line)).length} changed lines`
      : 'no changes';
    log(
      result.changed ? `kubectl diff: ${changes}` : 'kubectl diff: no changes, the cluster already matches',
    );
    summary(
      result.changed
        ? `### kubectl diff: ${overlay}\n\n\`\`\`diff\n${diff.slice(0, SUMMARY_DIFF_BYTES)}\n\`\`\`${diff.length > SUMMARY_DIFF_BYTES ? '\n(diff cut at 900 kB)' : ''}`
        : `### kubectl diff: ${overlay}\n\nNo changes: the cluster already matches.`,
    );
  }

  const applied = await serverSideApply(target, rendered.manifests, API_TIMEOUT_MS).catch((error) =>
    kubectlFailure(error, mask, 'kubectl apply'),
  );
  for (const line of applied) log(`  ${mask(line)}`);

  const failures: string[] = [];
  for (const deployment of deployments) {
    const namespace = deployment.namespace ?? 'default';
    const name = `deployment/${deployment.name}`;
    const rollout = await rolloutStatus(target, namespace, deployment.name, options.rolloutTimeoutMs);
    if (rollout.ok) {
      log(`${name}: ${rollout.message}`);
      const hpa = resources.find(
        (each) =>
          each.kind === 'HorizontalPodAutoscaler' &&
          each.namespace === deployment.namespace &&
          getPath(each.body, ['spec', 'scaleTargetRef', 'name']) === deployment.name,
      );
      if (hpa) {
        // A Deployment without spec.replicas starts at 1: the rollout is done before the HPA has
        // raised it to its minimum. Wait for that too, so "deployed" means serving at the minimum.
        const minimum = Number(getPath(hpa.body, ['spec', 'minReplicas']) ?? 1);
        const ready = await waitForReadyReplicas(
          target,
          namespace,
          deployment.name,
          minimum,
          options.rolloutTimeoutMs,
        );
        if (ready >= minimum) log(`${name}: ${ready} Ready, the minimum of HPA ${hpa.name}`);
        else
          failures.push(`${name} has ${ready} Ready pods, short of HPA ${hpa.name}'s minimum of ${minimum}`);
      }
      continue;
    }
    // kubectl says only "timed out waiting for the condition": name the ReplicaSet that never got ready.
    const stuck = await currentReplicaSet(target, namespace, deployment.name).catch(() => undefined);
    const reason = stuck
      ? `ReplicaSet ${stuck.name} (revision ${stuck.revision ?? '?'}) had ${stuck.readyReplicas}/${stuck.replicas} pods ready after ${options.rolloutTimeoutMs / 1000} s`
      : mask(rollout.message);
    log(`${name} did not roll out: ${reason}`);
    failures.push(`${name} in ${namespace} did not roll out: ${reason}`);
    try {
      log(`${name}: ${mask(await rolloutUndo(target, namespace, deployment.name))}`);
    } catch (error) {
      const why = error instanceof KubectlError ? mask(error.message) : String(error);
      failures.push(`rollout undo of ${name} failed: ${why}`);
      continue;
    }
    const back = await rolloutStatus(target, namespace, deployment.name, options.rolloutTimeoutMs);
    const replicaSet = await currentReplicaSet(target, namespace, deployment.name).catch(() => undefined);
    const where = replicaSet
      ? `ReplicaSet ${replicaSet.name} (revision ${replicaSet.revision ?? '?'}, ${replicaSet.readyReplicas}/${replicaSet.replicas} ready)`
      : 'the previous ReplicaSet';
    if (back.ok) {
      log(`${name}: rolled back to ${where}, serving again`);
      failures.push(`rolled back to ${where}`);
    } else {
      failures.push(`the rollback to ${where} did not become ready either: ${mask(back.message)}`);
    }
  }

  if (failures.length > 0) {
    summary(`### ❌ ${overlay}: the rollout failed\n\n${failures.map((line) => `- ${line}`).join('\n')}`);
    throw new ExitError(`deploy of ${overlay} failed: ${failures.join('; ')}`, EXIT_FINDINGS);
  }
  summary(`### ✅ ${overlay} deployed (${changes})`);
  log(`✅ ${overlay} deployed to ${options.targetLabel} (${changes})`);
  return EXIT_CLEAN;
}
