import { formatDuration } from '../lib/duration.js';
import type { LoadSecond, LoadTotals } from './engine.js';
import type { ClusterSample } from './sample.js';

export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export const ms = (value: number) => (value >= 100 ? `${Math.round(value)}ms` : `${value.toFixed(1)}ms`);

function replicasText(sample: ClusterSample | undefined): string {
  if (!sample) return '';
  if (sample.error) return '  replicas ?  cpu ?';
  const cpu = sample.cpuUtilization === undefined ? '<unknown>' : `${sample.cpuUtilization}%`;
  return `  replicas ${sample.currentReplicas ?? '?'}/${sample.desiredReplicas ?? '?'}  cpu ${cpu}`;
}

/**
 * Live progress on stderr: on a terminal one line rewritten every second; otherwise (CI logs) a
 * plain line every `plainEverySeconds`.
 */
export class Progress {
  private lineOpen = false;
  private lastPlainAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly stream: ProgressStream,
    private readonly tty = stream.isTTY === true,
    private readonly plainEverySeconds = 10,
  ) {}

  load(second: LoadSecond, totals: LoadTotals, plannedMs: number, sample?: ClusterSample): void {
    const rps = second.seconds > 0 ? second.responses / second.seconds : 0;
    const line =
      `load ${formatDuration(totals.elapsedMs)}/${formatDuration(plannedMs)}  ${Math.round(rps)} req/s` +
      `  p50 ${ms(second.p50)}  p95 ${ms(second.p95)}  errors ${(totals.errorRate * 100).toFixed(2)}%` +
      replicasText(sample);
    this.show(line, totals.elapsedMs / 1000);
  }

  scaleIn(elapsedMs: number, timeoutMs: number, minReplicas: number, sample: ClusterSample): void {
    const line = `scale-in ${formatDuration(elapsedMs)}/${formatDuration(timeoutMs)}  waiting for ${minReplicas} replicas${replicasText(sample)}`;
    this.show(line, elapsedMs / 1000);
  }

  /** A line that stays (preflight facts, phase changes); the next progress line prints at once. */
  note(text: string): void {
    this.closeLine();
    this.stream.write(`${text}\n`);
    this.lastPlainAt = Number.NEGATIVE_INFINITY;
  }

  end(): void {
    this.closeLine();
  }

  private show(line: string, atSeconds: number): void {
    if (this.tty) {
      // A pseudo-terminal nobody sized (`script` under CI, some containers) reports 0 columns.
      const width = this.stream.columns || 120;
      this.stream.write(`\r\x1b[2K${line.slice(0, Math.max(20, width - 1))}`);
      this.lineOpen = true;
      return;
    }
    if (atSeconds - this.lastPlainAt >= this.plainEverySeconds - 0.001) {
      this.lastPlainAt = atSeconds;
      this.stream.write(`${line}\n`);
    }
  }

  private closeLine(): void {
    if (this.lineOpen) {
      this.stream.write('\n');
      this.lineOpen = false;
    }
  }
}
