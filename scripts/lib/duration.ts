import { ExitError } from './exit-error.js';

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
const PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;

/**
 * Parses `90s`, `3m`, `1m30s`, `1h`, `500ms` (or a bare number of seconds) into milliseconds.
 * `option` names the flag in the error message.
 */
export function parseDuration(text: string, option = 'duration'): number {
  const input = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(input)) return Math.round(Number(input) * 1000);
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let match = PART.exec(input); match; match = PART.exec(input)) {
    total += Number(match[1]) * (UNIT_MS[match[2] ?? 's'] ?? 1000);
    consumed = PART.lastIndex;
  }
  if (input === '' || consumed !== input.length) {
    throw new ExitError(`--${option}: '${text}' is not a duration (use e.g. 90s, 3m, 1m30s)`);
  }
  return Math.round(total);
}

/** `1m30s`, `45s`, `2.5s`, `1h2m`: the inverse of parseDuration, for humans. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 10_000 && abs % 1000 !== 0) return `${sign}${(abs / 1000).toFixed(1)}s`;
  let seconds = Math.round(abs / 1000);
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const parts: string[] = [];
  if (hours) parts.push(`${hours}h`);
  if (minutes) parts.push(`${minutes}m`);
  if (seconds || parts.length === 0) parts.push(`${seconds}s`);
  return sign + parts.join('');
}
