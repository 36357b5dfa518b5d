const MIN_MS = 0.001;
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
const MAX_MS = 600_000;
const BUCKETS = Math.ceil(Math.log(MAX_MS / MIN_MS) / LOG_GROWTH) + 1;

/**
 * A latency histogram with fixed memory: log-spaced buckets 2% apart from 1 µs to 10 min, so a
 * percentile is within 2% of the true value however many requests a run makes. Min, max and
 * mean are exact.
 */
export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  count = 0;
  private sum = 0;
  private minMs = Number.POSITIVE_INFINITY;
  private maxMs = 0;

  record(ms: number): void {
    const value = Math.min(Math.max(ms, 0), MAX_MS);
    const index =
      value <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(value / MIN_MS) / LOG_GROWTH));
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.count += 1;
    this.sum += value;
    if (value < this.minMs) this.minMs = value;
    if (value > this.maxMs) this.maxMs = value;
  }

  /** The latency (ms) below which `fraction` (0..1) of the recorded requests fall; 0 when empty. */
  percentile(fraction: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(fraction * this.count));
    let seen = 0;
    for (let index = 0; index < BUCKETS; index++) {
      seen += this.counts[index] ?? 0;
      if (seen >= rank) return Math.min(this.maxMs, Math.max(this.minMs, MIN_MS * GROWTH ** index));
    }
    return this.maxMs;
  }

  get min(): number {
    return this.count === 0 ? 0 : this.minMs;
  }

  get max(): number {
    return this.maxMs;
  }

  get mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.minMs = Number.POSITIVE_INFINITY;
    this.maxMs = 0;
  }
}
