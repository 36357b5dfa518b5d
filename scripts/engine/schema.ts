import { ENGINE_RULES, type RuleLike } from '../config/settings.js';
import type { Finding } from '../core/finding.js';
import type { FieldPath } from '../core/resource.js';
import { displayPath } from '../core/secret-keys.js';
import { ExitError } from '../lib/exit-error.js';
import type { RenderedOverlay } from '../render/parse.js';
import type { RuleMeta } from '../report/types.js';
import {
  findKubeconform,
  knownKubeconform,
  type ObjectKind,
  type SchemaDocument,
  type SchemaResult,
  type StartedKubeconform,
  startKubeconform,
} from '../schema/kubeconform.js';
import type { CheckStage, PendingStage } from './stage.js';

/** The schema stage's settings entry: configured and suppressed like a policy (`rules.schema`). */
export const SCHEMA_SETTINGS = ENGINE_RULES.find((rule) => rule.id === 'schema') as RuleLike;

export const SCHEMA_RULE: RuleMeta = {
  id: SCHEMA_SETTINGS.id,
  description: SCHEMA_SETTINGS.description,
  remediation:
    'Fix the field named in the message: a typo, a field this API version does not have, or a value of the wrong type.',
  defaultSeverity: SCHEMA_SETTINGS.defaultSeverity,
};

export interface SchemaStageOptions {
  enabled: boolean;
  kubernetesVersion?: string;
  schemaLocations?: string[];
  cwd: string;
}

export type SchemaStage = CheckStage;
export type PendingSchemaStage = PendingStage;

/** The schema stage before the objects exist: kubeconform started on the kinds the sources name, or why not. */
export type PreparedSchemaStage =
  | { started: StartedKubeconform }
  | { started?: undefined; skippedReason: string };

/**
 * Finds kubeconform while kustomize renders, so a missing binary costs nothing later, and starts
 * it on the kinds the sources name (see startKubeconform), so that it compiles their schemas
 * before the rendered objects arrive.
 */
export function prepareSchemaStage(
  options: SchemaStageOptions,
  kinds: readonly ObjectKind[] = [],
): Promise<PreparedSchemaStage> {
  if (!options.enabled)
    return Promise.resolve({ skippedReason: 'schema checks were turned off (--no-schemas)' });
  const start = (binary: string): PreparedSchemaStage => ({
    started: startKubeconform(kinds, { ...checkOptions(options), binary }),
  });
  // Started now, before the caller's synchronous work, when the binary's version is known already.
  const known = knownKubeconform({ cwd: options.cwd });
  if (known) return Promise.resolve(start(known));
  return findKubeconform({ cwd: options.cwd }).then(start, (error: unknown) => {
    if (error instanceof ExitError) return { skippedReason: error.format() };
    throw error;
  });
}

/** The stage is not going to run (a render failed): a started kubeconform is stopped. */
export function abandonSchemaStage(prepared: Promise<PreparedSchemaStage>): void {
  prepared.then(
    (stage) => stage.started?.cancel(),
    () => undefined,
  );
}

function checkOptions(options: SchemaStageOptions) {
  return {
    kubernetesVersion: options.kubernetesVersion,
    schemaLocations: options.schemaLocations,
    cwd: options.cwd,
  };
}

/**
 * Starts kubeconform on every rendered overlay at once, so that it checks schemas on one core
 * while this process runs the policies on the other. All overlays go to one process:
 * kubeconform compiles each schema once per process.
 */
export function startSchemaStage(
  overlays: readonly RenderedOverlay[],
  prepared: PreparedSchemaStage,
): PendingSchemaStage {
  if (!prepared.started) {
    const skipped: SchemaStage = {
      checked: false,
      skippedReason: prepared.skippedReason,
      findingsFor: () => [],
    };
    return { finish: async () => skipped };
  }
  const documents: SchemaDocument[] = overlays.flatMap((overlay) =>
    overlay.resources.map((resource, index) => ({
      text: overlay.texts[index] ?? '',
      body: resource.body,
      kind: resource.kind,
      name: resource.name,
    })),
  );
  // Settled here so that a failure is not an unhandled rejection before finish() awaits it.
  const settled = prepared.started.check(documents).then(
    (results) => ({ results }),
    (error: unknown) => ({ error }),
  );
  const counts = overlays.map((overlay) => overlay.resources.length);
  return {
    async finish() {
      const outcome = await settled;
      if ('error' in outcome) {
        if (outcome.error instanceof ExitError) {
          return { checked: false, skippedReason: outcome.error.format(), findingsFor: () => [] };
        }
        throw outcome.error;
      }
      return schemaFindings(splitByOverlay(outcome.results, counts));
    },
  };
}

function schemaFindings(results: SchemaResult[][]): SchemaStage {
  return {
    checked: true,
    findingsFor(overlayIndex, resources, locate, base) {
      const findings: Finding[] = [];
      for (const result of results[overlayIndex] ?? []) {
        if (result.status === 'valid') continue;
        const resource = resources[result.index];
        if (!resource) continue;
        const object = {
          apiVersion: resource.apiVersion,
          kind: resource.kind,
          namespace: resource.namespace,
          name: resource.name,
        };
        const make = (messageId: string, message: string, path: FieldPath): Finding => ({
          ruleId: SCHEMA_RULE.id,
          messageId,
          severity: 'error',
          message,
          remediation: SCHEMA_RULE.remediation,
          ...base,
          object,
          // Printed: an invalid Secret key as its marker; located with the real path.
          field: path.length > 0 ? displayPath(resource.body, path).join('.') : undefined,
          location: locate(resource, path),
        });
        if (result.errors.length > 0) {
          for (const error of result.errors) findings.push(make('invalid', error.message, error.path));
        } else if (result.status === 'skipped' || result.message.startsWith('no schema for')) {
          findings.push(make('missingSchema', result.message, []));
        } else {
          findings.push(make(result.status === 'error' ? 'error' : 'invalid', result.message, []));
        }
      }
      return findings;
    },
  };
}

function splitByOverlay(
  results: readonly SchemaResult[],
  documentCounts: readonly number[],
): SchemaResult[][] {
  const out: SchemaResult[][] = documentCounts.map(() => []);
  const starts: number[] = [];
  let total = 0;
  for (const count of documentCounts) {
    starts.push(total);
    total += count;
  }
  for (const result of results) {
    let overlay = documentCounts.length - 1;
    while (overlay > 0 && (starts[overlay] ?? 0) > result.index) overlay--;
    out[overlay]?.push({ ...result, index: result.index - (starts[overlay] ?? 0) });
  }
  return out;
}
