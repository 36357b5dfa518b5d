import { ruleSettings, type ValidateConfig } from '../config/load.js';
import { ENGINE_RULES } from '../config/settings.js';
import type { Finding, Severity } from '../core/finding.js';
import type { Resource } from '../core/resource.js';
import type { OverlayTarget } from '../render/discover.js';
import { renderOverlay } from '../render/kustomize.js';
import { documentToJson, parseRenderedStream } from '../render/parse.js';
import type { OverlayRun, RunResult } from '../report/types.js';
import { SourceFiles } from '../sourcemap/files.js';
import { SourceLocator } from '../sourcemap/locate.js';
import { type Layer, layersInApplicationOrder, loadTree } from '../sourcemap/tree.js';
import { controllersFor, loadControllers } from './controllers.js';
import { mapLimited } from './limit.js';
import { policyRules, runPolicies } from './policies.js';
import { prepareSchemaStage, SCHEMA_RULE, type SchemaStageOptions, startSchemaStage } from './schema.js';
import { applySuppressions } from './suppress.js';

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
 * The validate pipeline: overlay dir → render (kustomize) → parse →
 * schema (kubeconform) and policies → findings located at their source → suppressions.
 */
export async function validateOverlays(
  targets: readonly OverlayTarget[],
  options: ValidateOptions,
): Promise<RunResult> {
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

  const kubeconform = await prepareSchemaStage(options.schema);
  const rendered = await mapLimited(prepared, (each) =>
    renderOverlay(each.target.dir, { root: options.root }),
  );
  // kubeconform checks the rendered text in its own process while this one parses it and runs the policies.
  const schemaRun = startSchemaStage(rendered, kubeconform, options.schema);
  const parsed = prepared.map((each, index) =>
    parseRenderedStream(rendered[index] ?? '', `${each.target.path} (rendered)`),
  );
  schemaRun.attach(parsed);
  const located: {
    overlay: string;
    env: string;
    findings: Finding[];
    resources: Resource[];
    locator: SourceLocator;
    parsedIndex: number;
  }[] = [];
  for (const [index, each] of prepared.entries()) {
    const { resources, origins } = parsed[index] as (typeof parsed)[number];
    const locator = new SourceLocator(each.tree, files);
    const findings = await runPolicies(resources, {
      overlay: each.target.path,
      env: each.env,
      config: options.config,
      controllers: controllersFor(controllers, each.target.path),
      locate: (resource: Resource, path) => locator.locate(resource, origins[resource.index], path),
    });
    located.push({
      overlay: each.target.path,
      env: each.env,
      findings,
      resources,
      locator,
      parsedIndex: index,
    });
  }
  const schema = await schemaRun.finish();
  const overlays: OverlayRun[] = located.map((each) => {
    const origins = parsed[each.parsedIndex]?.origins ?? [];
    const schemaFindings = withRuleSeverity(
      schema.findingsFor(
        each.parsedIndex,
        each.resources,
        (resource, path) => each.locator.locate(resource, origins[resource.index], path),
        { overlay: each.overlay, env: each.env },
      ),
      ruleSettings(options.config, SCHEMA_SETTINGS, each.env).severity,
    );
    const { findings, suppressed } = applySuppressions(
      [...schemaFindings, ...each.findings],
      each.resources,
      options.config,
      options.today ?? new Date(),
      (resource) => each.locator.sourceName(resource),
    );
    return {
      overlay: each.overlay,
      env: each.env,
      resources: each.resources.length,
      findings: sortFindings(findings),
      suppressed: sortFindings(suppressed),
    };
  });
  return {
    overlays,
    rules: [SCHEMA_RULE, ...policyRules()],
    schemaChecked: schema.checked,
    schemaSkippedReason: schema.skippedReason,
    durationMs: performance.now() - started,
    toolVersion: options.toolVersion,
  };
}

/** The schema stage is configured like a policy (`rules.schema` in the config). */
const SCHEMA_SETTINGS = ENGINE_RULES.find(
  (rule) => rule.id === SCHEMA_RULE.id,
) as (typeof ENGINE_RULES)[number];

function withRuleSeverity(findings: Finding[], severity: Severity | 'off'): Finding[] {
  if (severity === 'off') return [];
  return findings.map((finding) => ({ ...finding, severity }));
}

function rejectHostileYaml(prepared: readonly PreparedOverlay[], files: SourceFiles): void {
  const checked = new Set<string>();
  for (const each of prepared) {
    for (const layer of layersInApplicationOrder(each.tree)) {
      const sources = [
        ...layer.resourceFiles.map((path) => files.yaml(path)),
        ...layer.patches.map((patch) => patch.file),
      ];
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
