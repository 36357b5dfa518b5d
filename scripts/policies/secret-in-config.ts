import { SUPPRESSION_ANNOTATION_PREFIX } from '../config/suppressions.js';
import type { FieldPath, Resource } from '../core/resource.js';
import { keyDisplay } from '../core/secret-keys.js';
import { compileConfigPatterns } from '../lib/patterns.js';
import { definePolicy, type PolicyContext, type RawFinding } from './types.js';
import { credentialArguments } from './util/credential-args.js';
import {
  AZURE_AI_KEY_NAME,
  azureCredentialPattern,
  CONNECTION_STRING_NAME,
  type CredentialContext,
  carriedCredential,
  embeddedAssignments,
  entropyCandidates,
  isHighEntropy,
  loadSecretlint,
  normalizeKeyName,
  secretlintPatterns,
  secretlintPatternsOf,
} from './util/credentials.js';
import { asArray, asObject, asString, asStringMap } from './util/json.js';
import { isPlaceholder, isSshPublicKeyList } from './util/secrets.js';
import { containersOf, podTemplate } from './util/workload.js';

type SecretInConfigOptions = {
  credentialKeyPatterns: string[];
  ignoreKeyPatterns: string[];
  entropyThreshold: number;
  entropyMinLength: number;
  extraPlaceholders: string[];
  ignoreAnnotations: string[];
};

/** One literal value the rendered object carries where no credential belongs. */
interface ConfigValue {
  /** What a person reads: `ConfigMap key LOG_LEVEL`, `env X of container backend`, `annotation k`. */
  where: string;
  name: string;
  value: string;
  path: FieldPath;
}

function configValues(resource: Resource, ignoreAnnotations: readonly string[]): ConfigValue[] {
  const out: ConfigValue[] = [];
  const annotations = (metadataPath: FieldPath, map: Record<string, string>) => {
    for (const [name, value] of Object.entries(map)) {
      if (name.startsWith(SUPPRESSION_ANNOTATION_PREFIX) || ignoreAnnotations.includes(name)) continue;
      out.push({ where: `annotation ${name}`, name, value, path: [...metadataPath, 'annotations', name] });
    }
  };
  annotations(['metadata'], asStringMap(asObject(resource.body.metadata)?.annotations));
  if (resource.kind === 'ConfigMap') {
    const data = asStringMap(resource.body.data);
    const shown = keyDisplay(Object.keys(data));
    for (const [name, value] of Object.entries(data)) {
      // A key the API server refuses may itself hold the value: `where` shows its marker only.
      out.push({ where: `ConfigMap key ${shown(name)}`, name, value, path: ['data', name] });
    }
  }
  const pod = podTemplate(resource);
  if (pod) {
    if (pod.metadataPath.length > 0) annotations(pod.metadataPath, pod.annotations);
    for (const { container, name: containerName, path } of containersOf(pod)) {
      asArray(container.env).forEach((each, index) => {
        const env = asObject(each);
        const name = asString(env?.name);
        const value = asString(env?.value);
        if (name && value !== undefined) {
          out.push({
            where: `env ${name} of container ${containerName}`,
            name,
            value,
            path: [...path, 'env', index, 'value'],
          });
        }
      });
    }
  }
  return out;
}

/** A container's command line: `command` then `args`, each element with its path. */
interface CommandLine {
  container: string;
  elements: { text: string; field: 'command' | 'args'; index: number; path: FieldPath }[];
}

function commandLines(resource: Resource): CommandLine[] {
  const pod = podTemplate(resource);
  if (!pod) return [];
  return containersOf(pod).map(({ container, name, path }) => ({
    container: name,
    elements: (['command', 'args'] as const).flatMap((field) =>
      asArray(container[field]).flatMap((each, index) => {
        const text = asString(each);
        return text === undefined ? [] : [{ text, field, index, path: [...path, field, index] }];
      }),
    ),
  }));
}

/** `$VAR`, `${VAR}`, `$(VAR)` and `$(cat file)`: the shell or the kubelet fills the value in. */
const REFERENCE = /^\$[({A-Za-z_]/;
const PATH = /^(\/|\.\.?\/|~\/|@\/)/;

const NUMBER_OR_FLAG = /^(-?\d+(\.\d+)?[a-z]{0,3}|true|false|yes|no|on|off)$/i;

/**
 * Whether a key name is named like a credential, per options object (one per rule and overlay
 * run): the same names (LOG_LEVEL, DB_HOST) come back in every object, and each verdict costs
 * linear-time pattern matches. Bounded, like every cache here.
 */
const judgedNames = new WeakMap<object, Map<string, boolean>>();
const MAX_JUDGED_NAMES = 10_000;

/**
 * What secretlint finds in every value of the overlay, screened in one run per overlay (see
 * secretlintPatternsOf) the first time a check asks: one run per value cost most of the rule's time.
 */
const screenedOverlays = new WeakMap<PolicyContext, Promise<Map<string, string[]>>>();

function screenOverlay(
  ctx: PolicyContext,
  ignoreAnnotations: readonly string[],
): Promise<Map<string, string[]>> {
  let screened = screenedOverlays.get(ctx);
  if (!screened) {
    const values = ctx.resources.flatMap((resource) =>
      configValues(resource, ignoreAnnotations)
        .map((each) => each.value)
        .filter((value) => value.length >= SECRETLINT_MIN_LENGTH),
    );
    screened = secretlintPatternsOf(values);
    screenedOverlays.set(ctx, screened);
  }
  return screened;
}

/** Shorter values are not given to secretlint: none of its patterns is that short. */
const SECRETLINT_MIN_LENGTH = 8;

/** The built-in key-name patterns (options' defaults): see compileConfigPatterns for why they are named. */
const CREDENTIAL_KEY_PATTERNS: readonly string[] = [
  '(^|[_./-])key$',
  'api[_.-]?key',
  'access[_.-]?key',
  'account[_.-]?key',
  'private[_.-]?key',
  'secret[_.-]?key',
  'passw(or)?d',
  '(^|[_./-])pass$',
  '(^|[_./-])pwd($|[_./-])',
  '(^|[_./-])token($|[_./-])',
  'token$',
  '(^|[_./-])secret($|[_./-])',
  'secret$',
  'client[_.-]?secret',
  'connection[_.-]?string',
  'conn[_.-]?str',
  '(^|[_./-])credentials?($|[_./-])',
  '(^|[_./-])sas($|[_./-])',
];
const IGNORE_KEY_PATTERNS: readonly string[] = [
  '[_./-](names?|paths?|files?|dirs?|ids?|urls?|uris?|endpoints?|hosts?|ttl|expiry|limit|max|min|size|count|enabled|type|version|header|prefix|mount)$',
  '[_./-](length|len|policy|issuer|audience|scopes?|store|provider|class|ref|kind|mode|format|algorithm|pattern|regex|timeout|lifetime|duration|interval|stdin)$',
];

export const secretInConfigPolicy = definePolicy<SecretInConfigOptions>({
  id: 'secret-in-config',
  description: 'ConfigMaps, container env values, command lines and annotations carry no credentials.',
  remediation:
    'Move the value to Azure Key Vault (prod) or to the pipeline-filled Secret, and read it through secretKeyRef/envFrom ' +
    'secretRef; rotate the credential, since it is in the git history.',
  defaultSeverity: 'error',
  kinds: ['*'],
  options: {
    credentialKeyPatterns: {
      description:
        'Regular expressions (case-insensitive) for key names that mean a credential; camelCase words are ' +
        'matched as if written with `_` (`githubToken` as `github_Token`).',
      schema: { type: 'array', items: { type: 'string', format: 'regex' } },
      default: [...CREDENTIAL_KEY_PATTERNS],
    },
    ignoreKeyPatterns: {
      description:
        'Regular expressions (case-insensitive) for key names that hold no credential even when they look like one.',
      schema: { type: 'array', items: { type: 'string', format: 'regex' } },
      default: [...IGNORE_KEY_PATTERNS],
    },
    entropyThreshold: {
      description: 'Shannon entropy (bits per character) from which a long token counts as a random secret.',
      schema: { type: 'number', minimum: 0, maximum: 8 },
      default: 4,
    },
    entropyMinLength: {
      description: 'Shortest token the entropy check considers.',
      schema: { type: 'integer', minimum: 8 },
      default: 20,
    },
    extraPlaceholders: {
      description: 'Regular expressions (case-insensitive) for further values that count as placeholders.',
      schema: { type: 'array', items: { type: 'string', format: 'regex' } },
      default: [],
    },
    ignoreAnnotations: {
      description: 'Annotation keys never checked (e.g. tool-managed checksums).',
      schema: { type: 'array', items: { type: 'string' } },
      default: ['kubectl.kubernetes.io/last-applied-configuration'],
    },
  },
  messages: {
    credentialName: '{{where}} is named like a credential and holds a literal value.',
    embeddedCredential: '{{where}} sets {{name}}, which is named like a credential, to a literal value.',
    knownPattern: '{{where}} holds what secretlint recognises as a credential ({{pattern}}).',
    azureCredential: '{{where}} holds an {{pattern}}.',
    highEntropy:
      '{{where}} holds a high-entropy token ({{entropy}} bits per character) that looks like a secret.',
    credentialArgument:
      '{{where}} passes {{flag}}, which is named like a credential, a literal value on the command line.',
  },
  warningOnly: ['highEntropy'],
  docs: {
    rationale:
      'ConfigMaps, env values and annotations are readable by anyone who can `get` the object, are printed by ' +
      '`kubectl describe`, and end up in logs and support bundles. Credentials there also bypass Key Vault ' +
      'rotation. The rule looks at key names that mean a credential (`PASSWORD`, `DB_PASS`, `PWD`, `TOKEN`, ' +
      '`githubToken`, `API_KEY`, `CLIENT_SECRET`…, but not `TOKEN_URL`, `SECRET_NAME` or `PASSWORD_MIN_LENGTH`), ' +
      'at the credential patterns of secretlint’s recommended preset, at Azure’s own shapes (storage/Cosmos ' +
      '`AccountKey=`, Service Bus/Event Hubs `SharedAccessKey=`, SAS tokens, URLs with a password, and 32-hex ' +
      'Azure OpenAI keys when a credential name or an Azure AI name stands next to them: a bare 32-hex value is ' +
      'as likely a checksum or a uid), at connection strings carrying `Password=`/`Pwd=` (a `…_CONNECTION_STRING` ' +
      'without a credential in it is fine), at credentials on container command lines (`--password x`, ' +
      '`--token=x`, `redis-cli -a x`, `mysql -px`, also inside `sh -c` scripts) and at high-entropy tokens, ' +
      'leaving out GUIDs (client and tenant ids are identifiers), digests, paths, SSH public keys (known_hosts ' +
      'lines) and placeholders; a high-entropy token alone is a warning, since the heuristic can be wrong. ' +
      'Values generated by `configMapGenerator` are covered, since they are rendered ConfigMaps. Findings never ' +
      'quote the value.',
    failing: `apiVersion: v1
kind: ConfigMap
metadata: {name: triage-config, namespace: triage}
data:
  MODEL_DEPLOYMENT_NAME: gpt-4.1-mini
  STORAGE_CONNECTION: DefaultEndpointsProtocol=https;AccountName=triage;AccountKey=bm90LWEtcmVhbC1rZXk=;EndpointSuffix=core.windows.net`,
    passing: `apiVersion: v1
kind: ConfigMap
metadata: {name: triage-config, namespace: triage}
data:
  MODEL_DEPLOYMENT_NAME: gpt-4.1-mini
  AZURE_CLIENT_ID: 6a1f3c2e-8b4d-4e7a-9c5f-2d8e1b0a7f34
  STORAGE_ACCOUNT_NAME: triage`,
  },
  prepare(options) {
    compileConfigPatterns(options.credentialKeyPatterns, 'i', CREDENTIAL_KEY_PATTERNS);
    compileConfigPatterns(options.ignoreKeyPatterns, 'i', IGNORE_KEY_PATTERNS);
    compileConfigPatterns(options.extraPlaceholders, 'i');
    // secretlint's ~30 rules load while kustomize renders, not when the first object is checked.
    loadSecretlint().catch(() => undefined);
  },
  async check(resource, ctx) {
    const options = ctx.options;
    // Config-supplied patterns match in linear time, so a crafted one cannot hang the run; the
    // rule's own defaults run on JavaScript's engine (see compileConfigPatterns).
    const credentialKeys = compileConfigPatterns(options.credentialKeyPatterns, 'i', CREDENTIAL_KEY_PATTERNS);
    const ignoredKeys = compileConfigPatterns(options.ignoreKeyPatterns, 'i', IGNORE_KEY_PATTERNS);
    const extra = compileConfigPatterns(options.extraPlaceholders, 'i');
    const entropy = { threshold: options.entropyThreshold, minLength: options.entropyMinLength };
    const ignored = (name: string) => ignoredKeys.some((pattern) => pattern.test(name));
    const judged = judgedNames.get(options) ?? new Map<string, boolean>();
    judgedNames.set(options, judged);
    const namedLikeCredential = (name: string) => {
      const words = normalizeKeyName(name);
      let verdict = judged.get(words);
      if (verdict === undefined) {
        verdict = credentialKeys.some((pattern) => pattern.test(words)) && !ignored(words);
        if (judged.size < MAX_JUDGED_NAMES) judged.set(words, verdict);
      }
      return verdict;
    };
    const literal = (value: string) => !isPlaceholder(value, extra) && !NUMBER_OR_FLAG.test(value.trim());
    const context = (name: string): CredentialContext => ({
      extra,
      namedLikeCredential,
      keyIsCredential:
        namedLikeCredential(name) || (AZURE_AI_KEY_NAME.test(name) && !ignored(normalizeKeyName(name))),
    });

    const findings: RawFinding[] = [];
    for (const { where, name, value, path } of configValues(resource, options.ignoreAnnotations)) {
      // Placeholders, and SSH public keys (known_hosts, host keys), which are meant to be shared.
      if (isPlaceholder(value, extra) || isSshPublicKeyList(value)) continue;
      const azure = azureCredentialPattern(value, context(name));
      if (azure) {
        findings.push({ messageId: 'azureCredential', data: { where, pattern: azure }, path });
        continue;
      }
      const known =
        value.length >= SECRETLINT_MIN_LENGTH
          ? ((await screenOverlay(ctx, options.ignoreAnnotations)).get(value) ??
            (await secretlintPatterns(value)))
          : [];
      if (known.length > 0) {
        findings.push({ messageId: 'knownPattern', data: { where, pattern: known.join(', ') }, path });
        continue;
      }
      const carried = carriedCredential(value, extra);
      if (carried) {
        findings.push({ messageId: 'embeddedCredential', data: { where, name: carried }, path });
        continue;
      }
      const multiline = value.includes('\n');
      // A connection string is a credential only when it carries one (found above): under
      // `…_CONNECTION_STRING` may stand a resource path or an identity-based string without a key.
      const connectionString = CONNECTION_STRING_NAME.test(name);
      if (!multiline && !connectionString && namedLikeCredential(name) && literal(value)) {
        findings.push({ messageId: 'credentialName', data: { where }, path });
        continue;
      }
      const embedded = multiline
        ? embeddedAssignments(value).find((each) => namedLikeCredential(each.name) && literal(each.value))
        : undefined;
      if (embedded) {
        findings.push({
          messageId: 'embeddedCredential',
          data: { where, name: embedded.name },
          path,
          valueLine: embedded.line,
        });
        continue;
      }
      const random = entropyCandidates(value)
        .map((token) => isHighEntropy(token, entropy))
        .find((each) => each !== undefined);
      if (random !== undefined) {
        findings.push({ messageId: 'highEntropy', data: { where, entropy: random.toFixed(1) }, path });
      }
    }
    const argumentRules = {
      namedLikeCredential,
      isLiteral: (value: string) => literal(value) && !REFERENCE.test(value) && !PATH.test(value),
    };
    for (const { container, elements } of commandLines(resource)) {
      const texts = elements.map((each) => each.text);
      const reported = new Set<number>();
      elements.forEach(({ text, field, index, path }, at) => {
        const azure = azureCredentialPattern(text, context(''));
        if (!azure) return;
        reported.add(at);
        const where = `${field}[${index}] of container ${container}`;
        findings.push({ messageId: 'azureCredential', data: { where, pattern: azure }, path });
      });
      for (const { index: at, flag } of credentialArguments(texts, argumentRules)) {
        const element = elements[at];
        if (!element || reported.has(at)) continue;
        const where = `${element.field}[${element.index}] of container ${container}`;
        findings.push({ messageId: 'credentialArgument', data: { where, flag }, path: element.path });
      }
    }
    return findings;
  },
});
