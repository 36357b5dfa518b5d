import type { RunRecord } from '../record.js';

/** One bin of the chart: requests/s over the bin, and the replicas seen in it. */
export interface SeriesPoint {
  /** Start of the bin, seconds since the load started. */
  t: number;
  /** Responses per second over the load seconds in this bin (0 once the load has stopped). */
  rps: number;
  /** Non-2xx responses plus connection errors in this bin. */
  errors: number;
  /** Worst per-second p95 latency in this bin, ms. */
  p95: number;
  /** Highest HPA current replica count in the bin (else the last one before it). */
  replicas?: number;
  readyReplicas?: number;
  /** Last HPA desired replica count seen by the bin's end. */
  desiredReplicas?: number;
  /** Last CPU utilization (% of request) seen by the bin's end. */
  cpu?: number;
}

export interface ChartSeries {
  binSeconds: number;
  points: SeriesPoint[];
  /** Seconds from the load start to its end. */
  loadEndT: number;
  minReplicas?: number;
  hasCluster: boolean;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

/**
 * The timeline folded into at most `maxPoints` bins of whole seconds: what both charts draw, so
 * the SVG, the Mermaid block and the tables agree.
 */
export function buildSeries(record: RunRecord, maxPoints: number): ChartSeries {
  const seconds = record.load.seconds;
  const samples = record.cluster.checked ? record.cluster.samples : [];
  const lastSampleT = samples.length ? Math.max(...samples.map((sample) => sample.t)) : 0;
  // Labels may skip a second (a tick late by more than one): the last label, not the count, is the span.
  const span = Math.max((seconds.at(-1)?.t ?? -1) + 1, Math.floor(lastSampleT) + 1, 1);
  const binSeconds = Math.max(1, Math.ceil(span / Math.max(1, maxPoints)));
  const binCount = Math.ceil(span / binSeconds);
  const binOf = (t: number) => Math.min(binCount - 1, Math.max(0, Math.floor(t / binSeconds)));

  const points: SeriesPoint[] = Array.from({ length: binCount }, (_, index) => ({
    t: index * binSeconds,
    rps: 0,
    errors: 0,
    p95: 0,
  }));
  const spans = new Array<number>(binCount).fill(0);
  const responses = new Array<number>(binCount).fill(0);
  for (const second of seconds) {
    const bin = binOf(second.t);
    const point = points[bin] as SeriesPoint;
    spans[bin] = (spans[bin] ?? 0) + second.seconds;
    responses[bin] = (responses[bin] ?? 0) + second.responses;
    point.errors += second.non2xx + second.errors;
    point.p95 = Math.max(point.p95, round1(second.p95));
  }
  points.forEach((point, bin) => {
    const span = spans[bin] ?? 0;
    point.rps = span > 0 ? round1((responses[bin] ?? 0) / span) : 0;
  });

  if (samples.length) {
    const byBin = new Map<number, typeof samples>();
    for (const sample of samples) {
      if (sample.error) continue;
      const bin = binOf(sample.t);
      byBin.set(bin, [...(byBin.get(bin) ?? []), sample]);
    }
    let replicas: number | undefined;
    let ready: number | undefined;
    let cpu: number | undefined;
    let desired: number | undefined;
    points.forEach((point, bin) => {
      const inBin = byBin.get(bin) ?? [];
      const counts = inBin
        .map((sample) => sample.currentReplicas ?? sample.replicas)
        .filter((n) => n !== undefined);
      if (counts.length) replicas = Math.max(...counts);
      const lastReady = inBin.filter((sample) => sample.readyReplicas !== undefined).at(-1);
      if (lastReady) ready = lastReady.readyReplicas;
      const lastCpu = inBin.filter((sample) => sample.cpuUtilization !== undefined).at(-1);
      if (lastCpu) cpu = lastCpu.cpuUtilization;
      const lastDesired = inBin.filter((sample) => sample.desiredReplicas !== undefined).at(-1);
      if (lastDesired) desired = lastDesired.desiredReplicas;
      if (desired !== undefined) point.desiredReplicas = desired;
      if (replicas !== undefined) point.replicas = replicas;
      if (ready !== undefined) point.readyReplicas = ready;
      if (cpu !== undefined) point.cpu = cpu;
      // Only the latest reading carries forward; a bin with no sample says nothing new.
      if (counts.length) replicas = counts.at(-1);
    });
  }

  return {
    binSeconds,
    points,
    loadEndT: record.cluster.checked
      ? record.cluster.loadEndT
      : seconds.reduce((total, second) => total + second.seconds, 0),
    minReplicas: record.cluster.checked ? record.cluster.minReplicas : undefined,
    hasCluster: record.cluster.checked,
  };
}
