import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitError } from '../lib/exit-error.js';
import { runProcess } from '../lib/process.js';

/**
 * The local cluster's PKI, made with openssl in well under a second: one CA for the API server and
 * every client, a front-proxy CA for aggregation (metrics-server), serving certificates for the API
 * server, metrics-server and kwok's kubelet endpoint, and the service-account signing key.
 * All EC P-256, valid 30 days; `down` deletes them with the rest of the state.
 */

export interface Pki {
  dir: string;
  ca: KeyPair;
  frontProxyCa: KeyPair;
  apiserver: KeyPair;
  admin: KeyPair;
  controllerManager: KeyPair;
  scheduler: KeyPair;
  frontProxyClient: KeyPair;
  metricsServer: KeyPair;
  kwok: KeyPair;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

export interface KeyPair {
  cert: string;
  key: string;
}

interface Leaf {
  name: Exclude<keyof Pki, 'dir' | 'ca' | 'frontProxyCa' | 'serviceAccountKey' | 'serviceAccountPub'>;
  subject: string;
  signer: 'ca' | 'frontProxyCa';
  usage: 'server' | 'client';
  altNames?: string;
}

/** The API server's in-cluster name and the first address of the service range. */
const APISERVER_NAMES =
  'IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc';

const LEAVES: readonly Leaf[] = [
  {
    name: 'apiserver',
    subject: '/CN=kube-apiserver',
    signer: 'ca',
    usage: 'server',
    altNames: APISERVER_NAMES,
  },
  { name: 'admin', subject: '/O=system:masters/CN=triage-admin', signer: 'ca', usage: 'client' },
  { name: 'controllerManager', subject: '/CN=system:kube-controller-manager', signer: 'ca', usage: 'client' },
  { name: 'scheduler', subject: '/CN=system:kube-scheduler', signer: 'ca', usage: 'client' },
  { name: 'frontProxyClient', subject: '/CN=front-proxy-client', signer: 'frontProxyCa', usage: 'client' },
  // The aggregator checks metrics-server's certificate against its Service's DNS name.
  {
    name: 'metricsServer',
    subject: '/CN=metrics-server',
    signer: 'ca',
    usage: 'server',
    altNames: 'DNS:metrics-server.kube-system.svc,IP:127.0.0.1',
  },
  {
    name: 'kwok',
    subject: '/CN=kwok-kubelet',
    signer: 'ca',
    usage: 'server',
    altNames: 'IP:127.0.0.1,DNS:localhost',
  },
];

const DAYS = '30';
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

async function openssl(args: string[], what: string): Promise<void> {
  const result = await runProcess('openssl', args, { timeoutMs: 30_000 });
  if (result.startError?.code === 'ENOENT') {
    throw new ExitError(
      "openssl is not installed: it makes the local cluster's certificates (apt-get install openssl)",
    );
  }
  if (result.code !== 0) {
    throw new ExitError(`openssl failed making ${what}: ${result.stderr.trim().split('\n').at(-1) ?? ''}`);
  }
}

/** Where each file of a cluster's PKI lives under `dir`. */
export function pkiPaths(dir: string): Pki {
  const pair = (name: string): KeyPair => ({ cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) });
  return {
    dir,
    ca: pair('ca'),
    frontProxyCa: pair('front-proxy-ca'),
    apiserver: pair('apiserver'),
    admin: pair('admin'),
    controllerManager: pair('controller-manager'),
    scheduler: pair('scheduler'),
    frontProxyClient: pair('front-proxy-client'),
    metricsServer: pair('metrics-server'),
    kwok: pair('kwok'),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPub: join(dir, 'sa.pub'),
  };
}

export async function createPki(dir: string): Promise<Pki> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // A minimal config: only the extensions given with -addext, so leaves are never CA:TRUE.
  const config = join(dir, 'openssl.cnf');
  writeFileSync(config, '[req]\ndistinguished_name=dn\n[dn]\n');
  const pki = pkiPaths(dir);
  /** A new key and certificate: self-signed, or signed by `signer`; extensions as `-addext` values. */
  const certificate = (own: KeyPair, subject: string, extensions: string[], signer?: KeyPair) =>
    openssl(
      [
        ...['req', '-config', config, '-x509', '-new', ...EC_KEY, '-keyout', own.key, '-out', own.cert],
        ...['-subj', subject, '-days', DAYS],
        ...(signer ? ['-CA', signer.cert, '-CAkey', signer.key] : []),
        ...extensions.flatMap((extension) => ['-addext', extension]),
      ],
      subject,
    );
  const authority = [
    'basicConstraints=critical,CA:TRUE',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ];
  await Promise.all([
    certificate(pki.ca, '/CN=triage-local-ca', authority),
    certificate(pki.frontProxyCa, '/CN=triage-local-front-proxy-ca', authority),
  ]);
  const leaves = LEAVES.map((leaf) =>
    certificate(
      pki[leaf.name],
      leaf.subject,
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        `extendedKeyUsage=${leaf.usage === 'server' ? 'serverAuth' : 'clientAuth'}`,
        ...(leaf.altNames ? [`subjectAltName=${leaf.altNames}`] : []),
      ],
      pki[leaf.signer],
    ),
  );
  const serviceAccount = (async () => {
    await openssl(
      ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', pki.serviceAccountKey],
      'the service-account key',
    );
    await openssl(
      ['pkey', '-in', pki.serviceAccountKey, '-pubout', '-out', pki.serviceAccountPub],
      'the service-account key',
    );
  })();
  await Promise.all([...leaves, serviceAccount]);
  return pki;
}
