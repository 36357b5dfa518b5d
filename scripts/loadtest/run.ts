import { type CpuBridge, startCpuBridge } from '../cluster/cpu-bridge.js';
import { metricsApiAvailability } from '../kube/apiservice.js';
import { setScaleDownWindow } from '../kube/apply.js';
import { type ClusterClient, describeKubectlError, getObject, probeCluster } from '../kube/client.js';
import type { KubeContext } from '../kube/context.js';
import { readHpa } from '../kube/hpa.js';
import { ingressTarget, readIngress } from '../kube/ingress.js';
import { KubectlError, type KubectlJson } from '../kube/kubectl.js';
import { formatDuration } from '../lib/duration.js';
import { ExitError } from '../lib/exit-error.js';
import type { LoadtestOptions } from './args.js';
import { triageBodies } from './bodies.js';
import { displayUrl } from './display-url.js';
import { type LoadResult, loadConnections, runLoad } from './engine.js';
import { type Preflight, runPreflight } from './preflight.js';
import { Progress, type ProgressStream } from './progress.js';
import type { ClusterRecord, LabRecord, RunRecord } from './record.js';
import { renderText } from './report/summary.js';
import { prepareReportDir, writeJobSummary, writeReportDir } from './report/write.js';
import { type ClusterSample, type Phase, sampleCluster } from './sample.js';
import { evaluate, type Verdict } from './verdict.js';

/** The objects the workshop's manifests create (see base/). */
export const NAMES = {
  hpa: 'triage-backend-hpa',
  deployment: 'triage-backend',
  ingress: 'triage-ingress',
  configMapPrefix: 'triage-config',
} as const;

export const API_PATH = '/api/triage';
/** How often the bridge sets the pods' CPU: half metrics-server's 10 s resolution. */
const BRIDGE_INTERVAL_MS = 5000;
const BODY_POOL_SIZE = 256;

export interface RunDeps {
  kubectl: KubectlJson;
  stdout: ProgressStream;
  stderr: ProgressStream;
  /** Ctrl+C: stop the load or the scale-in wait, then report what was seen. */
  signal: AbortSignal;
  /** Per kubectl call. */
  kubectlTimeoutMs: number;
  /** Set in GitHub Actions: the job summary file. */
  githubStepSummary?: string;
  /** --local: the local server's CPU endpoint, which the bridge turns into pod CPU. */
  local?: { usageUrl: string };
}

export interface RunOutcome {
  record: RunRecord;
  verdict: Verdict;
  reportFiles: string[];
}

/** Resolves after `ms`, or as soon as any signal aborts. */
function sleep(ms: number, ...signals: AbortSignal[]): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      for (const signal of signals) signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    for (const signal of signals) {
      if (signal.aborted) return done();
      signal.addEventListener('abort', done, { once: true });
    }
  });
}

/** `--url http://host` → `http://host/api/triage`; a URL already ending in /api/triage is kept. */
export function endpointUrl(base: string): string {
  const url = new URL(base);
  if (!url.pathname.replace(/\/+$/, '').endsWith(API_PATH)) {
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${API_PATH}`;
  }
  return url.toString();
}

async function connect(options: LoadtestOptions, cluster: ClusterClient): Promise<KubeContext | string> {
  if (options.noCluster) return '--no-cluster was given';
  try {
    return await probeCluster(cluster);
  } catch (error) {
    const message = describeKubectlError(error);
    if (error instanceof KubectlError && error.failure === 'not-found') {
      throw new ExitError(
        `namespace ${cluster.namespace} does not exist in the kubectl context${cluster.context ? ` ${cluster.context}` : ''} (${error.message}); pass --namespace, --context, or --no-cluster to run only the load`,
      );
    }
    if (!options.url) {
      throw new ExitError(
        `--env ${options.env}: the cluster is needed to find the Ingress address, but ${message}`,
      );
    }
    return `no usable kubectl context (${message})`;
  }
}

/** Where the load goes. Its `url` is the real one, for the requests: show only displayUrl(url). */
async function resolveTarget(options: LoadtestOptions, cluster: ClusterClient): Promise<RunRecord['target']> {
  if (options.url)
    return {
      url: endpointUrl(options.url),
      source: options.local ? 'local' : 'url',
      ...(options.env ? { env: options.env } : {}),
    };
  let json: unknown;
  try {
    json = await getObject(cluster, 'ingress', NAMES.ingress);
  } catch (error) {
    throw new ExitError(
      `cannot read Ingress ${cluster.namespace}/${NAMES.ingress}: ${describeKubectlError(error)}`,
    );
  }
  const target = ingressTarget(readIngress(json), API_PATH);
  if (!target) {
    throw new ExitError(
      `Ingress ${cluster.namespace}/${NAMES.ingress} has no address yet (status.loadBalancer.ingress is empty): the ingress controller has not published one. Check \`kubectl get ingress -n ${cluster.namespace}\` in a minute, or pass --url.`,
    );
  }
  return { ...target, source: 'ingress', ...(options.env ? { env: options.env } : {}) };
}

function describePreflight(preflight: Preflight): string[] {
  const lines: string[] = [];
  const hpa = preflight.hpa.state;
  lines.push(
    hpa
      ? `  HPA ${hpa.name}: ${hpa.currentReplicas} replicas (desired ${hpa.desiredReplicas}, min ${hpa.minReplicas}, max ${hpa.maxReplicas}), CPU ${hpa.cpuUtilization === undefined ? '<unknown>' : `${hpa.cpuUtilization}%`}/${hpa.targetCpuUtilization ?? '?'}%`
      : `  HPA ${preflight.hpa.name}: ${preflight.hpa.error}`,
  );
  const config = preflight.configMap;
  lines.push(
    config.state?.modelDeploymentName
      ? `  ConfigMap ${config.name}: MODEL_DEPLOYMENT_NAME=${config.state.modelDeploymentName}`
      : `  ConfigMap: ${config.error ?? `${config.name} has no MODEL_DEPLOYMENT_NAME`}`,
  );
  for (const secret of preflight.secrets) {
    lines.push(
      `  Secret ${secret.name}: ${secret.state ? `keys ${secret.state.keys.join(', ')}` : secret.error}`,
    );
  }
  return lines;
}

/** How long --local waits for a fresh deploy's HPA to reach its minimum with a CPU figure. */
const BASELINE_WAIT_MS = 150_000;

/**
 * --local right after a deploy: the HPA raises the Deployment from 1 to its minimum within seconds,
 * but its first CPU figure needs two metrics-server scrapes (20–40 s). Wait for both, bounded, so
 * the baseline check judges a settled HPA; past the bound the checks report what they see.
 */
async function waitForBaseline(
  cluster: ClusterClient,
  progress: Progress,
  signal: AbortSignal,
): Promise<void> {
  const deadline = performance.now() + BASELINE_WAIT_MS;
  let said = false;
  // The minimum does not move while we wait: read it once.
  const hpa = await getObject(cluster, 'horizontalpodautoscaler', NAMES.hpa).catch(() => undefined);
  const minimum = hpa ? readHpa(hpa).minReplicas : 1;
  while (performance.now() < deadline && !signal.aborted) {
    const sample = await sampleCluster(cluster, NAMES, 0, 'before');
    if (
      sample.metricsAvailable &&
      (sample.currentReplicas ?? 0) >= minimum &&
      (sample.readyReplicas ?? 0) >= minimum
    )
      return;
    // No metrics API, no figure to wait for: the metrics check will say so.
    const metricsApi = await metricsApiAvailability({
      kubeconfig: cluster.kubeconfig,
      context: cluster.context,
    }).catch(() => undefined);
    if (!metricsApi?.available) {
      progress.note('lab: the metrics.k8s.io APIService is not Available: not waiting for a CPU figure');
      return;
    }
    if (!said) {
      progress.note(
        `lab: waiting up to ${BASELINE_WAIT_MS / 1000}s for the HPA's minimum of ${minimum} Ready pods and its first CPU figure`,
      );
      said = true;
    }
    await sleep(2000, signal);
  }
}

export async function runLoadtest(options: LoadtestOptions, deps: RunDeps): Promise<RunOutcome> {
  const progress = new Progress(deps.stderr);
  if (options.reportDir) await prepareReportDir(options.reportDir);
  const cluster: ClusterClient = {
    kubectl: deps.kubectl,
    namespace: options.namespace,
    context: options.context,
    kubeconfig: options.kubeconfig,
    timeoutMs: deps.kubectlTimeoutMs,
  };
  const connection = await connect(options, cluster);
  const context = typeof connection === 'string' ? undefined : connection;
  const target = await resolveTarget(options, cluster);

  let preflight: Preflight | undefined;
  let minReplicas: number | undefined;
  const samples: { atMs: number; phase: Phase; sample: ClusterSample }[] = [];
  const names: { hpa: string; deployment: string } = { hpa: NAMES.hpa, deployment: NAMES.deployment };
  if (context) {
    progress.note(`cluster: context ${context.name}, namespace ${options.namespace}`);
    if (deps.local) await waitForBaseline(cluster, progress, deps.signal);
    preflight = await runPreflight(cluster, NAMES);
    names.deployment = preflight.hpa.state?.scaleTarget.name ?? NAMES.deployment;
    minReplicas = options.expectMinReplicas ?? preflight.hpa.state?.minReplicas;
    for (const line of describePreflight(preflight)) progress.note(line);
    samples.push({
      atMs: performance.now(),
      phase: 'before',
      sample: await sampleCluster(cluster, names, 0, 'before'),
    });
  } else {
    progress.note(`scaling checks: NOT RUN (${connection})`);
  }

  // The real URL goes to the load only; everything shown or written has the display form.
  const plan = {
    url: target.url,
    hostHeader: target.hostHeader,
    durationMs: options.durationMs,
    connections: options.connections,
    rate: options.rate,
    maxRequests: options.maxRequests,
    requestTimeoutMs: options.requestTimeoutMs,
    bodies: triageBodies(BODY_POOL_SIZE),
  };
  const shape = options.rate ? `${options.rate} req/s` : `${loadConnections(options)} connections`;
  progress.note(
    `▶ load: POST ${displayUrl(target.url)} for ${formatDuration(options.durationMs)} at ${shape} (Ctrl+C stops and reports)`,
  );

  // --local: the bridge from the server's CPU to the pods, and the optional shorter window.
  let bridge: CpuBridge | undefined;
  let lab: LabRecord | undefined;
  const labTarget = { kubeconfig: options.kubeconfig, context: options.context };
  if (deps.local && context) {
    lab = { bridge: { intervalMs: BRIDGE_INTERVAL_MS, samples: [] } };
    if (options.scaleDownWindowMs !== undefined) {
      const setS = Math.round(options.scaleDownWindowMs / 1000);
      const overlayS = await setScaleDownWindow(labTarget, options.namespace, NAMES.hpa, setS);
      lab.scaleDownWindow = { setS, ...(overlayS !== undefined ? { overlayS } : {}) };
      progress.note(
        `lab: HPA scale-down window set to ${setS}s for this run (the overlay says ${overlayS ?? 'nothing'}; restored afterwards)`,
      );
    }
    bridge = await startCpuBridge({
      usageUrl: deps.local.usageUrl,
      cluster: labTarget,
      namespace: options.namespace,
      deployment: names.deployment,
      intervalMs: BRIDGE_INTERVAL_MS,
      onError: (message) => progress.note(message),
    });
    progress.note(
      `lab: pod CPU = the local server's measured CPU ÷ Ready replicas, every ${BRIDGE_INTERVAL_MS / 1000}s (kwok ClusterResourceUsage)`,
    );
  }
  const bridgeStartMs = performance.now();
  const finishLab = async () => {
    if (!lab) return;
    const current = lab;
    lab = undefined;
    if (bridge) {
      await bridge.stop();
      const offset = (bridgeStartMs - loadStartMs) / 1000;
      current.bridge.samples = bridge.samples.map((sample) => ({
        ...sample,
        t: Math.round((sample.t + offset) * 10) / 10,
      }));
      const perRequest = bridge.cpuPerRequestMs();
      if (perRequest !== undefined) current.bridge.cpuPerRequestMs = Math.round(perRequest * 100) / 100;
    }
    if (current.scaleDownWindow) {
      await setScaleDownWindow(labTarget, options.namespace, NAMES.hpa, current.scaleDownWindow.overlayS);
    }
    finishedLab = current;
  };
  let finishedLab: LabRecord | undefined;
  let loadStartMs = performance.now();
  let loadEndMs = loadStartMs;
  let load!: LoadResult;
  let scaleIn: ClusterRecord['scaleIn'];
  try {
    loadStartMs = performance.now();
    const loadEnded = new AbortController();
    let latest = samples.at(-1)?.sample;
    const poll = async (phase: Phase) => {
      const atMs = performance.now();
      const sample = await sampleCluster(cluster, names, (atMs - loadStartMs) / 1000, phase);
      samples.push({ atMs, phase, sample });
      latest = sample;
      return sample;
    };
    const poller = (async () => {
      if (!context) return;
      const maxPolls = Math.ceil(options.durationMs / options.pollIntervalMs) + 2;
      for (let index = 0; index < maxPolls; index++) {
        await sleep(options.pollIntervalMs, loadEnded.signal, deps.signal);
        if (loadEnded.signal.aborted || deps.signal.aborted) return;
        await poll('load');
      }
    })();

    try {
      load = await runLoad(plan, {
        signal: deps.signal,
        onSecond: (second, totals) => progress.load(second, totals, options.durationMs, latest),
      });
    } finally {
      loadEnded.abort();
      await poller;
    }
    loadEndMs = performance.now();
    progress.note(
      `■ load stopped after ${formatDuration(load.totals.elapsedMs)}${deps.signal.aborted ? ' (interrupted)' : ''}`,
    );

    if (context && minReplicas !== undefined && !deps.signal.aborted) {
      const timeoutMs = options.scaleInTimeoutMs;
      const deadline = loadEndMs + timeoutMs;
      const maxPolls = Math.ceil(timeoutMs / options.pollIntervalMs) + 2;
      let reachedMinimum = false;
      for (let index = 0; index < maxPolls; index++) {
        const sample = await poll('after');
        progress.scaleIn(performance.now() - loadEndMs, timeoutMs, minReplicas, sample);
        const replicas = sample.currentReplicas ?? sample.replicas;
        if (
          !sample.error &&
          replicas !== undefined &&
          replicas <= minReplicas &&
          (sample.desiredReplicas ?? 0) <= minReplicas
        ) {
          reachedMinimum = true;
          break;
        }
        const left = deadline - performance.now();
        if (left <= 0 || deps.signal.aborted) break;
        await sleep(Math.min(options.pollIntervalMs, left), deps.signal);
      }
      scaleIn = {
        timeoutMs,
        endedT: (performance.now() - loadStartMs) / 1000,
        reachedMinimum,
        interrupted: deps.signal.aborted && !reachedMinimum,
      };
      progress.note(reachedMinimum ? '■ back at the minimum' : '■ scale-in wait over');
    }
  } finally {
    await finishLab();
  }
  progress.end();

  const round = (t: number) => Math.round(t * 10) / 10;
  const record: RunRecord = {
    tool: 'triage-loadtest',
    schemaVersion: 1,
    startedAt: load.startedAt,
    target: { ...target, url: displayUrl(target.url) },
    plan: {
      durationMs: options.durationMs,
      connections: loadConnections(options),
      ...(options.rate ? { rate: options.rate } : {}),
      maxRequests: options.maxRequests,
      requestTimeoutMs: options.requestTimeoutMs,
      pollIntervalMs: options.pollIntervalMs,
      scaleInTimeoutMs: options.scaleInTimeoutMs,
      maxErrorRate: options.maxErrorRate,
    },
    load,
    interrupted: deps.signal.aborted,
    cluster:
      context && preflight
        ? {
            checked: true,
            context,
            namespace: options.namespace,
            preflight,
            ...(minReplicas !== undefined ? { minReplicas } : {}),
            ...(options.expectMinReplicas !== undefined
              ? { expectedMinReplicas: options.expectMinReplicas }
              : {}),
            samples: samples.map(({ atMs, sample }) => ({
              ...sample,
              t: round((atMs - loadStartMs) / 1000),
            })),
            loadEndT: round((loadEndMs - loadStartMs) / 1000),
            ...(scaleIn ? { scaleIn: { ...scaleIn, endedT: round(scaleIn.endedT) } } : {}),
            ...(finishedLab ? { lab: finishedLab } : {}),
          }
        : { checked: false, reason: typeof connection === 'string' ? connection : 'cluster not checked' },
  };
  const verdict = evaluate(record);
  deps.stdout.write(renderText(record, verdict));

  const reportFiles = options.reportDir ? await writeReportDir(options.reportDir, record, verdict) : [];
  if (reportFiles.length) deps.stdout.write(`Report: ${reportFiles.join(', ')}\n`);
  if (deps.githubStepSummary) {
    // The verdict stands whatever happens to the summary file: warn, do not turn it into exit 2.
    try {
      await writeJobSummary(deps.githubStepSummary, record, verdict);
      deps.stdout.write('Job summary written.\n');
    } catch (error) {
      deps.stderr.write(
        `warning: cannot write the job summary (GITHUB_STEP_SUMMARY=${deps.githubStepSummary}): ${error instanceof Error ? error.message : String(error)}\n`,
      );
    }
  }
  return { record, verdict, reportFiles };
}
