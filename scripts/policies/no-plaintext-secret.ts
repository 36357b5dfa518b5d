import { keyDisplay } from '../core/secret-keys.js';
import { compileConfigPatterns } from '../lib/patterns.js';
import { definePolicy, type RawFinding } from './types.js';
import { asObject } from './util/json.js';
import { decodeBase64, isPlaceholder, isSshPublicKeyList } from './util/secrets.js';

export const noPlaintextSecretPolicy = definePolicy<{ allowSecrets: boolean; extraPlaceholders: string[] }>({
  id: 'no-plaintext-secret',
  description:
    'Prod renders no Secret at all (values come from Key Vault); elsewhere a committed Secret carries only placeholders.',
  remediation:
    'In prod, sync the Secret from Key Vault with the keyvault-csi component (a SecretProviderClass with secretObjects) and ' +
    'delete the rendered one. Elsewhere commit placeholders such as <set-by-pipeline> and let the deploy pipeline fill them.',
  defaultSeverity: 'error',
  kinds: ['Secret'],
  options: {
    allowSecrets: {
      description: 'Whether the overlay may render Secret objects at all (with placeholder values only).',
      schema: { type: 'boolean' },
      default: true,
      envDefaults: { prod: false },
    },
    extraPlaceholders: {
      description: `Regular expressions (case-insensitive) for further values that count as placeholders, besides empty, changeme, <…> and \${…}.`,
      schema: { type: 'array', items: { type: 'string', format: 'regex' } },
      default: [],
    },
  },
  messages: {
    secretRendered:
      'a Secret is rendered in {{env}}, so its values would come from git; sync it from Key Vault through a SecretProviderClass.',
    realValue: 'key {{key}} of {{field}} holds a value that is not a placeholder.',
    notBase64:
      'key {{key}} of data is not base64, so the API server rejects the Secret ("illegal base64 data"); ' +
      'encode the value, or put it under stringData.',
  },
  docs: {
    rationale:
      'Anything committed is readable by everyone with access to the repository and its history, forever. Prod ' +
      'credentials live only in Azure Key Vault and reach the pods through the Secrets Store CSI driver; other ' +
      'environments may keep a Secret in git so the manifests are complete, but only with placeholder values ' +
      `(\`<set-by-pipeline>\`, \`changeme\`, empty, \`<…>\`, \`\${…}\`) that the pipeline replaces. SSH public keys ` +
      '(known_hosts, `identity.pub`) are not secrets and pass. A `data` value that is not base64 (a placeholder ' +
      'written under `data` instead of `stringData`) is its own error: the API server rejects the whole Secret. ' +
      'Findings name the key, never the value.',
    failing: `apiVersion: v1
kind: Secret
metadata: {name: triage-secrets, namespace: triage}
type: Opaque
stringData:
  AZURE_OPENAI_API_KEY: a-real-value-committed-by-mistake`,
    passing: `# Nothing rendered: in prod the Secret comes from Key Vault.
apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata: {name: triage-keyvault, namespace: triage}
spec:
  provider: azure
  secretObjects:
    - secretName: triage-secrets
      type: Opaque
      data: [{objectName: azure-openai-api-key, key: AZURE_OPENAI_API_KEY}]`,
  },
  prepare(options) {
    compileConfigPatterns(options.extraPlaceholders, 'i');
  },
  check(resource, ctx) {
    if (!ctx.options.allowSecrets) {
      return [{ messageId: 'secretRendered', data: { env: ctx.env }, path: ['metadata', 'name'] }];
    }
    // Config-supplied patterns: matched in linear time, so a crafted pattern cannot hang the run.
    const extra = compileConfigPatterns(ctx.options.extraPlaceholders, 'i');
    const findings: RawFinding[] = [];
    for (const field of ['data', 'stringData'] as const) {
      const map = asObject(resource.body[field]) ?? {};
      const shown = keyDisplay(Object.keys(map));
      for (const [key, value] of Object.entries(map)) {
        if (value === null) continue;
        const text = field === 'data' ? decodeBase64(String(value)) : String(value);
        // A key the API server refuses may itself hold the value: shown as its marker only.
        if (text === undefined) {
          // Not a real value either way: the server refuses it before anything reads it.
          findings.push({ messageId: 'notBase64', data: { key: shown(key) }, path: [field, key] });
          continue;
        }
        // Placeholders, and SSH public keys, which are meant to be shared.
        if (isPlaceholder(text, extra) || isSshPublicKeyList(text)) continue;
        findings.push({
          messageId: 'realValue',
          data: { key: shown(key), field },
          path: [field, key],
        });
      }
    }
    return findings;
  },
});
