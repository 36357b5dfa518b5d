/** Values that say "no secret here yet": what a committed Secret or config may carry. */
const PLACEHOLDER_PATTERNS: readonly RegExp[] = [
  /^$/,
  /^\s+$/,
  /^<[^<>]*>$/,
  /^\$\{[^{}]*\}$/,
  /^\$\([^()]*\)$/,
  /^\{\{[^{}]*\}\}$/,
  /^(changeme|change-me|change_me|replaceme|replace-me|placeholder|todo|tbd|dummy|redacted|none|null|x+|\*+)$/i,
  /^set-by-[a-z0-9-]+$/i,
];

/** Whether a value is an obvious placeholder rather than a real value. */
export function isPlaceholder(value: string, extra: readonly RegExp[] = []): boolean {
  const trimmed = value.trim();
  return [...PLACEHOLDER_PATTERNS, ...extra].some((pattern) => pattern.test(trimmed));
}

/** The all-zero GUID, which the base uses to say "the overlay sets the client id". */
export const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value.trim());
}

/** Placeholders and the zero GUID: an identifier an overlay was supposed to fill in. */
export function isUnsetIdentifier(value: string | undefined): boolean {
  return value === undefined || isPlaceholder(value) || value.trim() === ZERO_GUID;
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

/** Decodes a Secret's `data` value; undefined when it is not valid base64. */
export function decodeBase64(value: string): string | undefined {
  const compact = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) return undefined;
  return Buffer.from(compact, 'base64').toString('utf8');
}
