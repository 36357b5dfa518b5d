import { describe, expect, it } from 'vitest';
import { readHpa } from '../../scripts/kube/hpa.js';
import type { Check } from '../../scripts/loadtest/verdict.js';
import { evaluate } from '../../scripts/loadtest/verdict.js';
import { fixture, preflightAtMinimum, samplesEvery15s, syntheticRecord } from './helpers.js';

const LOAD_S = 180;
const status = (checks: Check[]) => Object.fromEntries(checks.map((check) => [check.id, check.status]));
const evidence = (checks: Check[], id: Check['id']) =>
  checks.find((check) => check.id === id)?.evidence ?? '';

describe('verdict on synthetic timelines', () => {
  it('passes when replicas rise under load and return after it', () => {
    // t=0 before; 15…180 load; 195… after. Out at 45 s, peak 8, back to 2 at 480 s.
    const replicas = [
      2, 2, 2, 4, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 6, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 2,
    ];
    const record = syntheticRecord({
      cluster: {
        samples: samplesEvery15s(replicas, LOAD_S),
        loadEndT: LOAD_S,
        scaleIn: { timeoutMs: 600_000, endedT: 480, reachedMinimum: true, interrupted: false },
      },
      responses: new Array(LOAD_S).fill(300),
    });
    const verdict = evaluate(record);
    expect(status(verdict.checks)).toEqual({
      completed: 'pass',
      errors: 'pass',
      config: 'pass',
      secret: 'pass',
      hpa: 'pass',
      metrics: 'pass',
      baseline: 'pass',
      'scale-out': 'pass',
      'scale-in': 'pass',
    });
    expect(verdict).toMatchObject({
      pass: true,
      scope: 'load-and-scaling',
      scaleOutAfterS: 45,
      peakReplicas: 8,
      scaleInAfterS: 300,
    });
    expect(evidence(verdict.checks, 'scale-out')).toBe(
      '2 → 8 replicas: first above the minimum 45s into the load (desired 4), peak 8 (8 ready) at 1m',
    );
    expect(evidence(verdict.checks, 'scale-in')).toBe('back to 2 replicas 5m after the load stopped');
    expect(evidence(verdict.checks, 'config')).toMatch(/MODEL_DEPLOYMENT_NAME=gpt-4.1-mini/);
  });

  it('fails when the replicas never rise above the minimum', () => {
    const record = syntheticRecord({
      cluster: {
        samples: samplesEvery15s(new Array(14).fill(2), LOAD_S, 6),
        loadEndT: LOAD_S,
        scaleIn: { timeoutMs: 600_000, endedT: 195, reachedMinimum: true, interrupted: false },
      },
      responses: new Array(LOAD_S).fill(300),
    });
    const verdict = evaluate(record);
    expect(verdict.pass).toBe(false);
    expect(status(verdict.checks)).toMatchObject({ 'scale-out': 'fail', 'scale-in': 'skip', errors: 'pass' });
    expect(evidence(verdict.checks, 'scale-out')).toBe(
      'stayed at 2 replicas for the whole load (HPA desired at most 2; 12 samples)',
    );
  });

  it('fails when the replicas are not back before the scale-in timeout', () => {
    const replicas = [2, 2, 4, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 6, 6];
    const record = syntheticRecord({
      cluster: {
        samples: samplesEvery15s(replicas, LOAD_S),
        loadEndT: LOAD_S,
        scaleIn: { timeoutMs: 120_000, endedT: 315, reachedMinimum: false, interrupted: false },
      },
      responses: new Array(LOAD_S).fill(300),
    });
    const verdict = evaluate(record);
    expect(verdict.pass).toBe(false);
    expect(status(verdict.checks)).toMatchObject({ 'scale-out': 'pass', 'scale-in': 'fail' });
    expect(evidence(verdict.checks, 'scale-in')).toBe(
      'still 6 replicas (desired 6) when the 2m scale-in timeout passed (minimum 2)',
    );
  });

  it('fails when the HPA has no CPU metrics, and says why', () => {
    const preflight = preflightAtMinimum();
    preflight.hpa.state = readHpa(fixture('hpa-dev-unknown-missing-request.json'));
    const samples = samplesEvery15s(new Array(14).fill(2), LOAD_S).map((sample) => ({
      ...sample,
      cpuUtilization: undefined,
      metricsAvailable: false,
    }));
    const record = syntheticRecord({
      cluster: {
        preflight,
        samples,
        loadEndT: LOAD_S,
        scaleIn: { timeoutMs: 600_000, endedT: 195, reachedMinimum: true, interrupted: false },
      },
      responses: new Array(LOAD_S).fill(300),
    });
    const verdict = evaluate(record);
    expect(verdict.pass).toBe(false);
    expect(status(verdict.checks)).toMatchObject({ metrics: 'fail', 'scale-out': 'fail' });
    expect(evidence(verdict.checks, 'metrics')).toMatch(
      /^before the load: ScalingActive=False \(FailedGetResourceMetric\): .*missing request for cpu/,
    );
  });

  it('fails when metrics vanish during the load', () => {
    const samples = samplesEvery15s([2, 2, 4, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 2], LOAD_S).map((sample) =>
      sample.phase === 'load' && sample.t > 30
        ? { ...sample, cpuUtilization: undefined, metricsAvailable: false }
        : sample,
    );
    const record = syntheticRecord({
      cluster: {
        samples,
        loadEndT: LOAD_S,
        scaleIn: { timeoutMs: 600_000, endedT: 195, reachedMinimum: true, interrupted: false },
      },
      responses: new Array(LOAD_S).fill(300),
    });
    const verdict = evaluate(record);
    expect(evidence(verdict.checks, 'metrics')).toBe(
      'CPU 3% of request before the load; reported in 2 of 12 samples during the load, peak 50%',
    );
    expect(status(verdict.checks).metrics).toBe('fail');
  });

  it('passes an error rate at the threshold: --max-error-rate is the highest that passes, 0 means none', () => {
    const atLimit = syntheticRecord({
      cluster: false,
      responses: new Array(10).fill(100),
      non2xxPerSecond: 1,
    });
    expect(evaluate(atLimit).checks.find((check) => check.id === 'errors')?.status).toBe('pass');
    const clean = syntheticRecord({ cluster: false, responses: new Array(10).fill(100) });
    clean.plan.maxErrorRate = 0;
    expect(evaluate(clean).pass).toBe(true);
    expect(evidence(evaluate(clean).checks, 'errors')).toBe('0.00% (0 of 1,000 requests); threshold 0.00%');
    const one = syntheticRecord({ cluster: false, responses: new Array(10).fill(100) });
    one.plan.maxErrorRate = 0;
    one.load.totals.errors = 1;
    one.load.totals.errorRate = 1 / 1001;
    expect(evaluate(one).pass).toBe(false);
  });

  it('says a target that never answered left the requests hanging, not that none were sent', () => {
    const record = syntheticRecord({ cluster: false, responses: [0, 0, 0] });
    const verdict = evaluate(record);
    expect(verdict.pass).toBe(false);
    expect(evidence(verdict.checks, 'errors')).toBe(
      'no response at all in 3s: the requests sent were still unanswered when the load stopped (request timeout 10s)',
    );
  });

  it('fails on an error rate over the threshold, naming the causes', () => {
    const record = syntheticRecord({
      cluster: false,
      responses: new Array(10).fill(100),
      non2xxPerSecond: 2,
    });
    const verdict = evaluate(record);
    expect(verdict.pass).toBe(false);
    expect(evidence(verdict.checks, 'errors')).toBe(
      '2.00% (20 of 1,000 requests: 20 × HTTP 503); threshold 1.00%',
    );
  });

  it('covers only the load when the cluster was not checked, and says so', () => {
    const verdict = evaluate(syntheticRecord({ cluster: false, responses: new Array(10).fill(100) }));
    expect(verdict).toMatchObject({ pass: true, scope: 'load-only' });
    expect(verdict.checks.map((check) => [check.id, check.status])).toEqual([
      ['completed', 'pass'],
      ['errors', 'pass'],
      ['cluster', 'skip'],
    ]);
    expect(evidence(verdict.checks, 'cluster')).toMatch(/^NOT RUN: --no-cluster was given\./);
  });

  it('says when the load ran past the planned duration, and fails a run the hard stop cut off', () => {
    const planned = syntheticRecord({ cluster: false, responses: [100, 100, 100] });
    expect(evidence(evaluate(planned).checks, 'completed')).toBe(
      '3s of load, stopped at the planned duration',
    );

    const late = syntheticRecord({ cluster: false, responses: [100, 100, 100] });
    late.load.totals.elapsedMs = 4600;
    const lateCheck = evaluate(late).checks.find((check) => check.id === 'completed');
    expect(lateCheck?.evidence).toBe(
      '4.6s of load, 1.6s past the planned 3s: the load generator was late to stop; the figures cover all 4.6s',
    );
    expect(lateCheck?.evidence).not.toContain('stopped at the planned duration');

    const cut = syntheticRecord({ cluster: false, responses: [100, 100, 100] });
    cut.load.totals.elapsedMs = 6050;
    cut.load.stopReason = 'watchdog';
    const verdict = evaluate(cut);
    expect(verdict.pass).toBe(false);
    expect(evidence(verdict.checks, 'completed')).toBe(
      '6.0s of load, 3.0s past the planned 3s: the load did not stop on its own and was cut off at the hard stop (sockets closed); the figures cover all 6.0s',
    );
  });

  it('gives the real request count when the run stopped at the request cap', () => {
    const record = syntheticRecord({ cluster: false, responses: [40, 20] });
    record.plan.maxRequests = 60;
    record.load.stopReason = 'max-requests';
    expect(evidence(evaluate(record).checks, 'completed')).toBe(
      '2s of load, stopped at the request cap: 60 of 60 requests made',
    );
  });

  it('fails an interrupted run, whatever else it saw', () => {
    const verdict = evaluate(syntheticRecord({ cluster: false, responses: [100, 100], interrupted: true }));
    expect(verdict.pass).toBe(false);
    expect(evidence(verdict.checks, 'completed')).toMatch(/^interrupted after 2s of load/);
  });

  it('fails when the HPA minimum is not the expected one, or replicas start above it', () => {
    const record = syntheticRecord({
      cluster: {
        expectedMinReplicas: 3,
        minReplicas: 3,
        samples: samplesEvery15s([4, 4, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 3], LOAD_S),
        loadEndT: LOAD_S,
        scaleIn: { timeoutMs: 600_000, endedT: 195, reachedMinimum: true, interrupted: false },
      },
    });
    const verdict = evaluate(record);
    expect(status(verdict.checks)).toMatchObject({ hpa: 'fail', baseline: 'fail' });
    expect(evidence(verdict.checks, 'hpa')).toMatch(/expected minReplicas 3/);
  });

  it('checks the CSI wiring in prod: the Secret must be the driver’s', () => {
    const preflight = preflightAtMinimum();
    preflight.secretProviderClasses = [
      {
        name: 'triage-keyvault',
        state: {
          name: 'triage-keyvault',
          provider: 'azure',
          syncedSecrets: [
            {
              name: 'triage-secrets-c2bgt5f67k',
              keys: ['AZURE_OPENAI_API_KEY', 'DATABASE_CONNECTION_STRING'],
            },
          ],
        },
      },
    ];
    const record = syntheticRecord({ cluster: { preflight, samples: samplesEvery15s([2, 2], LOAD_S) } });
    const secret = evaluate(record).checks.find((check) => check.id === 'secret');
    expect(secret?.status).toBe('fail');
    expect(secret?.evidence).toMatch(/not created by the CSI driver/);
    expect(secret?.evidence).toMatch(/lacks DATABASE_CONNECTION_STRING declared by triage-keyvault/);
  });

  it('accepts ready pods as evidence when the identity may not read Secrets or SecretProviderClasses', () => {
    const preflight = preflightAtMinimum();
    const forbidden = (name: string) => ({
      name,
      failure: 'forbidden' as const,
      error: `forbidden (the identity may not read it): Error from server (Forbidden): ${name} is forbidden`,
    });
    preflight.secrets = [forbidden('triage-secrets')];
    preflight.secretProviderClasses = [forbidden('triage-keyvault')];
    const record = syntheticRecord({ cluster: { preflight, samples: samplesEvery15s([2, 2], LOAD_S) } });
    const secret = evaluate(record).checks.find((check) => check.id === 'secret');
    expect(secret).toMatchObject({
      status: 'pass',
      evidence:
        'triage-secrets: this identity may not read Secrets, so key names are unverified; 2/2 pods of the current template are ready, which needs it (key names only)',
    });

    // Not when the Secret is optional, or no pod of the current template is ready.
    if (!preflight.deployment.state) throw new Error('no deployment');
    preflight.deployment.state.optionalSecretRefs = ['triage-secrets'];
    expect(evaluate(record).checks.find((check) => check.id === 'secret')?.status).toBe('fail');
    preflight.deployment.state.optionalSecretRefs = [];
    preflight.deployment.state.readyReplicas = 0;
    expect(evaluate(record).checks.find((check) => check.id === 'secret')?.status).toBe('fail');
  });
});

describe('verdict on the local lab', () => {
  it('reaching the maximum with CPU still above the target is a capacity failure, not a pass', () => {
    const replicas = [2, 2, 4, 8, 10, 10, 10, 10, 10, 10, 10, 10, 10, 6, 2];
    const record = syntheticRecord({
      cluster: {
        samples: samplesEvery15s(replicas, LOAD_S, 35),
        loadEndT: LOAD_S,
        scaleIn: { timeoutMs: 600_000, endedT: 220, reachedMinimum: true, interrupted: false },
      },
      responses: new Array(LOAD_S).fill(300),
    });
    const verdict = evaluate(record);
    const capacity = verdict.checks.find((check) => check.id === 'capacity');
    expect(capacity?.status).toBe('fail');
    expect(capacity?.evidence).toBe(
      'reached the maximum of 10 replicas with CPU still at 35% of request (target 10%): out of capacity, not a pass; raise maxReplicas or lower the load',
    );
    expect(verdict.pass).toBe(false);
  });

  it('a too-light load says what rate would cross the target, from the measured CPU per request', () => {
    const record = syntheticRecord({
      cluster: {
        samples: samplesEvery15s(new Array(13).fill(2), LOAD_S, 4),
        loadEndT: LOAD_S,
        lab: { bridge: { intervalMs: 5000, samples: [], cpuPerRequestMs: 2.5 } },
      },
    });
    const scaleOut = evaluate(record).checks.find((check) => check.id === 'scale-out');
    expect(scaleOut?.status).toBe('fail');
    // 10% × 1.1 × 250m × 2 pods ÷ 2.5 ms per request = 22 req/s.
    expect(scaleOut?.evidence).toMatch(
      /the load was too light for the 10% target: at the measured 2\.5 ms of CPU per request, 2 pods of 250m need more than 22 req\/s$/,
    );
  });
});
