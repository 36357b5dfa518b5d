import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../scripts/lib/duration.js';
import { ExitError } from '../../scripts/lib/exit-error.js';
import { parseLoadtestArgs, parseRate } from '../../scripts/loadtest/args.js';
import { triageRequests } from '../../scripts/loadtest/bodies.js';
import type { LoadSecond, LoadTotals } from '../../scripts/loadtest/engine.js';
import { LatencyHistogram } from '../../scripts/loadtest/histogram.js';
import { Progress } from '../../scripts/loadtest/progress.js';
import { endpointUrl } from '../../scripts/loadtest/run.js';

describe('durations', () => {
  it.each([
    ['90s', 90_000],
    ['3m', 180_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['1h2m3s', 3_723_000],
    ['500ms', 500],
    ['2.5s', 2500],
    ['45', 45_000],
  ])('parses %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '3x', 'm3', '1m 30s', '-5s', 'soon'])('rejects %j with the flag name', (text) => {
    expect(() => parseDuration(text, 'scale-in-timeout')).toThrow(/--scale-in-timeout: .* is not a duration/);
  });

  it.each([
    [90_000, '1m30s'],
    [180_000, '3m'],
    [3_723_000, '1h2m3s'],
    [3100, '3.1s'],
    [0, '0s'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('arguments', () => {
  it('--local: dev, 40 req/s, and refuses what would point it elsewhere', () => {
    expect(parseLoadtestArgs(['--local'])).toMatchObject({ env: 'dev', local: true, rate: 40 });
    expect(parseLoadtestArgs(['--local', '--connections', '5'])).toMatchObject({
      rate: undefined,
      connections: 5,
    });
    expect(parseLoadtestArgs(['--local', '--scale-down-window', '15s'])?.scaleDownWindowMs).toBe(15_000);
    expect(() => parseLoadtestArgs(['--local', '--url', 'http://127.0.0.1:1'])).toThrow(/drop --url/);
    expect(() => parseLoadtestArgs(['--local', '--context', 'aks-dev'])).toThrow(/drop --context/);
    expect(() => parseLoadtestArgs(['--env', 'dev', '--scale-down-window', '15s'])).toThrow(
      /--local runs only/,
    );
  });

  it('has the documented defaults', () => {
    expect(parseLoadtestArgs(['--env', 'dev'])).toEqual({
      env: 'dev',
      url: undefined,
      namespace: 'triage',
      context: undefined,
      kubeconfig: undefined,
      local: false,
      noCluster: false,
      durationMs: 180_000,
      connections: 10,
      rate: undefined,
      maxRequests: 5_000_000,
      requestTimeoutMs: 10_000,
      expectMinReplicas: undefined,
      scaleInTimeoutMs: 600_000,
      pollIntervalMs: 5000,
      maxErrorRate: 0.01,
      reportDir: undefined,
    });
  });

  it('reads every option', () => {
    const options = parseLoadtestArgs([
      '--url',
      'http://127.0.0.1:8000',
      '--no-cluster',
      '--duration',
      '1m30s',
      '--rate',
      '250',
      '--scale-in-timeout',
      '5m',
      '--expect-min-replicas',
      '3',
      '--report',
      'out',
      '--max-error-rate',
      '0.5%',
    ]);
    expect(options).toMatchObject({
      url: 'http://127.0.0.1:8000',
      noCluster: true,
      durationMs: 90_000,
      rate: 250,
      connections: 100,
      scaleInTimeoutMs: 300_000,
      expectMinReplicas: 3,
      reportDir: 'out',
      maxErrorRate: 0.005,
    });
  });

  it('returns undefined for --help', () => {
    expect(parseLoadtestArgs(['--help'])).toBeUndefined();
  });

  it.each([
    [[], /give --env dev\|prod or --url URL/],
    [['--env', 'staging'], /--env: expected dev or prod/],
    [['--url', 'ftp://x'], /only http and https/],
    [['--url', 'not a url'], /is not a URL/],
    [['--env', 'dev', '--connections', '5', '--rate', '10'], /not both/],
    [['--env', 'dev', '--duration', '2h'], /--duration: 2h is out of range/],
    [['--env', 'dev', '--connections', '0'], /--connections: expected a whole number/],
    [['--env', 'dev', '--no-cluster'], /--env needs the cluster/],
    [['--env', 'dev', '--bogus'], /Unknown option '--bogus'/],
    [['--env', 'dev', '--max-error-rate', '150%'], /--max-error-rate/],
  ])('rejects %j as an input error (exit 2)', (argv, message) => {
    try {
      parseLoadtestArgs(argv as string[]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ExitError);
      expect((error as ExitError).code).toBe(2);
      expect((error as ExitError).message).toMatch(message);
    }
  });

  it('reads error rates as percentages or fractions', () => {
    expect(parseRate('1%', 'x')).toBe(0.01);
    expect(parseRate('0.02', 'x')).toBe(0.02);
  });

  it('appends /api/triage to a base URL once', () => {
    expect(endpointUrl('http://20.61.143.27')).toBe('http://20.61.143.27/api/triage');
    expect(endpointUrl('http://h:8000/')).toBe('http://h:8000/api/triage');
    expect(endpointUrl('https://h/prefix')).toBe('https://h/prefix/api/triage');
    expect(endpointUrl('http://h/api/triage')).toBe('http://h/api/triage');
  });
});

describe('latency histogram', () => {
  it('gives percentiles within 2% with exact min and max', () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 1000; ms++) histogram.record(ms);
    expect(histogram.count).toBe(1000);
    expect(histogram.min).toBe(1);
    expect(histogram.max).toBe(1000);
    expect(histogram.mean).toBeCloseTo(500.5, 6);
    expect(histogram.percentile(0.5)).toBeGreaterThanOrEqual(500 * 0.98);
    expect(histogram.percentile(0.5)).toBeLessThanOrEqual(500 * 1.02);
    expect(histogram.percentile(0.95) / 950).toBeCloseTo(1, 1);
    expect(histogram.percentile(1)).toBe(1000);
  });

  it('is empty after reset', () => {
    const histogram = new LatencyHistogram();
    histogram.record(5);
    histogram.reset();
    expect([histogram.count, histogram.percentile(0.5), histogram.max]).toEqual([0, 0, 0]);
  });
});

describe('request bodies', () => {
  it('are realistic, varied and reproducible', () => {
    const requests = triageRequests(200);
    expect(triageRequests(200)).toEqual(requests);
    for (const request of requests) {
      expect(request.name).toMatch(/^\S+ \S+/);
      expect(Number.isInteger(request.age) && request.age >= 0 && request.age < 100).toBe(true);
      expect(request.symptoms.length).toBeGreaterThan(10);
    }
    expect(new Set(requests.map((request) => request.symptoms)).size).toBeGreaterThan(100);
    expect(new Set(requests.map((request) => request.name)).size).toBeGreaterThan(100);
  });
});

describe('progress', () => {
  const second = (t: number): LoadSecond => ({
    t,
    seconds: 1,
    responses: 420,
    non2xx: 0,
    errors: 0,
    p50: 12.34,
    p95: 150,
    p99: 200,
    max: 300,
  });
  const totals = (t: number): LoadTotals => ({
    elapsedMs: (t + 1) * 1000,
    responses: 420 * (t + 1),
    non2xx: 0,
    errors: 2,
    errorRate: 0.001,
    requestsPerSecond: 420,
    latency: { p50: 12, p95: 150, p99: 200, max: 300, mean: 20 },
    statusCodes: {},
    errorCodes: {},
  });
  const sample = { t: 3, phase: 'load' as const, currentReplicas: 3, desiredReplicas: 5, cpuUtilization: 42 };

  it('rewrites one line per second on a terminal', () => {
    let text = '';
    const progress = new Progress({ isTTY: true, columns: 200, write: (chunk: string) => (text += chunk) });
    progress.load(second(0), totals(0), 180_000, sample);
    progress.load(second(1), totals(1), 180_000, sample);
    progress.end();
    expect(text).toBe(
      '\r\x1b[2Kload 1s/3m  420 req/s  p50 12.3ms  p95 150ms  errors 0.10%  replicas 3/5  cpu 42%' +
        '\r\x1b[2Kload 2s/3m  420 req/s  p50 12.3ms  p95 150ms  errors 0.10%  replicas 3/5  cpu 42%\n',
    );
  });

  it('keeps the whole line on a terminal that reports no width', () => {
    let text = '';
    const progress = new Progress({ isTTY: true, columns: 0, write: (chunk: string) => (text += chunk) });
    progress.load(second(0), totals(0), 180_000, sample);
    expect(text).toBe(
      '\r\x1b[2Kload 1s/3m  420 req/s  p50 12.3ms  p95 150ms  errors 0.10%  replicas 3/5  cpu 42%',
    );
  });

  it('prints a plain line every 10 s otherwise', () => {
    const lines: string[] = [];
    const progress = new Progress({ isTTY: false, write: (chunk: string) => lines.push(chunk) });
    for (let t = 0; t < 25; t++) progress.load(second(t), totals(t), 180_000);
    expect(lines.map((line) => line.split('  ')[0])).toEqual(['load 1s/3m', 'load 11s/3m', 'load 21s/3m']);
    expect(lines.every((line) => line.endsWith('\n') && !line.includes('\r'))).toBe(true);
  });
});
