import type { Finding, SourceLocation } from '../core/finding.js';
import type { FieldPath, Resource } from '../core/resource.js';
import { ExitError } from '../lib/exit-error.js';
import type { RenderedOverlay } from '../render/parse.js';
import type { RuleMeta } from '../report/types.js';
import { checkDocuments, type SchemaResult } from '../schema/kubeconform.js';

export const SCHEMA_RULE: RuleMeta = {
  id: 'schema',
  description:
    'Every rendered object is valid against its Kubernetes or CRD JSON schema (kubeconform, strict).',
  remediation:
    'Fix the field named in the message: a typo, a field this API version does not have, or a value of the wrong type.',
  defaultSeverity: 'error',
};

export interface SchemaStageOptions {
  enabled: boolean;
  kubernetesVersion?: string;
  schemaLocations?: string[];
  cwd: string;
}

export interface SchemaStage {
  checked: boolean;
  skippedReason?: string;
  findingsFor(
    overlayIndex: number,
    resources: readonly Resource[],
    locate: (resource: Resource, path: FieldPath) => SourceLocation,
    base: { overlay: string; env: string },
  ): Finding[];
}

/**
 * Runs kubeconform on every rendered overlay. When it cannot run at all (not installed,
 * schemas missing), the other stages still run and the result says so loudly.
 */
export async function runSchemaStage(
  overlays: readonly RenderedOverlay[],
  options: SchemaStageOptions,
): Promise<SchemaStage> {
  if (!options.enabled) {
    return {
      checked: false,
      skippedReason: 'schema checks were turned off (--no-schemas)',
      findingsFor: () => [],
    };
  }
  let results: SchemaResult[][];
  try {
    const documents = overlays.flatMap((overlay) =>
      overlay.resources.map((resource, index) => ({
        text: overlay.texts[index] ?? '',
        body: resource.body,
        kind: resource.kind,
        name: resource.name,
      })),
    );
    results = splitByOverlay(
      await checkDocuments(documents, {
        kubernetesVersion: options.kubernetesVersion,
        schemaLocations: options.schemaLocations,
        cwd: options.cwd,
      }),
      overlays.map((overlay) => overlay.resources.length),
    );
  } catch (error) {
    if (error instanceof ExitError)
      return { checked: false, skippedReason: error.format(), findingsFor: () => [] };
    throw error;
  }
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
          field: path.length > 0 ? path.join('.') : undefined,
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

/**
 * All overlays go to one kubeconform process: it compiles each schema once per process, which
 * dominates its run time, so one process for fifty overlays is far cheaper than fifty.
 */
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
