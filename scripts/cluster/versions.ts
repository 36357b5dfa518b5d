import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../lib/repo.js';

/**
 * The control plane's versions have one home, `controlplane/go.mod` (with go.sum's checksums);
 * this reads them from there for the build flags, `status` and the README's claims.
 */

export const CONTROLPLANE_MODULE_DIR = join(PACKAGE_ROOT, 'controlplane');

export type ComponentName =
  | 'etcd'
  | 'kube-apiserver'
  | 'kube-controller-manager'
  | 'kube-scheduler'
  | 'kwok'
  | 'metrics-server';

export interface BinarySource<Name extends string = string> {
  name: Name;
  /** The module whose version go.mod pins. */
  module: string;
  /** The main package `go build` compiles. */
  pkg: string;
  /** What `go build -o DIR/` names the binary. */
  output: string;
}

/** In start order: each needs the ones before it. */
export const BINARIES: readonly BinarySource<ComponentName>[] = [
  { name: 'etcd', module: 'go.etcd.io/etcd/server/v3', pkg: 'go.etcd.io/etcd/server/v3', output: 'server' },
  {
    name: 'kube-apiserver',
    module: 'k8s.io/kubernetes',
    pkg: 'k8s.io/kubernetes/cmd/kube-apiserver',
    output: 'kube-apiserver',
  },
  {
    name: 'kube-controller-manager',
    module: 'k8s.io/kubernetes',
    pkg: 'k8s.io/kubernetes/cmd/kube-controller-manager',
    output: 'kube-controller-manager',
  },
  {
    name: 'kube-scheduler',
    module: 'k8s.io/kubernetes',
    pkg: 'k8s.io/kubernetes/cmd/kube-scheduler',
    output: 'kube-scheduler',
  },
  { name: 'kwok', module: 'sigs.k8s.io/kwok', pkg: 'sigs.k8s.io/kwok/cmd/kwok', output: 'kwok' },
  {
    name: 'metrics-server',
    module: 'sigs.k8s.io/metrics-server',
    pkg: 'sigs.k8s.io/metrics-server/cmd/metrics-server',
    output: 'metrics-server',
  },
];

/**
 * The Flux controllers for `cluster up --flux`, from their own wrapper module (controlplane/flux/):
 * they sit on newer k8s.io libraries than the control plane, so one module could not hold both.
 */
export const FLUX_MODULE_DIR = join(CONTROLPLANE_MODULE_DIR, 'flux');

export type FluxComponentName = 'source-controller' | 'kustomize-controller';

/** In start order: kustomize-controller downloads its artifacts from source-controller. */
export const FLUX_BINARIES: readonly BinarySource<FluxComponentName>[] = [
  {
    name: 'source-controller',
    module: 'github.com/fluxcd/source-controller',
    pkg: 'github.com/fluxcd/source-controller',
    output: 'source-controller',
  },
  {
    name: 'kustomize-controller',
    module: 'github.com/fluxcd/kustomize-controller',
    pkg: 'github.com/fluxcd/kustomize-controller',
    output: 'kustomize-controller',
  },
];

/** Each Flux controller's version, from controlplane/flux/go.mod. */
export function readFluxVersions(moduleDir = FLUX_MODULE_DIR): Record<FluxComponentName, string> {
  const requires = parseGoModRequires(readFileSync(join(moduleDir, 'go.mod'), 'utf8'));
  const versions = {} as Record<FluxComponentName, string>;
  for (const binary of FLUX_BINARIES) {
    const version = requires.get(binary.module);
    if (!version) throw new Error(`controlplane/flux/go.mod does not require ${binary.module}`);
    versions[binary.name] = version;
  }
  return versions;
}

/** `module → version` from go.mod's require lines (both the block and the one-line form). */
export function parseGoModRequires(goMod: string): Map<string, string> {
  const versions = new Map<string, string>();
  let inBlock = false;
  for (const raw of goMod.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (/^require\s*\($/.test(line)) {
      inBlock = true;
      continue;
    }
    if (inBlock && line === ')') {
      inBlock = false;
      continue;
    }
    const match = (inBlock ? /^(\S+)\s+(v\S+)$/ : /^require\s+(\S+)\s+(v\S+)$/).exec(line);
    if (match?.[1] && match[2]) versions.set(match[1], match[2]);
  }
  return versions;
}

export interface ControlPlaneVersions {
  kubernetes: string;
  etcd: string;
  kwok: string;
  metricsServer: string;
  /** Per component, the version of the module it is built from. */
  byComponent: Record<ComponentName, string>;
}

export function readVersions(moduleDir = CONTROLPLANE_MODULE_DIR): ControlPlaneVersions {
  const requires = parseGoModRequires(readFileSync(join(moduleDir, 'go.mod'), 'utf8'));
  const byComponent = {} as Record<ComponentName, string>;
  for (const binary of BINARIES) {
    const version = requires.get(binary.module);
    if (!version) throw new Error(`controlplane/go.mod does not require ${binary.module}`);
    byComponent[binary.name] = version;
  }
  return {
    kubernetes: byComponent['kube-apiserver'],
    etcd: byComponent.etcd,
    kwok: byComponent.kwok,
    metricsServer: byComponent['metrics-server'],
    byComponent,
  };
}

/** `v1.33.13` → `{ major: '1', minor: '33' }` for the version stamp Kubernetes binaries report. */
export function kubernetesMinor(version: string): { major: string; minor: string } {
  const match = /^v(\d+)\.(\d+)\./.exec(version);
  if (!match?.[1] || !match[2]) throw new Error(`not a Kubernetes version: ${version}`);
  return { major: match[1], minor: match[2] };
}
