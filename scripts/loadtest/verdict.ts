import { formatDuration } from '../lib/duration.js';
import type { ClusterRecord, RunRecord } from './record.js';

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface Check {
  id:
    | 'completed'
    | 'errors'
    | 'config'
    | 'secret'
    | 'hpa'
    | 'metrics'
    | 'baseline'
    | 'scale-out'
    | 'scale-in'
    | 'capacity'
    | 'cluster';
  title: string;
  status: CheckStatus;
  evidence: string;
}

export interface Verdict {
  pass: boolean;
  /** What the verdict covers: the load alone, or the load and the scaling. */
  scope: 'load-only' | 'load-and-scaling';
  checks: Check[];
  /** Evidence in numbers, for reports: seconds into the load, replicas. */
  scaleOutAfterS?: number;
  peakReplicas?: number;
  scaleInAfterS?: number;
}

/** autocannon stops at its next 100 ms sample tick and then closes every socket: later is late. */
const ON_TIME_MS = 1000;

const percent = (fraction: number) => `${(fraction * 100).toFixed(2)}%`;
const seconds = (s: number) => formatDuration(Math.max(0, s) * 1000);
const grouped = (n: number) => n.toLocaleString('en-US');

function completedCheck(record: RunRecord): Check {
  const ran = formatDuration(record.load.totals.elapsedMs);
  const planned = formatDuration(record.plan.durationMs);
  if (record.interrupted && record.load.stopReason !== 'interrupted') {
    return {
      id: 'completed',
      title: 'Run completed',
      status: 'fail',
      evidence: `the load ran in full (${ran}), then the wait for scale-in was interrupted: the report is partial`,
    };
  }
  if (record.interrupted) {
    return {
      id: 'completed',
      title: 'Run completed',
      status: 'fail',
      evidence: `interrupted after ${ran} of load (planned ${planned}): the report is partial`,
    };
  }
  const { stopReason, totals } = record.load;
  const overMs = totals.elapsedMs - record.plan.durationMs;
  const over = formatDuration(Math.max(0, overMs));
  const covers = `the figures cover all ${ran}`;
  if (stopReason === 'watchdog') {
    return {
      id: 'completed',
      title: 'Run completed',
      status: 'fail',
      evidence: `${ran} of load, ${over} past the planned ${planned}: the load did not stop on its own and was cut off at the hard stop (sockets closed); ${covers}`,
    };
  }
  if (stopReason === 'max-requests') {
    return {
      id: 'completed',
      title: 'Run completed',
      status: 'pass',
      evidence: `${ran} of load, stopped at the request cap: ${grouped(totals.responses + totals.errors)} of ${grouped(record.plan.maxRequests)} requests made`,
    };
  }
  return {
    id: 'completed',
    title: 'Run completed',
    status: 'pass',
    evidence:
      overMs > ON_TIME_MS
        ? `${ran} of load, ${over} past the planned ${planned}: the load generator was late to stop; ${covers}`
        : `${ran} of load, stopped at the planned duration`,
  };
}

function errorsCheck(record: RunRecord): Check {
  const { responses, non2xx, errors, errorRate, statusCodes, errorCodes } = record.load.totals;
  const limit = record.plan.maxErrorRate;
  const attempts = responses + errors;
  const causes = [
    ...Object.entries(statusCodes)
      .filter(([code]) => !code.startsWith('2'))
      .map(([code, n]) => `${grouped(n)} × HTTP ${code}`),
    ...Object.entries(errorCodes).map(([code, n]) => `${grouped(n)} × ${code}`),
  ];
  const detail = causes.length ? `: ${causes.slice(0, 4).join(', ')}` : '';
  if (attempts === 0) {
    // Neither an answer nor a failure: the target took the requests and sat on them.
    return {
      id: 'errors',
      title: 'Error rate',
      status: 'fail',
      evidence: `no response at all in ${formatDuration(record.load.totals.elapsedMs)}: the requests sent were still unanswered when the load stopped (request timeout ${formatDuration(record.plan.requestTimeoutMs)})`,
    };
  }
  if (responses - non2xx === 0) {
    return {
      id: 'errors',
      title: 'Error rate',
      status: 'fail',
      evidence: `no successful response (${grouped(attempts)} attempts${detail})`,
    };
  }
  return {
    id: 'errors',
    title: 'Error rate',
    // --max-error-rate is the highest rate that passes, so `0` means "no errors at all".
    status: errorRate <= limit ? 'pass' : 'fail',
    evidence: `${percent(errorRate)} (${grouped(non2xx + errors)} of ${grouped(attempts)} requests${detail}); threshold ${percent(limit)}`,
  };
}

function configCheck(cluster: ClusterRecord): Check {
  const { configMap } = cluster.preflight;
  const title = 'ConfigMap holds the model deployment';
  if (configMap.state?.modelDeploymentName) {
    const via = configMap.via === 'deployment' ? "the Deployment's envFrom" : 'its name prefix';
    return {
      id: 'config',
      title,
      status: 'pass',
      evidence: `${configMap.name} (found through ${via}) sets MODEL_DEPLOYMENT_NAME=${configMap.state.modelDeploymentName}`,
    };
  }
  return {
    id: 'config',
    title,
    status: 'fail',
    evidence: configMap.error ?? `${configMap.name} has no MODEL_DEPLOYMENT_NAME`,
  };
}

function secretCheck(cluster: ClusterRecord): Check {
  const { secrets, secretProviderClasses, deployment } = cluster.preflight;
  const title = 'Secret wiring';
  const fail = (evidence: string): Check => ({ id: 'secret', title, status: 'fail', evidence });
  const d = deployment.state;
  if (!d) return fail(`Deployment ${deployment.name}: ${deployment.error}`);
  if (secrets.length === 0) return fail(`Deployment ${deployment.name} reads no Secret through envFrom`);

  // An identity may be refused Secrets (AKS RBAC Reader is) or the CSI custom resource. Ready pods
  // of the current template are then the evidence: the kubelet does not start a container whose
  // non-optional envFrom Secret is missing, nor a pod whose CSI volume cannot mount.
  const podsProve = d.replicas > 0 && d.updatedReplicas === d.replicas && d.readyReplicas > 0;
  const podEvidence = `${d.readyReplicas}/${d.replicas} pods of the current template are ready, which needs it`;
  const csi = secretProviderClasses.length > 0;
  const readableSpcs = secretProviderClasses.filter((spc) => spc.state);
  const unreadableSpcs = secretProviderClasses.filter((spc) => !spc.state);
  const spcsForbiddenButMounted =
    unreadableSpcs.length > 0 && unreadableSpcs.every((spc) => spc.failure === 'forbidden') && podsProve;

  const problems: string[] = [];
  const facts: string[] = [];
  for (const secret of secrets) {
    if (!secret.state) {
      if (secret.failure === 'forbidden' && podsProve && !d.optionalSecretRefs.includes(secret.name)) {
        facts.push(
          `${secret.name}: this identity may not read Secrets, so key names are unverified; ${podEvidence}`,
        );
      } else {
        problems.push(`Secret ${secret.name}: ${secret.error}`);
      }
      continue;
    }
    const keys = secret.state.keys;
    if (keys.length === 0) problems.push(`Secret ${secret.name} has no keys`);
    let origin = '';
    if (csi) {
      // The pod mounts a CSI volume: this Secret should be the driver's, not a leftover.
      const spc = readableSpcs.find((found) =>
        found.state?.syncedSecrets.some((s) => s.name === secret.name),
      );
      if (spc || spcsForbiddenButMounted) {
        if (!secret.state.managedByCsi) {
          problems.push(
            `Secret ${secret.name} exists but was not created by the CSI driver (no secrets-store.csi.k8s.io/managed label)`,
          );
        }
        const declared = spc?.state?.syncedSecrets.find((s) => s.name === secret.name)?.keys ?? [];
        const missing = declared.filter((key) => !keys.includes(key));
        if (spc && missing.length)
          problems.push(`Secret ${secret.name} lacks ${missing.join(', ')} declared by ${spc.name}`);
        origin = spc
          ? `, synced by the CSI driver from SecretProviderClass ${spc.name}`
          : `, synced by the CSI driver (SecretProviderClass ${unreadableSpcs.map((found) => found.name).join(', ')} not readable by this identity; ${podEvidence})`;
      } else {
        problems.push(
          unreadableSpcs.length
            ? `SecretProviderClass ${unreadableSpcs.map((found) => `${found.name}: ${found.error}`).join('; ')}`
            : `no SecretProviderClass of the pod (${secretProviderClasses.map((found) => found.name).join(', ')}) syncs ${secret.name}`,
        );
      }
    }
    facts.push(`${secret.name} (${secret.state.type}) has keys ${keys.join(', ') || '(none)'}${origin}`);
  }
  if (problems.length) return fail(problems.join('; '));
  return { id: 'secret', title, status: 'pass', evidence: `${facts.join('; ')} (key names only)` };
}

function hpaCheck(cluster: ClusterRecord): Check {
  const { hpa } = cluster.preflight;
  const title = 'HPA present';
  if (!hpa.state)
    return {
      id: 'hpa',
      title,
      status: 'fail',
      evidence: `HorizontalPodAutoscaler ${hpa.name}: ${hpa.error}`,
    };
  const s = hpa.state;
  const target =
    s.targetCpuUtilization === undefined
      ? 'no CPU utilization target'
      : `CPU target ${s.targetCpuUtilization}%`;
  const summary = `${s.name} scales ${s.scaleTarget.kind}/${s.scaleTarget.name} from ${s.minReplicas} to ${s.maxReplicas}, ${target}`;
  if (cluster.expectedMinReplicas !== undefined && cluster.expectedMinReplicas !== s.minReplicas) {
    return {
      id: 'hpa',
      title,
      status: 'fail',
      evidence: `${summary}; expected minReplicas ${cluster.expectedMinReplicas} (--expect-min-replicas)`,
    };
  }
  return {
    id: 'hpa',
    title,
    status: s.targetCpuUtilization === undefined ? 'fail' : 'pass',
    evidence: summary,
  };
}

function metricsCheck(cluster: ClusterRecord): Check {
  const title = 'CPU metrics available';
  const hpa = cluster.preflight.hpa.state;
  if (!hpa) return { id: 'metrics', title, status: 'fail', evidence: 'no HPA to read metrics from' };
  if (!hpa.metricsAvailable) {
    const noRequest = cluster.preflight.deployment.state?.containersWithoutCpuRequest ?? [];
    const hint = noRequest.length ? `; containers without a CPU request: ${noRequest.join(', ')}` : '';
    return {
      id: 'metrics',
      title,
      status: 'fail',
      evidence: `before the load: ${hpa.metricsProblem}${hint}`,
    };
  }
  const during = cluster.samples.filter((sample) => sample.phase === 'load');
  const withCpu = during.filter((sample) => sample.metricsAvailable && sample.cpuUtilization !== undefined);
  const peak = Math.max(...withCpu.map((sample) => sample.cpuUtilization ?? 0), hpa.cpuUtilization ?? 0);
  const before = `CPU ${hpa.cpuUtilization}% of request before the load`;
  if (during.length === 0)
    return { id: 'metrics', title, status: 'pass', evidence: `${before}; no sample during the load` };
  const enough = withCpu.length * 2 >= during.length;
  return {
    id: 'metrics',
    title,
    status: enough ? 'pass' : 'fail',
    evidence: `${before}; reported in ${withCpu.length} of ${during.length} samples during the load, peak ${peak}%`,
  };
}

const replicasOf = (sample: { currentReplicas?: number; replicas?: number }) =>
  sample.currentReplicas ?? sample.replicas;

function baselineCheck(cluster: ClusterRecord, min: number): Check {
  const title = 'At the minimum before the load';
  const before = cluster.samples.filter((sample) => sample.phase === 'before' && !sample.error).at(-1);
  if (!before) return { id: 'baseline', title, status: 'fail', evidence: 'no sample before the load' };
  const current = replicasOf(before);
  const evidence = `${current} replicas (${before.readyReplicas ?? '?'} ready, HPA desired ${before.desiredReplicas ?? '?'}); minimum ${min}`;
  if (current === min && (before.desiredReplicas ?? min) <= min)
    return { id: 'baseline', title, status: 'pass', evidence };
  return {
    id: 'baseline',
    title,
    status: 'fail',
    evidence: `${evidence}: not at the minimum, so a scale-out cannot be told apart (wait for the last one to scale in)`,
  };
}

/**
 * With the CPU each request cost (measured in a --local run), the rate that would take the pods
 * over the target at the minimum: rate × ms-per-request is millicores, shared by `min` pods, and
 * the HPA acts above target × 1.1 (its default 10% tolerance).
 */
function neededRate(cluster: ClusterRecord, min: number): string | undefined {
  const perRequestMs = cluster.lab?.bridge.cpuPerRequestMs;
  const requestM = cluster.preflight.deployment.state?.cpuRequestMillicores;
  const target = cluster.preflight.hpa.state?.targetCpuUtilization;
  if (!perRequestMs || !requestM || target === undefined) return undefined;
  // Rounded first: 10% × 1.1 is 0.11000000000000001 in floating point.
  const rate = Math.ceil(Math.round(((target * 1.1 * requestM * min) / (100 * perRequestMs)) * 1000) / 1000);
  return `the load was too light for the ${target}% target: at the measured ${perRequestMs} ms of CPU per request, ${min} pods of ${requestM}m need more than ${rate} req/s`;
}

export function evaluate(record: RunRecord): Verdict {
  const checks: Check[] = [completedCheck(record), errorsCheck(record)];
  if (!record.cluster.checked) {
    checks.push({
      id: 'cluster',
      title: 'Scaling checks',
      status: 'skip',
      evidence: `NOT RUN: ${record.cluster.reason}. ConfigMap, Secret, HPA metrics, scale-out and scale-in were not checked.`,
    });
    return { pass: checks.every((check) => check.status !== 'fail'), scope: 'load-only', checks };
  }

  const cluster = record.cluster;
  checks.push(configCheck(cluster), secretCheck(cluster), hpaCheck(cluster), metricsCheck(cluster));
  const verdict: Verdict = { pass: false, scope: 'load-and-scaling', checks };
  const min = cluster.minReplicas;
  if (min === undefined) {
    checks.push({
      id: 'scale-out',
      title: 'Scaled out under load',
      status: 'fail',
      evidence: 'no minimum known: the HPA could not be read',
    });
    return verdict;
  }
  checks.push(baselineCheck(cluster, min));

  const during = cluster.samples.filter((sample) => sample.phase === 'load' && !sample.error);
  const firstOut = during.find(
    (sample) => (sample.desiredReplicas ?? 0) > min || (replicasOf(sample) ?? 0) > min,
  );
  const peakSample = [...during].sort((a, b) => (replicasOf(b) ?? 0) - (replicasOf(a) ?? 0))[0];
  const peak = peakSample ? (replicasOf(peakSample) ?? 0) : 0;
  const peakReady = Math.max(0, ...during.map((sample) => sample.readyReplicas ?? 0));
  if (firstOut && peakSample && peak > min) {
    verdict.scaleOutAfterS = firstOut.t;
    verdict.peakReplicas = peak;
    const readyNote =
      peakReady > min
        ? `${peakReady} ready`
        : `ready peaked at ${peakReady}: the new pods never became ready`;
    checks.push({
      id: 'scale-out',
      title: 'Scaled out under load',
      status: 'pass',
      evidence: `${min} → ${peak} replicas: first above the minimum ${seconds(firstOut.t)} into the load (desired ${firstOut.desiredReplicas}), peak ${peak} (${readyNote}) at ${seconds(peakSample.t)}`,
    });
    const hpa = cluster.preflight.hpa.state;
    const lastCpu = during.filter((sample) => sample.cpuUtilization !== undefined).at(-1)?.cpuUtilization;
    const target = hpa?.targetCpuUtilization;
    if (hpa && peak >= hpa.maxReplicas && lastCpu !== undefined && target !== undefined && lastCpu > target) {
      checks.push({
        id: 'capacity',
        title: 'Below the CPU target at the maximum',
        status: 'fail',
        evidence: `reached the maximum of ${hpa.maxReplicas} replicas with CPU still at ${lastCpu}% of request (target ${target}%): out of capacity, not a pass; raise maxReplicas or lower the load`,
      });
    }
  } else {
    const desiredPeak = Math.max(0, ...during.map((sample) => sample.desiredReplicas ?? 0));
    const needed = neededRate(cluster, min);
    checks.push({
      id: 'scale-out',
      title: 'Scaled out under load',
      status: 'fail',
      evidence: during.length
        ? `stayed at ${peak || min} replicas for the whole load (HPA desired at most ${desiredPeak}; ${during.length} samples)${needed ? `; ${needed}` : ''}`
        : 'no sample of the HPA during the load',
    });
  }

  const scaleIn = cluster.scaleIn;
  const title = 'Back to the minimum after the load';
  if (!verdict.peakReplicas) {
    checks.push({
      id: 'scale-in',
      title,
      status: 'skip',
      evidence: 'nothing to scale in: it never scaled out',
    });
  } else if (!scaleIn || scaleIn.interrupted) {
    checks.push({
      id: 'scale-in',
      title,
      status: 'fail',
      evidence: 'not observed: the run was interrupted before the replicas returned',
    });
  } else if (scaleIn.reachedMinimum) {
    const back = cluster.samples.find(
      (sample) =>
        sample.phase === 'after' &&
        !sample.error &&
        replicasOf(sample) === min &&
        (sample.desiredReplicas ?? min) <= min,
    );
    const after = (back?.t ?? scaleIn.endedT) - cluster.loadEndT;
    verdict.scaleInAfterS = after;
    checks.push({
      id: 'scale-in',
      title,
      status: 'pass',
      evidence: `back to ${min} replicas ${seconds(after)} after the load stopped`,
    });
  } else {
    const last = cluster.samples.filter((sample) => sample.phase === 'after' && !sample.error).at(-1);
    const now = last
      ? `${replicasOf(last)} replicas (desired ${last.desiredReplicas ?? '?'})`
      : 'no readable sample';
    checks.push({
      id: 'scale-in',
      title,
      status: 'fail',
      evidence: `still ${now} when the ${formatDuration(scaleIn.timeoutMs)} scale-in timeout passed (minimum ${min})`,
    });
  }
  verdict.pass = checks.every((check) => check.status !== 'fail');
  return verdict;
}
