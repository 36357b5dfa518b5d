import { isGuid, isPlaceholder, shannonEntropy } from './secrets.js';

/** What a value's shape is judged with: where it sits, and what counts as a credential name. */
export interface CredentialContext {
  /** Further placeholder patterns (config). */
  extra: readonly RegExp[];
  /** Whether the key holding the value is named like a credential (or like an Azure AI key). */
  keyIsCredential: boolean;
  /** Whether a name inside the value (`api-key=…`, `"apiKey": …`) means a credential. */
  namedLikeCredential: (name: string) => boolean;
}

/**
 * Key names that mean an Azure AI (OpenAI, Cognitive Services) key even without a credential word:
 * `OPENAI=<32 hex>` is one, while a bare 32-hex value elsewhere is usually a checksum or a uid.
 */
export const AZURE_AI_KEY_NAME = /open[_.-]?ai|aoai|cognitive|speech|translator|ai[_.-]?services/i;

/**
 * A key name with its camelCase words split (`githubToken` → `github_Token`), so name patterns
 * written for `GITHUB_TOKEN` and `github-token` also see the words of `githubToken`.
 */
export function normalizeKeyName(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2');
}

/** Names of keys that hold a whole connection string: a credential only when it carries one. */
export const CONNECTION_STRING_NAME = /conn(ection)?[_.-]?str(ing)?/i;

/** Credential shapes secretlint's recommended preset does not know: Azure's, and URLs with a password. */
const AZURE_PATTERNS: readonly {
  label: string;
  test: (value: string, context: CredentialContext) => boolean;
}[] = [
  {
    label: 'Azure Storage or Cosmos DB connection string with an AccountKey',
    test: (value, { extra }) => keyValueIsReal(value, /AccountKey=([^;\s"']*)/gi, extra),
  },
  {
    label: 'Azure Service Bus or Event Hubs connection string with a SharedAccessKey',
    test: (value, { extra }) => keyValueIsReal(value, /SharedAccessKey=([^;\s"']*)/gi, extra),
  },
  {
    label: 'Azure shared access signature (SAS) token',
    test: (value) =>
      /(?:^|[?&\s"'])sig=[A-Za-z0-9%+/=]{10,}/.test(value) && /(?:^|[?&\s"'])s[ve]=/.test(value),
  },
  {
    label: 'Azure OpenAI or Cognitive Services key (32 hex characters)',
    test: hexKeyInContext,
  },
  {
    label: 'URL with an embedded password',
    test: (value, { extra }) => {
      // `redis://:password@host` has no user name, hence `*`.
      for (const match of value.matchAll(/[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:([^/\s@]+)@/gi)) {
        const password = decodeURIComponentSafe(match[1] ?? '');
        // `$DB_PASSWORD` in a `sh -c` script: the shell fills it in.
        if (!isPlaceholder(password, extra) && !/^\$[A-Za-z_]\w*$/.test(password)) return true;
      }
      return false;
    },
  },
];

const HEX_32 = /(?:^|[^0-9a-f])([0-9a-f]{32})(?=$|[^0-9a-f])/gi;

/** The `name` of a `name=`, `name: ` or `"name": "` that ends `text`. */
const ASSIGNED_NAME = /([A-Za-z][A-Za-z0-9_.-]*)["']?\s*[:=]\s*["']?$/;

/**
 * A 32-hex run is an Azure key only in a credential's place: under a key named like one, or right
 * after a credential name inside the value (`api-key=…`). Alone it is as likely an MD5 checksum
 * (`checksum/config`), a dashboard uid or a build hash.
 */
function hexKeyInContext(value: string, context: CredentialContext): boolean {
  for (const match of value.matchAll(HEX_32)) {
    if (context.keyIsCredential) return true;
    const start = (match.index ?? 0) + match[0].length - 32;
    // A bounded look back: the name sits just before the value.
    const before = ASSIGNED_NAME.exec(value.slice(Math.max(0, start - 80), start));
    if (before?.[1] && context.namedLikeCredential(before[1])) return true;
  }
  return false;
}

function keyValueIsReal(value: string, pattern: RegExp, extra: readonly RegExp[]): boolean {
  for (const match of value.matchAll(pattern)) {
    if (!isPlaceholder(match[1] ?? '', extra)) return true;
  }
  return false;
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The Azure credential pattern a value matches, if any. */
export function azureCredentialPattern(value: string, context: CredentialContext): string | undefined {
  return AZURE_PATTERNS.find((pattern) => pattern.test(value, context))?.label;
}

/**
 * Fields of a connection string (`k=v;…`, `k=v&…`, `k=v k=v`) that hold a credential. AccountKey
 * and SharedAccessKey are Azure patterns above; URL userinfo is the URL pattern.
 */
// Quoted values are bounded, so an unclosed quote costs a bounded look ahead, not the rest of the text.
const CARRIED_CREDENTIAL =
  /(?:^|[;&?\s])(password|pwd|passwd|pass|sharedaccesssignature|access[_-]?token|api[_-]?key|client[_-]?secret|token|secret) ?= ?("[^"\n]{0,256}"|'[^'\n]{0,256}'|[^;&\s]*)/gi;

/**
 * The name of the credential field a connection string carries with a real value (`Password`,
 * `Pwd`…), if any. `{your_password}`, as the Azure portal writes it, is a placeholder here.
 */
export function carriedCredential(value: string, extra: readonly RegExp[]): string | undefined {
  for (const match of value.matchAll(CARRIED_CREDENTIAL)) {
    const field = (match[2] ?? '').replace(/^(["'])(.*)\1$/, '$2');
    if (isPlaceholder(field, extra) || /^\{[A-Za-z][\w .-]*\}$/.test(field)) continue;
    return match[1];
  }
  return undefined;
}

/** secretlint and its preset, loaded on first use: `--list-rules` and `--help` never pay for them. */
type LintSource = typeof import('@secretlint/core').lintSource;
let secretlint:
  | Promise<{ lintSource: LintSource; config: Parameters<LintSource>[0]['options']['config'] }>
  | undefined;
export function loadSecretlint() {
  secretlint ??= Promise.all([
    import('@secretlint/core'),
    import('@secretlint/secretlint-rule-preset-recommend'),
  ]).then(([core, preset]) => ({
    lintSource: core.lintSource,
    config: { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: preset.creator }] },
  }));
  return secretlint;
}

/**
 * The secretlint recommended-preset rules a value trips, as `rule/messageId` (e.g. `github/GITHUB_TOKEN`).
 * Only the rule and message ids are kept: secretlint's own messages quote the secret.
 */
export async function secretlintPatterns(value: string): Promise<string[]> {
  const { lintSource, config } = await loadSecretlint();
  const result = await lintSource({
    source: { content: value, filePath: '/config-value.txt', contentType: 'text' },
    options: { config, maskSecrets: true, noPhysicFilePath: true },
  });
  return result.messages.map(
    (message) => `${message.ruleId.replace(/^@secretlint\/secretlint-rule-/, '')}/${message.messageId}`,
  );
}

/** Values joined into one secretlint run, up to this many characters a run (a few runs for a huge overlay). */
const SCREEN_CHUNK_CHARS = 256 * 1024;
/** Between two values: a blank line, which none of the preset's patterns spans. */
const SCREEN_SEPARATOR = '\n\n';

/**
 * secretlintPatterns for many values at once. Each secretlint run sets up its ~30 rules again,
 * about 1 ms a call (30 values: 26 ms, against 0.2 ms for one run over all of them), so the values
 * are screened together, and each value secretlint flags there is run again on its own for the
 * exact answer a lone run gives: the joint run only decides which values need one.
 */
export async function secretlintPatternsOf(values: Iterable<string>): Promise<Map<string, string[]>> {
  const { lintSource, config } = await loadSecretlint();
  const unique = [...new Set(values)];
  const out = new Map<string, string[]>(unique.map((value) => [value, []]));
  const flagged = new Set<string>();
  for (let start = 0; start < unique.length; ) {
    // One chunk: its values and where each begins in the joined text.
    const chunk: string[] = [];
    const offsets: number[] = [];
    let length = 0;
    while (start < unique.length && (chunk.length === 0 || length < SCREEN_CHUNK_CHARS)) {
      const value = unique[start++] as string;
      offsets.push(length);
      chunk.push(value);
      length += value.length + SCREEN_SEPARATOR.length;
    }
    const result = await lintSource({
      source: { content: chunk.join(SCREEN_SEPARATOR), filePath: '/config-value.txt', contentType: 'text' },
      options: { config, maskSecrets: true, noPhysicFilePath: true },
    });
    for (const message of result.messages) {
      const at = lastAtOrBefore(offsets, message.range[0]);
      const value = chunk[at];
      if (value !== undefined) flagged.add(value);
    }
  }
  for (const value of flagged) out.set(value, await secretlintPatterns(value));
  return out;
}

/** The index of the last offset at or before `position` (offsets ascending, the first 0). */
function lastAtOrBefore(offsets: readonly number[], position: number): number {
  let low = 0;
  let high = offsets.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((offsets[middle] as number) <= position) low = middle;
    else high = middle - 1;
  }
  return low;
}

export interface EntropyOptions {
  threshold: number;
  minLength: number;
}

/**
 * Whether a single token looks like a random secret: long, from a key-like alphabet, mixing letters
 * and digits, above the entropy threshold — and not a GUID (client ids), a hex digest or commit
 * SHA (MD5 checksums, image digests, revisions), or a path (also a lower-case resource path). A 32-hex Azure key is caught by its
 * context instead (`hexKeyInContext`).
 */
export function isHighEntropy(token: string, options: EntropyOptions): number | undefined {
  if (token.length < options.minLength) return undefined;
  if (!/^[A-Za-z0-9+/=_\-.~]+$/.test(token)) return undefined;
  if (!/[A-Za-z]/.test(token) || !/\d/.test(token)) return undefined;
  if (isGuid(token) || /^[0-9a-f]{32}$|^[0-9a-f]{40}$|^[0-9a-f]{64}$/i.test(token)) return undefined;
  if (token.startsWith('/') || token.startsWith('./')) return undefined;
  // A lower-case resource path (`projects/p-123/instances/main/…`): base64 would mix cases.
  if (/^[a-z0-9._~-]+(\/[a-z0-9._~-]+)+$/.test(token)) return undefined;
  const entropy = shannonEntropy(token);
  return entropy >= options.threshold ? entropy : undefined;
}

/** The tokens of a (possibly multi-line) value worth an entropy check. */
export function entropyCandidates(value: string): string[] {
  return value.split(/[\s"'`,;:=&?()[\]{}<>]+/).filter((token) => token !== '');
}

/**
 * `name=value` / `name: value` lines inside a multi-line value such as an embedded config file,
 * each with its line in the value (1-based), so a finding can point at that line of the source.
 */
export function embeddedAssignments(value: string): { name: string; value: string; line: number }[] {
  const out: { name: string; value: string; line: number }[] = [];
  value.split('\n').forEach((line, index) => {
    const match = /^\s*["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*[:=]\s*["']?([^"'\s]*)["']?\s*,?\s*$/.exec(
      line,
    );
    if (match?.[1] && match[2] !== undefined) out.push({ name: match[1], value: match[2], line: index + 1 });
  });
  return out;
}
