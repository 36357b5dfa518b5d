import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { serverSideApply, waitForCrds } from '../kube/apply.js';
import { PACKAGE_ROOT } from '../lib/repo.js';

/**
 * The CRDs the overlays and GitOps manifests use (SecretProviderClass, Argo CD Application, Flux
 * GitRepository and Kustomization), made from the repository's own offline schemas in
 * schemas/crds/ (the ones kubeconform checks against), so the server and the schema stage judge
 * these kinds by one definition. `cluster up --crds` installs them.
 */

interface CrdSpec {
  group: string;
  version: string;
  kind: string;
  plural: string;
  shortNames?: string[];
  /** File under schemas/crds/. */
  schema: string;
}

export const REPOSITORY_CRDS: readonly CrdSpec[] = [
  {
    group: 'secrets-store.csi.x-k8s.io',
    version: 'v1',
    kind: 'SecretProviderClass',
    plural: 'secretproviderclasses',
    schema: 'secrets-store.csi.x-k8s.io/secretproviderclass_v1.json',
  },
  {
    group: 'argoproj.io',
    version: 'v1alpha1',
    kind: 'Application',
    plural: 'applications',
    shortNames: ['app', 'apps'],
    schema: 'argoproj.io/application_v1alpha1.json',
  },
  {
    group: 'source.toolkit.fluxcd.io',
    version: 'v1',
    kind: 'GitRepository',
    plural: 'gitrepositories',
    shortNames: ['gitrepo'],
    schema: 'source.toolkit.fluxcd.io/gitrepository_v1.json',
  },
  {
    group: 'kustomize.toolkit.fluxcd.io',
    version: 'v1',
    kind: 'Kustomization',
    plural: 'kustomizations',
    shortNames: ['ks'],
    schema: 'kustomize.toolkit.fluxcd.io/kustomization_v1.json',
  },
];

type Schema = Record<string, unknown>;

/**
 * A JSON schema as a structural OpenAPI v3 schema: `$ref`s to `#/definitions/…` inlined,
 * `additionalProperties: false` dropped (the API server prunes or, under strict field validation,
 * rejects unknown fields anyway and forbids the keyword), and objects with nothing declared kept
 * open with `x-kubernetes-preserve-unknown-fields` (status, free-form maps).
 */
export function toStructural(node: unknown, definitions: Record<string, unknown>, depth = 0): unknown {
  if (depth > 64) throw new Error('schema nests deeper than 64 levels (a $ref cycle?)');
  if (Array.isArray(node)) return node.map((each) => toStructural(each, definitions, depth + 1));
  if (node === null || typeof node !== 'object') return node;
  const source = node as Schema;
  const ref = source.$ref;
  if (typeof ref === 'string') {
    const name = ref.replace(/^#\/definitions\//, '');
    if (!(name in definitions)) throw new Error(`unknown $ref ${ref}`);
    return toStructural(definitions[name], definitions, depth + 1);
  }
  const out: Schema = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === 'definitions' || key === '$schema' || key === '$id') continue;
    if (key === 'additionalProperties' && value === false) continue;
    if (key === 'properties' && value && typeof value === 'object') {
      out.properties = Object.fromEntries(
        Object.entries(value as Schema).map(([name, child]) => [
          name,
          toStructural(child, definitions, depth + 1),
        ]),
      );
    } else {
      out[key] = toStructural(value, definitions, depth + 1);
    }
  }
  if (out.type === 'object' && !out.properties && !out.additionalProperties) {
    out['x-kubernetes-preserve-unknown-fields'] = true;
  }
  return out;
}

export function crdObject(spec: CrdSpec): Schema {
  const jsonSchema = JSON.parse(
    readFileSync(join(PACKAGE_ROOT, 'schemas', 'crds', spec.schema), 'utf8'),
  ) as Schema;
  const definitions = (jsonSchema.definitions ?? {}) as Record<string, unknown>;
  const schema = toStructural(jsonSchema, definitions) as Schema;
  const properties = { ...((schema.properties ?? {}) as Schema) };
  // The API server owns metadata's schema; a CRD may only say it is an object.
  properties.metadata = { type: 'object' };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${spec.plural}.${spec.group}` },
    spec: {
      group: spec.group,
      scope: 'Namespaced',
      names: {
        kind: spec.kind,
        listKind: `${spec.kind}List`,
        plural: spec.plural,
        singular: spec.kind.toLowerCase(),
        ...(spec.shortNames ? { shortNames: spec.shortNames } : {}),
      },
      versions: [
        {
          name: spec.version,
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              ...(schema.required ? { required: schema.required } : {}),
              properties,
            },
          },
        },
      ],
    },
  };
}

/**
 * The repository's CRDs, without Flux's kinds when the real Flux controllers run (`up --flux`
 * installs their own CRDs; these stand-ins would replace them and break the controllers).
 */
export function repositoryCrds(options: { withoutFlux?: boolean } = {}): readonly CrdSpec[] {
  return options.withoutFlux
    ? REPOSITORY_CRDS.filter((spec) => !spec.group.endsWith('.toolkit.fluxcd.io'))
    : REPOSITORY_CRDS;
}

export function repositoryCrdManifest(options: { withoutFlux?: boolean } = {}): string {
  return repositoryCrds(options)
    .map((spec) => stringify(crdObject(spec)))
    .join('---\n');
}

/** Applies the repository's CRDs and waits until the API server serves them. */
export async function installRepositoryCrds(
  kubeconfig: string,
  log: (line: string) => void,
  options: { withoutFlux?: boolean } = {},
): Promise<void> {
  const specs = repositoryCrds(options);
  await serverSideApply({ kubeconfig }, repositoryCrdManifest(options), 30_000);
  await waitForCrds(
    { kubeconfig },
    specs.map((spec) => `${spec.plural}.${spec.group}`),
  );
  log(`CRDs installed: ${specs.map((spec) => `${spec.kind} (${spec.group})`).join(', ')}`);
}
