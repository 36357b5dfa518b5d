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

/**
 * Decodes a Secret's `data` value; undefined when it is not valid base64. Decodes as the API server
 * does (Go's padded standard alphabet, line breaks ignored, any other space an error), so undefined
 * means the server rejects the Secret with "illegal base64 data".
 */
export function decodeBase64(value: string): string | undefined {
  const compact = value.replace(/[\r\n]+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) return undefined;
  return Buffer.from(compact, 'base64').toString('utf8');
}

/** OpenSSH public key types, as the first field of a key line and inside its blob. */
const SSH_KEY_TYPES = new Set(
  [
    'ssh-ed25519',
    'ssh-rsa',
    'ssh-dss',
    'ecdsa-sha2-nistp256',
    'ecdsa-sha2-nistp384',
    'ecdsa-sha2-nistp521',
    'sk-ssh-ed25519@openssh.com',
    'sk-ecdsa-sha2-nistp256@openssh.com',
  ].flatMap((type) => [type, type.replace(/(@openssh\.com)?$/, '-cert-v01@openssh.com')]),
);

/**
 * Whether every line of `value` is an SSH public key: a known_hosts line (`[@marker] hosts type
 * blob`), an authorized_keys or `.pub` line (`type blob [comment]`), blank or a `#` comment. Public
 * keys are meant to be shared; a private key block, or any other line, makes the answer false. The
 * blob must decode to a key of the type the line names, so text merely shaped like a key line does
 * not pass.
 */
export function isSshPublicKeyList(value: string): boolean {
  if (value.includes('PRIVATE KEY')) return false;
  let keys = 0;
  for (const raw of value.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (!isSshPublicKeyLine(line)) return false;
    keys++;
  }
  return keys > 0;
}

function isSshPublicKeyLine(line: string): boolean {
  const fields = line.split(/\s+/);
  // The type comes first (.pub), after the hosts (known_hosts), or after a marker and the hosts.
  const at = fields.slice(0, 3).findIndex((field) => SSH_KEY_TYPES.has(field));
  if (at < 0 || (at === 2 && !/^@(cert-authority|revoked)$/.test(fields[0] ?? ''))) return false;
  return sshBlobHasType(fields[at + 1] ?? '', fields[at] ?? '');
}

/** An SSH key blob starts with its type as a length-prefixed string, followed by the key itself. */
function sshBlobHasType(blob: string, type: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(blob) || blob.length % 4 !== 0) return false;
  const bytes = Buffer.from(blob, 'base64');
  if (bytes.length < 4 + type.length + 4) return false;
  return bytes.readUInt32BE(0) === type.length && bytes.toString('latin1', 4, 4 + type.length) === type;
}
