import type { Finding, SuppressedFinding } from '../core/finding.js';
import type { Resource } from '../core/resource.js';
import { ExitError } from '../lib/exit-error.js';
import { ScratchTree } from '../render/annotated.js';
import type { OverlayTarget } from '../render/discover.js';
import { documentToJson, parseRenderedStream } from '../render/parse.js';
import type { OverlayRun, RuleMeta, RunResult } from '../report/types.js';
import { SourceFiles } from '../sourcemap/files.js';
import { SourceLocator } from '../sourcemap/locate.js';
import { type Layer, layersInApplicationOrder, loadTree } from '../sourcemap/tree.js';
import { controllersFor, loadControllers } from './controllers.js';
import { mapLimited } from './limit.js';
import { runPolicies, policyRules } from './policies.js';
import { applySuppressions } from './suppress.js';
import { runSchemaStage, SCHEMA_RULE, type SchemaStageOptions } from './schema.js';
import type { ValidateConfig } from '../config/load.js';

export interface ValidateOptions {
  root: string;
  config: ValidateConfig;
  /** Environment names by overlay path, already resolved (directory name < config < --env). */
  envs: Map<string, string>;
  schema: SchemaStageOptions;
  toolVersion: string;
  today?: Date;
}

interface PreparedOverlay {
  target: OverlayTarget;
  env: string;
  tree: Layer;
}

/**
 * The validate pipeline: overlay dir → render (kustomize, with origin annotations) → parse →
 * schema (kubeconform) and policies → findings located at their source → suppressions.
 */
export async function validateOverlays(targets: readonly OverlayTarget[], options: ValidateOptions): Promise<RunResult> {
  const started = performance.now();
  const files = new SourceFiles(options.root);
  const prepared: PreparedOverlay[] = targets.map((target) => ({
    target,
    env: options.envs.get(target.path) ?? target.env,
    tree: loadTree(target.dir, files),
  }));
  // kustomize itself hangs on an alias bomb: every source document is expanded here first, bounded.
  rejectHostileYaml(prepared, files);
  const controllers = loadControllers(options.root, files);

  const scratch = new ScratchTree(options.root);
  try {
    scratch.addLayers(prepared.flatMap((each) => layersInApplicationOrder(each.tree).map((layer) => layer.dir)));
    const rendered = await mapLimited(prepared, (each) => scratch.renderWithOrigins(each.target.dir));
    const parsed = prepared.map((each, index) => parseRenderedStream(rendered[index] ?? '', `${each.target.path} (rendered)`));
    const schema = await runSchemaStage(
      rendered,
      parsed.map((each) => each.resources.length),
      options.schema,
    );
    const overlays: OverlayRun[] = [];
    for (const [index, each] of prepared.entries()) {
      const { resources, origins } = parsed[index] as (typeof parsed)[number];
      const locator = new SourceLocator(each.tree, files);
      const base = { overlay: each.target.path, env: each.env };
      const raw: Finding[] = [
        ...schema.findingsFor(index, resources, (resource, path) => locator.locate(resource, origins[resource.index], path), base),
        ...(await runPolicies(resources, {
          ...base,
          config: options.config,
          controllers: controllersFor(controllers, each.target.path),
          locate: (resource: Resource, path) => locator.locate(resource, origins[resource.index], path),
        })),
      ];
      const { findings, suppressed } = applySuppressions(raw, resources, options.config, options.today ?? new Date());
      overlays.push({ ...base, resources: resources.length, findings: sortFindings(findings), suppressed: sortFindings(suppressed) as SuppressedFinding[] });
    }
    const rules: RuleMeta[] = [SCHEMA_RULE, ...policyRules()];
    return {
      overlays,
      rules,
      schemaChecked: schema.checked,
      schemaSkippedReason: schema.skippedReason,
      durationMs: performance.now() - started,
      toolVersion: options.toolVersion,
    };
  } finally {
    scratch.dispose();
  }
}

function rejectHostileYaml(prepared: readonly PreparedOverlay[], files: SourceFiles): void {
  const checked = new Set<string>();
  for (const each of prepared) {
    for (const layer of layersInApplicationOrder(each.tree)) {
      const sources = [...layer.resourceFiles.map((path) => files.yaml(path)), ...layer.patches.map((patch) => patch.file)];
      for (const file of sources) {
        if (checked.has(file.path)) continue;
        checked.add(file.path);
        for (const document of file.documents) documentToJson(document, file.shown, file.lineCounter);
      }
    }
  }
}

export function sortFindings<T extends Finding>(findings: T[]): T[] {
  return [...findings].sort(
    (a, b) =>
      a.location.file.localeCompare(b.location.file) ||
      a.location.line - b.location.line ||
      a.location.column - b.location.column ||
      a.ruleId.localeCompare(b.ruleId) ||
      a.message.localeCompare(b.message),
  );
}

export { ExitError };
