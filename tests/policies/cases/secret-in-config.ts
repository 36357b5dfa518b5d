import { generateKeyPairSync } from 'node:crypto';
import { secretInConfigPolicy } from '../../../scripts/policies/secret-in-config.js';
import { deploymentPatch, kustomization, type PolicyCases } from '../harness.js';

/** An SSH wire-format string: uint32 length, then the bytes. */
function sshString(bytes: Buffer | string): Buffer {
  const body = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([length, body]);
}

/** An SSH mpint: big-endian, a 0 byte first when the top bit is set. */
function sshMpint(base64url: string): Buffer {
  const bytes = Buffer.from(base64url, 'base64url');
  return sshString((bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

/**
 * Fresh OpenSSH public key lines (`type blob comment`) of the three common host key types,
 * generated here from real key pairs, as `ssh-keygen -y` would print them.
 */
export function sshPublicKeys(): { ed25519: string; ecdsa: string; rsa: string } {
  const jwk = (type: 'ed25519' | 'ec' | 'rsa') => {
    const { publicKey } =
      type === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : type === 'rsa'
          ? generateKeyPairSync('rsa', { modulusLength: 2048 })
          : generateKeyPairSync('ed25519');
    return publicKey.export({ format: 'jwk' });
  };
  const line = (type: string, parts: Buffer[]) =>
    `${type} ${Buffer.concat([sshString(type), ...parts]).toString('base64')} host@example`;
  const ed = jwk('ed25519');
  const ec = jwk('ec');
  const rsa = jwk('rsa');
  return {
    ed25519: line('ssh-ed25519', [sshString(Buffer.from(ed.x ?? '', 'base64url'))]),
    ecdsa: line('ecdsa-sha2-nistp256', [
      sshString('nistp256'),
      sshString(
        Buffer.concat([
          Buffer.from([4]),
          Buffer.from(ec.x ?? '', 'base64url'),
          Buffer.from(ec.y ?? '', 'base64url'),
        ]),
      ),
    ]),
    rsa: line('ssh-rsa', [sshMpint(rsa.e ?? ''), sshMpint(rsa.n ?? '')]),
  };
}

const SSH = sshPublicKeys();
/** 32 hex characters, each twice: entropy exactly 4 bits per character, the warning threshold. */
const CHECKSUM = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const DASHBOARD_UID = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';

// Made-up credentials in the shapes the rule knows; none is real.
const ACCOUNT_KEY = 'bm90LWEtcmVhbC1rZXktanVzdC1hLXRlc3QtdmFsdWUtMDAwMA==';
const GITHUB_TOKEN = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
const SAS_SIG = 'abcdEFGH1234abcdEFGH1234wxyz5678';
const HEX_KEY = '0123456789abcdef0fedcba987654321';
const RANDOM = 'Zk9x2Qm7Lp4Vt8Rw3Ny6Hb1Jc5Df0Gs';
const PASSWORD = 'hunter2hunter2';

// Made-up credentials for the name and command-line cases; none is real.
const DB_PASS = 'Pl4nted-Db7Kq2Wz';
const BARE_PASS = 'Pl4nted-Bx3Rm8Tc';
const CAMEL_TOKEN = 'Pl4nted-Cv9Ln4Hs';
const SMTP_PASSWD = 'Pl4nted-Sm2Yq6Jd';
const API_KEY_VALUE = 'Pl4nted-Ak5Wp1Zr';
const ENV_TOKEN = 'Pl4nted-Et8Gv3Nb';
const ENV_SECRET_KEY = 'Pl4nted-Es4Fk7Qx';
const ARG_PASSWORD = 'Pl4nted-Ap6Hd2Lm';
const ARG_API_KEY = 'Pl4nted-Aa1Tz9Vc';
const ARG_TOKEN = 'Pl4nted-At3Ub5Ky';
const REDIS_PASSWORD = 'Pl4nted-Rd7Wj4Ps';
const MYSQL_PASSWORD = 'Pl4nted-My2Xn8Gf';
const URL_PASSWORD = 'Pl4nted-Ur9Ce3Bh';
const SQL_PASSWORD = 'Pl4nted-Sq5Dv1Mk';

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
    {
      name: '32-hex checksums, dashboard uids and build hashes are not Azure keys',
      files: {
        'overlays/dev/kustomization.yaml': kustomization({
          resources: ['../../base', 'dashboard.yaml'],
          patches: ['checksum.yaml'],
          extra: `configMapGenerator:\n  - name: triage-config\n    behavior: merge\n    literals:\n      - BUILD_HASH=${DASHBOARD_UID}\n      - DASHBOARD_UID=${CHECKSUM}`,
        }),
        'overlays/dev/checksum.yaml': deploymentPatch('', `annotations:\n  checksum/config: "${CHECKSUM}"`),
        'overlays/dev/dashboard.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dashboards\ndata:\n  triage.json: |\n    {\n      "title": "Triage",\n      "uid": "${DASHBOARD_UID}",\n      "panels": []\n    }\n`,
      },
    },
    {
      name: 'connection strings that carry no credential (a resource path, an identity-based one)',
      files: {
        'overlays/dev/kustomization.yaml': literals(
          'SPANNER_CONNECTION_STRING=projects/triage-prod-123/instances/main/databases/orders',
          'STORAGE_CONNECTION_STRING=DefaultEndpointsProtocol=https;AccountName=triage;EndpointSuffix=core.windows.net',
          'SQL_CONNECTION_STRING=Server=tcp:triage.database.windows.net,1433;Database=triage;Authentication=Active Directory Default',
          'PG_CONN_STR=host=db.internal dbname=triage user=triage password={your_password}',
        ),
      },
    },
    {
      name: 'SSH host public keys (known_hosts lines and a host key) are not secrets',
      files: {
        'overlays/dev/kustomization.yaml': kustomization({
          resources: ['../../base', 'known-hosts.yaml'],
          patches: ['host-key.yaml'],
        }),
        'overlays/dev/known-hosts.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssh-known-hosts\ndata:\n  ssh_known_hosts: |\n    # git hosts\n    git.example.com ${SSH.ed25519}\n    git.example.com,10.0.0.4 ${SSH.ecdsa}\n    [git.example.com]:2222 ${SSH.rsa}\n  SSH_HOST_KEY: ${SSH.ed25519}\n`,
        'overlays/dev/host-key.yaml': deploymentPatch(
          `containers:\n  - name: backend\n    env:\n      - name: SSH_HOST_PUBLIC_KEY\n        value: ${SSH.ecdsa}`,
        ),
      },
    },
    {
      name: 'names that only contain a credential word, references and paths on the command line',
      files: {
        'overlays/dev/kustomization.yaml': kustomization({
          patches: ['args.yaml'],
          extra:
            'configMapGenerator:\n  - name: triage-config\n    behavior: merge\n    literals:\n      - PASSTHROUGH=all-headers\n      - PASS_THROUGH_HEADERS=x-request-id\n      - TOKEN_URL=https://login.microsoftonline.com/triage/oauth2/v2.0/token\n      - TOKEN_AUDIENCE=api://triage-backend\n      - PASSWORD_MIN_LENGTH=12\n      - BYPASS=cache-only\n      - secretName=triage-secrets',
        }),
        'overlays/dev/args.yaml': deploymentPatch(
          [
            'containers:',
            '  - name: backend',
            '    args:',
            '      - --password-file=/mnt/secrets-store/db-password',
            '      - --token',
            '      - $(API_TOKEN)',
            `      - --api-key=\${API_KEY}`,
            '      - --no-password',
            '      - --log-level',
            '      - debug',
            '      - --token-ttl=3600',
            '      - --tls-key',
            '      - /etc/tls/tls.key',
            '      - --database-url=postgres://triage:$(DB_PASSWORD)@db.internal:5432/triage',
            'initContainers:',
            '  - name: wait-for-db',
            '    image: triageacr.azurecr.io/tools:1.0.0',
            '    command: [sh, -c, \'until mysqladmin ping -h db -uroot -p"$MYSQL_PASSWORD"; do sleep 1; done; redis-cli -a "$REDIS_PASSWORD" ping; docker login -u triage --password-stdin triageacr.azurecr.io < /run/secrets/acr; psql postgres://triage:$PGPASS@db/triage\']',
          ].join('\n'),
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
      // A `files:` source: the finding points into the file, as for env files.
      located: ['embeddedCredential overlays/dev/settings.ini:1'],
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
    {
      name: 'a 32-hex key under a credential name, and after api-key= in an annotation',
      located: [
        'azureCredential overlays/dev/annotate.yaml:6',
        'azureCredential overlays/dev/kustomization.yaml:11',
      ],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({
          patches: ['annotate.yaml'],
          extra: `configMapGenerator:\n  - name: triage-config\n    behavior: merge\n    literals:\n      - AZURE_OPENAI_API_KEY=${HEX_KEY}`,
        }),
        'overlays/dev/annotate.yaml': `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: triage-ingress\n  annotations:\n    monitoring.example.com/probe-headers: "api-key=${CHECKSUM}"\n`,
      },
      secrets: [HEX_KEY, CHECKSUM],
      errors: [
        {
          messageId: 'azureCredential',
          object: configMap,
          path: 'data.AZURE_OPENAI_API_KEY',
          data: { pattern: 'Azure OpenAI or Cognitive Services key (32 hex characters)' },
        },
        {
          messageId: 'azureCredential',
          object: 'Ingress/triage-ingress',
          path: 'metadata.annotations.monitoring.example.com/probe-headers',
        },
      ],
    },
    {
      name: 'a connection string that carries a password names the field',
      located: ['embeddedCredential overlays/dev/kustomization.yaml:9'],
      files: {
        'overlays/dev/kustomization.yaml': literals(
          `SQL_CONNECTION_STRING=Server=tcp:triage.database.windows.net,1433;Database=triage;User ID=triage;Password=${SQL_PASSWORD};`,
        ),
      },
      secrets: [SQL_PASSWORD],
      errors: [
        {
          messageId: 'embeddedCredential',
          object: configMap,
          path: 'data.SQL_CONNECTION_STRING',
          data: { where: 'ConfigMap key SQL_CONNECTION_STRING', name: 'Password' },
        },
      ],
    },
    {
      name: 'credentials under PASS, DB_PASS, PASSWD, camelCase and *_TOKEN names (literals and env)',
      located: [
        'credentialName overlays/dev/env.yaml:12',
        'credentialName overlays/dev/env.yaml:14',
        'credentialName overlays/dev/env.yaml:16',
        'credentialName overlays/dev/kustomization.yaml:11',
        'credentialName overlays/dev/kustomization.yaml:12',
        'credentialName overlays/dev/kustomization.yaml:13',
        'credentialName overlays/dev/kustomization.yaml:14',
      ],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({
          patches: ['env.yaml'],
          extra: `configMapGenerator:\n  - name: triage-config\n    behavior: merge\n    literals:\n      - DB_PASS=${DB_PASS}\n      - githubToken=${CAMEL_TOKEN}\n      - SMTP_PASSWD=${SMTP_PASSWD}\n      - APIKEY=${API_KEY_VALUE}`,
        }),
        'overlays/dev/env.yaml': deploymentPatch(
          `containers:\n  - name: backend\n    env:\n      - name: PASS\n        value: ${BARE_PASS}\n      - name: GITHUB_TOKEN\n        value: ${ENV_TOKEN}\n      - name: secretKey\n        value: ${ENV_SECRET_KEY}`,
        ),
      },
      secrets: [DB_PASS, CAMEL_TOKEN, SMTP_PASSWD, API_KEY_VALUE, BARE_PASS, ENV_TOKEN, ENV_SECRET_KEY],
      errors: [
        { messageId: 'credentialName', object: configMap, path: 'data.DB_PASS' },
        { messageId: 'credentialName', object: configMap, path: 'data.githubToken' },
        { messageId: 'credentialName', object: configMap, path: 'data.SMTP_PASSWD' },
        { messageId: 'credentialName', object: configMap, path: 'data.APIKEY' },
        {
          messageId: 'credentialName',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.containers[0].env[0].value',
          data: { where: 'env PASS of container backend' },
        },
        {
          messageId: 'credentialName',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.containers[0].env[1].value',
        },
        {
          messageId: 'credentialName',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.containers[0].env[2].value',
        },
      ],
    },
    {
      name: 'credentials on the command line: --flag value, --flag=value, a URL, redis-cli -a and mysql -p in sh -c',
      located: [
        'azureCredential overlays/dev/args.yaml:15',
        'credentialArgument overlays/dev/args.yaml:12',
        'credentialArgument overlays/dev/args.yaml:13',
        'credentialArgument overlays/dev/args.yaml:14',
        'credentialArgument overlays/dev/args.yaml:22',
        'credentialArgument overlays/dev/args.yaml:23',
      ],
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['args.yaml'] }),
        'overlays/dev/args.yaml': deploymentPatch(
          [
            'containers:',
            '  - name: backend',
            '    args:',
            '      - --password',
            `      - ${ARG_PASSWORD}`,
            `      - --api-key=${ARG_API_KEY}`,
            `      - --auth-token=${ARG_TOKEN}`,
            `      - --database-url=postgres://triage:${URL_PASSWORD}@db.internal:5432/triage`,
            'initContainers:',
            '  - name: wait-for-deps',
            '    image: triageacr.azurecr.io/tools:1.0.0',
            '    command:',
            '      - sh',
            '      - -c',
            `      - until mysqladmin ping -h db -uroot -p${MYSQL_PASSWORD}; do sleep 1; done`,
            `      - redis-cli -a ${REDIS_PASSWORD} ping`,
          ].join('\n'),
        ),
      },
      secrets: [ARG_PASSWORD, ARG_API_KEY, ARG_TOKEN, URL_PASSWORD, MYSQL_PASSWORD, REDIS_PASSWORD],
      errors: [
        {
          messageId: 'credentialArgument',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.containers[0].args[1]',
          data: { where: 'args[1] of container backend', flag: '--password' },
        },
        {
          messageId: 'credentialArgument',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.containers[0].args[2]',
          data: { flag: '--api-key' },
        },
        {
          messageId: 'credentialArgument',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.containers[0].args[3]',
          data: { flag: '--auth-token' },
        },
        {
          messageId: 'azureCredential',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.containers[0].args[4]',
          data: { pattern: 'URL with an embedded password' },
        },
        {
          messageId: 'credentialArgument',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.initContainers[0].command[2]',
          data: { where: 'command[2] of container wait-for-deps', flag: '-p' },
        },
        {
          messageId: 'credentialArgument',
          object: 'Deployment/triage-backend',
          path: 'spec.template.spec.initContainers[0].command[3]',
          data: { flag: '-a' },
        },
      ],
    },
  ],
};
