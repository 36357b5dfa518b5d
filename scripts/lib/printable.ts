/**
 * Text from a controller (or kubectl) made safe to print in a CI log, on one line of at most
 * `maxChars` characters:
 * - control and format characters (newlines, CR, tabs, ESC, bidi marks, zero-width characters)
 *   collapse to one space, so the text cannot start a line of its own;
 * - `::` becomes `:%3A` and `##[` becomes `##%5B` (the runner's own escapes), because the GitHub
 *   runner reads `::command::` at a line's start and the legacy `##[command]` anywhere in a line.
 */
export function printableLine(text: string, maxChars: number): string {
  // A huge input (kubectl may print megabytes) is cut before the regexes run on it, leaving room
  // for runs of whitespace that collapse; the exact cut is below.
  const room = Math.max(maxChars * 4, 64 * 1024);
  const head = text.length > room ? text.slice(0, room) : text;
  const line = head
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\s]+/gu, ' ')
    .trim()
    .replaceAll('::', ':%3A')
    .replaceAll('##[', '##%5B');
  if (line.length <= maxChars && head === text) return line;
  let kept = line.slice(0, maxChars);
  // Never end on half of a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(kept)) kept = kept.slice(0, -1);
  return `${kept.trimEnd()}…[cut]`;
}
