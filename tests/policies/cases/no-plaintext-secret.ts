import { generateKeyPairSync } from 'node:crypto';
import { noPlaintextSecretPolicy } from '../../../scripts/policies/no-plaintext-secret.js';
import { kustomization, type PolicyCases } from '../harness.js';
import { sshPublicKeys } from './secret-in-config.js';

const SSH = sshPublicKeys();
const base64 = (text: string) => Buffer.from(text).toString('base64');
/** A freshly generated private key, PEM: a real secret, whatever sits next to it. */
const PRIVATE_KEY = generateKeyPairSync('ed25519')
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString();
/** A line of the PEM body, long enough to be recognised if it leaked. */
const PRIVATE_KEY_BODY = PRIVATE_KEY.split('\n')[1] ?? '';

/** Looks like an Azure OpenAI key; made up for this test. */
const FAKE_KEY = '9f8e7d6c5b4a39281706f5e4d3c2b1a0';

const generator = (literal: string) =>
  kustomization({
    extra: `secretGenerator:\n  - name: triage-secrets\n    behavior: replace\n    literals:\n      - ${literal}`,
  });

export const cases: PolicyCases = {
  policy: noPlaintextSecretPolicy,
  valid: [
    { name: 'dev commits a placeholder' },
    { name: 'prod renders no Secret (Key Vault)', env: 'prod' },
    {
      name: `empty, changeme and \${VAR} placeholders`,
      files: {
        'overlays/dev/kustomization.yaml': kustomization({
          extra: `secretGenerator:\n  - name: triage-secrets\n    behavior: replace\n    literals:\n      - A=\n      - B=changeme\n      - C=\${OPENAI_KEY}\n      - D=<set-by-pipeline>`,
        }),
      },
    },
    {
      name: 'a placeholder added by config',
      options: { extraPlaceholders: ['^fill-me-in$'] },
      files: { 'overlays/dev/kustomization.yaml': generator('AZURE_OPENAI_API_KEY=fill-me-in') },
    },
    {
      name: 'SSH public keys (known_hosts, identity.pub) are not secrets',
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ resources: ['../../base', 'git.yaml'] }),
        'overlays/dev/git.yaml': `apiVersion: v1\nkind: Secret\nmetadata:\n  name: git-ssh\ntype: Opaque\nstringData:\n  known_hosts: |\n    git.example.com ${SSH.ed25519}\n    git.example.com ${SSH.ecdsa}\ndata:\n  identity.pub: ${base64(`${SSH.rsa}\n`)}\n`,
      },
    },
  ],
  invalid: [
    {
      name: 'data that is not base64 is rejected by the API server, not called a real value',
      located: [
        'notBase64 overlays/dev/endpoint.yaml:7',
        'notBase64 overlays/dev/endpoint.yaml:8',
        'realValue overlays/dev/endpoint.yaml:9',
      ],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ resources: ['../../base', 'endpoint.yaml'] }),
        'overlays/dev/endpoint.yaml':
          'apiVersion: v1\nkind: Secret\nmetadata:\n  name: endpoint\ntype: Opaque\ndata:\n  ENDPOINT: <BASE64_ENCODED_ENDPOINT>\n  PASSWORD: "aHVudGVy Mg=="\n  USER: dHJpYWdl\n',
      },
      secrets: ['aHVudGVy'],
      errors: [
        {
          messageId: 'notBase64',
          object: 'Secret/endpoint',
          path: 'data.ENDPOINT',
          data: { key: 'ENDPOINT' },
        },
        {
          messageId: 'notBase64',
          object: 'Secret/endpoint',
          path: 'data.PASSWORD',
          data: { key: 'PASSWORD' },
        },
        { messageId: 'realValue', object: 'Secret/endpoint', path: 'data.USER' },
      ],
    },
    {
      name: 'a private key next to its public key is still a real value',
      located: ['realValue overlays/dev/git.yaml:7'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ resources: ['../../base', 'git.yaml'] }),
        'overlays/dev/git.yaml': `apiVersion: v1\nkind: Secret\nmetadata:\n  name: git-ssh\ntype: Opaque\ndata:\n  identity: ${base64(PRIVATE_KEY)}\n  identity.pub: ${base64(SSH.ed25519)}\n`,
      },
      secrets: [PRIVATE_KEY_BODY],
      errors: [
        {
          messageId: 'realValue',
          object: 'Secret/git-ssh',
          path: 'data.identity',
          data: { key: 'identity' },
        },
      ],
    },
    {
      name: 'prod still renders the generated Secret (component without the delete patch)',
      located: ['secretRendered base/kustomization.yaml:17'],
      env: 'prod',
      files: {
        'components/keyvault-csi/kustomization.yaml':
          'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - secretproviderclass.yaml\npatches:\n  - path: deployment-csi-volume.yaml\n',
      },
      errors: [
        {
          messageId: 'secretRendered',
          object: /^Secret\/triage-secrets-[a-z0-9]{10}$/,
          path: 'metadata.name',
          data: { env: 'prod' },
        },
      ],
    },
    {
      name: 'dev commits a real-looking key through the generator (hash suffix)',
      located: ['realValue overlays/dev/kustomization.yaml:9'],
      files: { 'overlays/dev/kustomization.yaml': generator(`AZURE_OPENAI_API_KEY=${FAKE_KEY}`) },
      secrets: [FAKE_KEY],
      errors: [
        {
          messageId: 'realValue',
          object: /^Secret\/triage-secrets-[a-z0-9]{10}$/,
          path: 'data.AZURE_OPENAI_API_KEY',
          data: { key: 'AZURE_OPENAI_API_KEY', field: 'data' },
        },
      ],
    },
    {
      name: 'a plain Secret with stringData in a prefixed overlay',
      located: ['realValue overlays/dev/db.yaml:7'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({
          namePrefix: 'stg-',
          resources: ['../../base', 'db.yaml'],
        }),
        'overlays/dev/db.yaml':
          'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\nstringData:\n  password: correct-horse-battery-staple\n  user: ""\n',
      },
      secrets: ['correct-horse-battery-staple'],
      errors: [
        {
          messageId: 'realValue',
          object: 'Secret/stg-db',
          path: 'stringData.password',
          data: { key: 'password' },
        },
      ],
    },
    {
      name: 'a key that carries a value (a forgotten `=`) is shown as its marker, never as written',
      located: ['realValue overlays/dev/odd.yaml:7'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ resources: ['../../base', 'odd.yaml'] }),
        'overlays/dev/odd.yaml':
          'apiVersion: v1\nkind: Secret\nmetadata:\n  name: odd\ntype: Opaque\nstringData:\n  "TOKEN planted-Bx4Tq8Wn": real-value-here\n  "A:b": ""\n',
      },
      secrets: ['planted-Bx4Tq8Wn'],
      errors: [
        {
          messageId: 'realValue',
          object: 'Secret/odd',
          path: 'stringData.TOKEN planted-Bx4Tq8Wn',
          data: { key: '<redacted: invalid key 2>', field: 'stringData' },
        },
      ],
    },
  ],
};
