import { maskValues } from '../lib/redact.js';

const REDACTED = '<redacted>';
const MAX_MESSAGE_CHARS = 600;

/**
 * kustomize's error as one readable line: the message inside kubectl's klog wrapping
 * (`E1123 … run.go:72] "command failed" err="…"` or `err=<` … `>`), absolute paths made relative to
 * the repository root, and a hint for the failures this repository's users meet.
 *
 * Secret values are taken out before anything else changes the text: every known value (plain,
 * base64, JSON-escaped, whitespace-collapsed), then the dumps in which kustomize quotes whole
 * objects or plugin configurations, whose values may be unknown to us.
 */
export function summariseKustomizeError(
  stderr: string,
  root: string,
  sensitive: readonly string[] = [],
): string {
  // Redacted once raw (a value spread over lines, or inside klog's quoting) and once unwrapped.
  const unwrapped = redact(unwrapKlog(redact(stderr, sensitive)), sensitive);
  // kustomize prints deprecation warnings (`# Warning: 'bases' is deprecated…`) before its error.
  const all = unwrapped.split('\n').filter((line) => !/^#\s*Warning:/i.test(line));
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
  // After collapsing whitespace, once more: a value with two spaces now reads with one.
  const redacted = redact(relative, sensitive);
  const shown = redacted.length > MAX_MESSAGE_CHARS ? `${redacted.slice(0, MAX_MESSAGE_CHARS)}…` : redacted;
  const hint = HINTS.find(([pattern]) => pattern.test(redacted))?.[1];
  return hint ? `${shown} (${hint})` : shown;
}

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

/**
 * Known values in every form they take in kustomize's text, then what kustomize quotes whole:
 * literal sources (the value may be anything), a plugin's configuration (`with config: \`…\``,
 * where inline helm values sit) and Go dumps of objects (`in object {{v1 Secret} …}`, `map[…]`),
 * which carry annotations such as last-applied-configuration.
 */
function redact(message: string, sensitive: readonly string[]): string {
  const masked = maskValues(message, sensitive, REDACTED);
  return stripDumps(
    masked
      .replace(/literal sources \[[^\]]*\]/g, `literal sources [${REDACTED}]`)
      .replace(
        /invalid literal source [\s\S]*?, expected key=value/g,
        `invalid literal source ${REDACTED}, expected key=value`,
      )
      .replace(/with config: `[^`]*`/g, 'with config: <not shown>'),
  );
}

/** Replaces each balanced Go dump (`{{…}}` after "object", `map[…]`) with a marker; linear in the text. */
function stripDumps(text: string): string {
  const start = /map\[|object \{/g;
  let out = '';
  let from = 0;
  for (let match = start.exec(text); match; match = start.exec(text)) {
    const open = match[0].endsWith('[') ? '[' : '{';
    const close = open === '[' ? ']' : '}';
    let depth = 0;
    let end = match.index + match[0].length - 1;
    for (; end < text.length; end++) {
      if (text[end] === open) depth++;
      else if (text[end] === close && --depth === 0) break;
    }
    out += text.slice(from, match.index) + (open === '[' ? 'map[<not shown>]' : 'object <not shown>');
    from = end + 1;
    start.lastIndex = from;
  }
  return out + text.slice(from);
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
