/**
 * Where the schema stage finds kubeconform and its schemas. One place for the paths and templates that
 * scripts/setup.sh installs into and kubeconform.ts reads from; the pinned versions live in pins.json,
 * which setup.sh reads too.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file so commands work from any directory. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Pins {
  kubeconform: { version: string; module: string; releaseUrl: string; sha256: Record<string, string> };
  kubernetesValidate: { version: string; sha256: string };
  kubernetesVersion: string;
}

/** Versions and checksums pinned for setup.sh and checked here (read as a file: no JSON-module warning). */
export const PINS: Pins = JSON.parse(readFileSync(join(REPO_ROOT, 'scripts', 'schema', 'pins.json'), 'utf8'));

/** The Kubernetes version validated against unless the caller or TRIAGE_KUBERNETES_VERSION says otherwise. */
export const DEFAULT_KUBERNETES_VERSION: string = PINS.kubernetesVersion;

/** Environment settings, for people and CI; the validate CLI passes the same through options. */
export const ENV = {
  binary: 'KUBECONFORM',
  kubernetesVersion: 'TRIAGE_KUBERNETES_VERSION',
  schemaLocation: 'TRIAGE_SCHEMA_LOCATION',
  online: 'TRIAGE_SCHEMA_ONLINE',
} as const;

/** Repository-relative paths (both .tools/ and .cache/ are git-ignored). */
export const PATHS = {
  toolsBin: '.tools/bin',
  coreSchemas: '.cache/schemas/kubernetes',
  httpCache: '.cache/schemas/http',
  /** The version the kubeconform in use reported, with that file's identity (see knownKubeconform). */
  versionCache: '.cache/kubeconform-version.json',
  crdSchemas: 'schemas/crds',
} as const;

/**
 * The layout setup.sh extracts kubernetes-validate's strict schemas into. The file names already match
 * kubeconform's own naming (`configmap-v1.json`, `deployment-apps-v1.json`, `ingress-networking-v1.json`),
 * so one template covers every group, the core group included.
 */
export const CORE_SCHEMA_TEMPLATE =
  '{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json';

/** The repository's CRD schemas, one file per group, kind and version. */
export const CRD_SCHEMA_TEMPLATE = '{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json';

/** Online only, when a user opts in: the community catalogue of CRD schemas. */
export const DATREE_CATALOG_LOCATION =
  'https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json';

export interface LocationSettings {
  /** Repository root; relative paths resolve against it. */
  cwd: string;
  kubernetesVersion: string;
  /** Locations for the Kubernetes schemas, replacing the offline default (kubeconform -schema-location values). */
  schemaLocations?: string[];
  /** Also use kubeconform's default online location and the datreeio CRD catalogue. */
  online?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** The directory setup.sh installs one Kubernetes version's strict schemas into. */
export function coreSchemaDir(cwd: string, kubernetesVersion: string): string {
  return join(cwd, PATHS.coreSchemas, `v${kubernetesVersion}-local-strict`);
}

/** `1.33` → `1.33.0`, `v1.33.0` → `1.33.0`; anything else is returned unchanged for kubeconform to judge. */
export function normalizeKubernetesVersion(version: string): string {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(version.trim());
  if (!match) return version.trim();
  return `${match[1]}.${match[2]}.${match[3] ?? '0'}`;
}

export function isOnline(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[ENV.online]?.toLowerCase();
  return value === '1' || value === 'true' || value === 'yes';
}

/**
 * The ordered -schema-location list: the Kubernetes schemas (explicit, TRIAGE_SCHEMA_LOCATION, the offline
 * copy in .cache/, or kubeconform's default when online), then the repository's CRD schemas, then (online
 * only) the datreeio catalogue. Returns `missing` instead of a list when no Kubernetes schemas can be used.
 */
export function resolveSchemaLocations(
  settings: LocationSettings,
): { locations: string[] } | { missing: string } {
  const env = settings.env ?? process.env;
  const online = settings.online ?? isOnline(env);
  let core: string[];
  if (settings.schemaLocations && settings.schemaLocations.length > 0) {
    core = settings.schemaLocations.map((location) => absoluteLocation(location, settings.cwd));
  } else if (env[ENV.schemaLocation]) {
    core = [absoluteLocation(env[ENV.schemaLocation] ?? '', settings.cwd)];
  } else if (existsSync(coreSchemaDir(settings.cwd, settings.kubernetesVersion))) {
    core = [join(settings.cwd, PATHS.coreSchemas, CORE_SCHEMA_TEMPLATE)];
  } else if (online) {
    core = ['default'];
  } else {
    return { missing: coreSchemaDir(settings.cwd, settings.kubernetesVersion) };
  }
  const locations = [...core, join(settings.cwd, PATHS.crdSchemas, CRD_SCHEMA_TEMPLATE)];
  if (online) {
    if (!core.includes('default')) locations.push('default');
    locations.push(DATREE_CATALOG_LOCATION);
  }
  return { locations };
}

/** kubeconform resolves file locations against its working directory; make them independent of it. */
function absoluteLocation(location: string, cwd: string): string {
  if (location === 'default' || /^[a-z][a-z0-9+.-]*:\/\//i.test(location) || isAbsolute(location))
    return location;
  return join(cwd, location);
}
