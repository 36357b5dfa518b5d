import { lintSource } from '@secretlint/core';
import { creator as recommendedPreset } from '@secretlint/secretlint-rule-preset-recommend';
import { isGuid, isPlaceholder, shannonEntropy } from './secrets.js';

/** Credential shapes secretlint's recommended preset does not know: Azure's. */
const AZURE_PATTERNS: readonly {
  label: string;
  test: (value: string, extra: readonly RegExp[]) => boolean;
}[] = [
  {
    label: 'Azure Storage or Cosmos DB connection string with an AccountKey',
    test: (value, extra) => keyValueIsReal(value, /AccountKey=([^;\s"']*)/gi, extra),
  },
  {
    label: 'Azure Service Bus or Event Hubs connection string with a SharedAccessKey',
    test: (value, extra) => keyValueIsReal(value, /SharedAccessKey=([^;\s"']*)/gi, extra),
  },
  {
    label: 'Azure shared access signature (SAS) token',
    test: (value) =>
      /(?:^|[?&\s"'])sig=[A-Za-z0-9%+/=]{10,}/.test(value) && /(?:^|[?&\s"'])s[ve]=/.test(value),
  },
  {
    label: 'Azure OpenAI or Cognitive Services key (32 hex characters)',
    test: (value) => /(?:^|[^0-9a-f])[0-9a-f]{32}(?:$|[^0-9a-f])/i.test(value) && !isGuid(value),
  },
  {
    label: 'URL with an embedded password',
    test: (value, extra) => {
      for (const match of value.matchAll(/[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:([^/\s@]+)@/gi)) {
        if (!isPlaceholder(decodeURIComponentSafe(match[1] ?? ''), extra)) return true;
      }
      return false;
    },
  },
];

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
export function azureCredentialPattern(value: string, extra: readonly RegExp[] = []): string | undefined {
  return AZURE_PATTERNS.find((pattern) => pattern.test(value, extra))?.label;
}

const SECRETLINT_CONFIG = {
  rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommendedPreset }],
};

/**
 * The secretlint recommended-preset rules a value trips, as `rule/messageId` (e.g. `github/GITHUB_TOKEN`).
 * Only the rule and message ids are kept: secretlint's own messages quote the secret.
 */
export async function secretlintPatterns(value: string): Promise<string[]> {
  const result = await lintSource({
    source: { content: value, filePath: '/config-value.txt', contentType: 'text' },
    options: { config: SECRETLINT_CONFIG, maskSecrets: true, noPhysicFilePath: true },
  });
  return result.messages.map(
    (message) => `${message.ruleId.replace(/^@secretlint\/secretlint-rule-/, '')}/${message.messageId}`,
  );
}

export interface EntropyOptions {
  threshold: number;
  minLength: number;
}

/**
 * Whether a single token looks like a random secret: long, from a key-like alphabet, mixing letters
 * and digits, above the entropy threshold — and not a GUID (client ids), a hex digest or commit
 * SHA (image digests, revisions), or a path.
 */
export function isHighEntropy(token: string, options: EntropyOptions): number | undefined {
  if (token.length < options.minLength) return undefined;
  if (!/^[A-Za-z0-9+/=_\-.~]+$/.test(token)) return undefined;
  if (!/[A-Za-z]/.test(token) || !/\d/.test(token)) return undefined;
  if (isGuid(token) || /^[0-9a-f]{40}$|^[0-9a-f]{64}$/i.test(token)) return undefined;
  if (token.startsWith('/') || token.startsWith('./')) return undefined;
  const entropy = shannonEntropy(token);
  return entropy >= options.threshold ? entropy : undefined;
}

/** The tokens of a (possibly multi-line) value worth an entropy check. */
export function entropyCandidates(value: string): string[] {
  return value.split(/[\s"'`,;:=&?()[\]{}<>]+/).filter((token) => token !== '');
}

/** `name=value` / `name: value` lines inside a multi-line value such as an embedded config file. */
export function embeddedAssignments(value: string): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const line of value.split('\n')) {
    const match = /^\s*["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*[:=]\s*["']?([^"'\s]*)["']?\s*,?\s*$/.exec(
      line,
    );
    if (match?.[1] && match[2] !== undefined) out.push({ name: match[1], value: match[2] });
  }
  return out;
}
