import { relative } from 'node:path';
import { $ } from 'zx';
import { ExitError } from '../lib/exit-error.js';
import { maskValues } from '../lib/redact.js';
import { findKustomize } from './tools.js';

export interface RenderOptions {
  /** Working directory used to make file names in messages relative (the repository root). */
  root?: string;
  timeoutMs?: number;
  /**
   * Values that must never be printed (generator literals, env-file values): kustomize quotes some
   * of them in its errors (`invalid literal source <value>`), and its message ends up in every report.
   */
  sensitive?: readonly string[];
}

const DEFAULT_TIMEOUT_MS = 60_000;
/** kustomize output is bounded so a runaway generator cannot exhaust memory. */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** Renders one kustomization directory with the real kustomize and returns the YAML stream. */
export async function renderOverlay(dir: string, options: RenderOptions = {}): Promise<string> {
  const engine = await findKustomize();
  const root = options.root ?? process.cwd();
  const shown = relative(root, dir).split('\\').join('/') || '.';
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const result = await $({ nothrow: true, quiet: true, timeout })`${engine.command} ${dir}`;
  if (result.signal) {
    throw new ExitError(`kustomize did not finish within ${timeout / 1000}s`, 2, {
      file: `${shown}/kustomization.yaml`,
    });
  }
  if (result.exitCode !== 0) {
    const reason = summariseKustomizeError(result.stderr, root, options.sensitive);
    throw new ExitError(`kustomize could not build it: ${reason}`, 2, {
      file: `${shown}/kustomization.yaml`,
    });
  }
  if (result.stdout.length > MAX_OUTPUT_BYTES) {
    throw new ExitError(`kustomize printed more than ${MAX_OUTPUT_BYTES >> 20} MiB`, 2, {
      file: `${shown}/kustomization.yaml`,
    });
  }
  return result.stdout;
}

/**
 * kustomize's error as one readable line: the message inside kubectl's klog wrapping
 * (`E1123 … run.go:72] "command failed" err="…"` or `err=<` … `>`), absolute paths made relative to
 * the repository root, known values redacted, and a hint for the failures this repository's users meet.
 */
export function summariseKustomizeError(
  stderr: string,
  root: string,
  sensitive: readonly string[] = [],
): string {
  // kustomize prints deprecation warnings (`# Warning: 'bases' is deprecated…`) before its error.
  const all = unwrapKlog(stderr)
    .split('\n')
    .filter((line) => !/^#\s*Warning:/i.test(line));
  const errorAt = all.findIndex((line) => /^error:/i.test(line));
  const lines = (errorAt >= 0 ? all.slice(errorAt) : all).map((line) => line.replace(/^error:\s*/i, ''));
  const usage = lines.findIndex((line) => /^Usage:/.test(line));
  const message = (usage >= 0 ? lines.slice(0, usage) : lines).filter((line) => line.trim() !== '').join(' ');
  const relative = (message || 'unknown error')
    .split(`${root}/`)
    .join('')
    .split(root)
    .join('.')
    .replace(/\s+/g, ' ')
    .trim();
  const redacted = redact(relative, sensitive);
  const shown = redacted.length > MAX_MESSAGE_CHARS ? `${redacted.slice(0, MAX_MESSAGE_CHARS)}…` : redacted;
  const hint = HINTS.find(([pattern]) => pattern.test(redacted))?.[1];
  return hint ? `${shown} (${hint})` : shown;
}

const MAX_MESSAGE_CHARS = 600;

/** A klog line as kubectl prints a failed command: `E1123 13:44:30.294101   12804 run.go:72] "command failed" err=…`. */
const KLOG_ERR = /^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+ [^\]]*\] (?:"[^"]*" )?err=(.*)$/;

/** kubectl wraps kustomize's error in klog: a Go-quoted string, or a `<` … `>` block of tab-indented lines. */
function unwrapKlog(stderr: string): string {
  const lines = stderr.split('\n');
  const at = lines.findIndex((line) => KLOG_ERR.test(line));
  if (at < 0) return stderr;
  const value = KLOG_ERR.exec(lines[at] ?? '')?.[1]?.trim() ?? '';
  if (value === '<') {
    const block: string[] = [];
    for (const line of lines.slice(at + 1)) {
      if (/^\s*>\s*$/.test(line)) break;
      block.push(line.replace(/^\t/, ''));
    }
    return block.join('\n');
  }
  if (value.startsWith('"')) {
    try {
      return String(JSON.parse(value));
    } catch {
      return value.slice(1, value.endsWith('"') ? -1 : undefined).replace(/\\"/g, '"');
    }
  }
  return value;
}

const REDACTED = '<redacted>';

/**
 * Values kustomize quotes in its errors. The literal-source errors are redacted by shape (the value may
 * be anything); every other known value wherever it appears. Short values are left: redacting `1` or
 * `info` everywhere would garble the message, and kustomize quotes no value elsewhere.
 */
function redact(message: string, sensitive: readonly string[]): string {
  const out = message
    .replace(/literal sources \[[^\]]*\]/g, `literal sources [${REDACTED}]`)
    .replace(
      /invalid literal source .*?, expected key=value/g,
      `invalid literal source ${REDACTED}, expected key=value`,
    );
  return maskValues(out, sensitive, REDACTED);
}

const HINTS: [RegExp, string][] = [
  [
    /must specify --enable-helm/,
    'validate does not inflate helmCharts: commit the output of `helm template` and list it under resources',
  ],
  [
    /no such host|Could not resolve host|dial tcp|git fetch/,
    'a remote resource could not be fetched; validate needs network access for remote bases, or vendor them into the repository',
  ],
];
