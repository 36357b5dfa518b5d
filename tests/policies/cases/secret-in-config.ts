import { secretInConfigPolicy } from '../../../scripts/policies/secret-in-config.js';
import { deploymentPatch, kustomization, type PolicyCases } from '../harness.js';

// Made-up credentials in the shapes the rule knows; none is real.
const ACCOUNT_KEY = 'bm90LWEtcmVhbC1rZXktanVzdC1hLXRlc3QtdmFsdWUtMDAwMA==';
const GITHUB_TOKEN = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
const SAS_SIG = 'abcdEFGH1234abcdEFGH1234wxyz5678';
const HEX_KEY = '0123456789abcdef0fedcba987654321';
const RANDOM = 'Zk9x2Qm7Lp4Vt8Rw3Ny6Hb1Jc5Df0Gs';
const PASSWORD = 'hunter2hunter2';

const literals = (...values: string[]) =>
  kustomization({
    extra: `configMapGenerator:\n  - name: triage-config\n    behavior: merge\n    literals:\n${values.map((each) => `      - ${each}`).join('\n')}`,
  });

const configMap = /^ConfigMap\/triage-config-[a-z0-9]{10}$/;

export const cases: PolicyCases = {
  policy: secretInConfigPolicy,
  valid: [
    { name: 'the fixture' },
    { name: 'the fixture prod overlay', env: 'prod' },
    {
      name: 'identifiers, URLs, limits and names that merely look like credentials',
      files: {
        'overlays/dev/kustomization.yaml': literals(
          'AZURE_CLIENT_ID=6a1f3c2e-8b4d-4e7a-9c5f-2d8e1b0a7f34',
          'AZURE_AI_PROJECT_ENDPOINT=https://triage.services.ai.azure.com/api/projects/triage',
          'MODEL_MAX_TOKENS=4096',
          'TOKEN_LIMIT=8000',
          'SECRET_NAME=triage-secrets',
          'AZURE_OPENAI_API_KEY=<set-by-pipeline>',
          `DB_PASSWORD=\${DB_PASSWORD}`,
          'SECRETS_PATH=/mnt/secrets-store/azure-openai-api-key',
          'IMAGE=triageacr.azurecr.io/triage-backend@sha256:3f1c5e8a9b7d6c4e2f0a1b3c5d7e9f8a6b4c2d0e1f3a5b7c9d8e6f4a2b0c1d3e',
          'GIT_SHA=4f9c2d1e8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d',
          'INGRESS_CLASS=webapprouting.kubernetes.azure.com',
          'FEATURE_FLAGS_ENABLED=true',
        ),
      },
    },
  ],
  invalid: [
    {
      name: 'a ConfigMap key that carries a value is shown as its marker',
      located: ['credentialName overlays/dev/odd.yaml:7'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ resources: ['../../base', 'odd.yaml'] }),
        'overlays/dev/odd.yaml':
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: odd\ndata:\n  LOG_LEVEL: info\n  "API_KEY: planted-Ns3Gk7Xe": literal-value\n',
      },
      secrets: ['planted-Ns3Gk7Xe'],
      errors: [
        {
          messageId: 'credentialName',
          object: 'ConfigMap/odd',
          path: 'data.API_KEY: planted-Ns3Gk7Xe',
          data: { where: 'ConfigMap key <redacted: invalid key 1>' },
        },
      ],
    },
    {
      name: 'a storage connection string with an AccountKey in a generated ConfigMap',
      located: ['azureCredential overlays/dev/kustomization.yaml:9'],
      files: {
        'overlays/dev/kustomization.yaml': literals(
          `STORAGE=DefaultEndpointsProtocol=https;AccountName=triage;AccountKey=${ACCOUNT_KEY};EndpointSuffix=core.windows.net`,
        ),
      },
      secrets: [ACCOUNT_KEY],
      errors: [
        {
          messageId: 'azureCredential',
          object: configMap,
          path: 'data.STORAGE',
          data: { where: 'ConfigMap key STORAGE' },
        },
      ],
    },
    {
      name: 'a SAS URL and a 32-hex key',
      located: [
        'azureCredential overlays/dev/kustomization.yaml:10',
        'azureCredential overlays/dev/kustomization.yaml:9',
      ],
      files: {
        'overlays/dev/kustomization.yaml': literals(
          `BLOB_URL=https://triage.blob.core.windows.net/c?sv=2022-11-02&se=2030-01-01&sr=c&sp=r&sig=${SAS_SIG}`,
          `OPENAI=${HEX_KEY}`,
        ),
      },
      secrets: [SAS_SIG, HEX_KEY],
      errors: [
        {
          messageId: 'azureCredential',
          object: configMap,
          path: 'data.BLOB_URL',
          data: { pattern: 'Azure shared access signature (SAS) token' },
        },
        { messageId: 'azureCredential', object: configMap, path: 'data.OPENAI' },
      ],
    },
    {
      name: 'a GitHub token in a container env value (secretlint)',
      located: ['knownPattern overlays/dev/env.yaml:12'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ namePrefix: 'stg-', patches: ['env.yaml'] }),
        'overlays/dev/env.yaml': deploymentPatch(
          `containers:\n  - name: backend\n    env:\n      - name: UPSTREAM_AUTH\n        value: ${GITHUB_TOKEN}`,
        ),
      },
      secrets: [GITHUB_TOKEN],
      errors: [
        {
          messageId: 'knownPattern',
          object: 'Deployment/stg-triage-backend',
          path: 'spec.template.spec.containers[0].env[0].value',
          data: { where: 'env UPSTREAM_AUTH of container backend', pattern: 'github/GITHUB_TOKEN' },
        },
      ],
    },
    {
      name: 'a password under a credential name, and an api-key annotation',
      located: [
        'credentialName overlays/dev/annotate.yaml:6',
        'credentialName overlays/dev/kustomization.yaml:11',
      ],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({
          patches: ['annotate.yaml'],
          extra: `configMapGenerator:\n  - name: triage-config\n    behavior: merge\n    literals:\n      - DB_PASSWORD=${PASSWORD}`,
        }),
        'overlays/dev/annotate.yaml':
          'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: triage-ingress\n  annotations:\n    monitoring.example.com/api-key: pr0b3-k3y-value\n',
      },
      secrets: [PASSWORD, 'pr0b3-k3y-value'],
      errors: [
        { messageId: 'credentialName', object: configMap, path: 'data.DB_PASSWORD' },
        {
          messageId: 'credentialName',
          object: 'Ingress/triage-ingress',
          path: 'metadata.annotations.monitoring.example.com/api-key',
          data: { where: 'annotation monitoring.example.com/api-key' },
        },
      ],
    },
    {
      name: 'a password inside an embedded config file',
      located: ['embeddedCredential overlays/dev/kustomization.yaml:9'],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({
          extra:
            'configMapGenerator:\n  - name: triage-config\n    behavior: merge\n    files:\n      - settings.ini',
        }),
        'overlays/dev/settings.ini': `[database]\nhost = db.internal\npassword = ${PASSWORD}\n`,
      },
      secrets: [PASSWORD],
      errors: [
        {
          messageId: 'embeddedCredential',
          object: configMap,
          path: 'data.settings.ini',
          data: { name: 'password' },
        },
      ],
    },
    {
      name: 'a random-looking token (entropy)',
      located: ['highEntropy overlays/dev/kustomization.yaml:9'],
      files: { 'overlays/dev/kustomization.yaml': literals(`UPSTREAM_SETTING=${RANDOM}`) },
      secrets: [RANDOM],
      errors: [{ messageId: 'highEntropy', object: configMap, path: 'data.UPSTREAM_SETTING' }],
    },
  ],
};
