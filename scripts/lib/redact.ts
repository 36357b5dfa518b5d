/** Values shorter than this are left alone: masking `1` or `info` everywhere would garble a message. */
export const MIN_MASKED_LENGTH = 4;

/**
 * Replaces every occurrence of each value, plain and base64-encoded (as a Secret's `data` holds
 * it), with `marker`. Longest first, so a value containing another is masked whole.
 */
export function maskValues(text: string, values: readonly string[], marker = '<redacted>'): string {
  const forms = new Set<string>();
  for (const raw of values) {
    const value = raw.trim();
    if (value.length < MIN_MASKED_LENGTH) continue;
    forms.add(value);
    // As JSON or Go quoting writes it (inside a last-applied annotation, a klog line), once and twice.
    const escaped = JSON.stringify(value).slice(1, -1);
    forms.add(escaped);
    forms.add(JSON.stringify(escaped).slice(1, -1));
    // As a message reads after its whitespace was collapsed.
    forms.add(value.replace(/\s+/g, ' '));
    forms.add(Buffer.from(value, 'utf8').toString('base64'));
    // Base64 of the value with a line ending, as `echo value | base64` writes it.
    forms.add(Buffer.from(`${value}\n`, 'utf8').toString('base64'));
  }
  let out = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) out = out.split(form).join(marker);
  return out;
}
