import { ruleSettings, type ValidateConfig } from '../config/load.js';
import type { Finding, Severity } from '../core/finding.js';
import type { FieldPath, Resource } from '../core/resource.js';
import type { OverlayTarget } from '../render/discover.js';
import { type FinishedRender, judgeRender, type RenderOptions, renderedText } from '../render/kustomize.js';
import { parseRenderedStream, type RenderedOverlay, renderedFromDocuments } from '../render/parse.js';
import type { OverlayRun, RunResult } from '../report/types.js';
import type { SourceFiles } from '../sourcemap/files.js';
import { explainRenderFailure } from '../sourcemap/inputs.js';
import { sourceKinds } from '../sourcemap/kinds.js';
import { SourceLocator } from '../sourcemap/locate.js';
import { controllersFor, loadControllers } from './controllers.js';
import { policyRules, preparePolicies, runPolicies } from './policies.js';
import { type PreparedOverlay, type PreparedRun, prepareOverlays } from './prepare.js';
import type { RenderOutcome } from './renders.js';
import {
  abandonSchemaStage,
  type PreparedSchemaStage,
  prepareSchemaStage,
  SCHEMA_RULE,
  SCHEMA_SETTINGS,
  type SchemaStageOptions,
  startSchemaStage,
} from './schema.js';
import {
  abandonServerStage,
  prepareServerStage,
  SERVER_RULE,
  SERVER_SETTINGS,
  type ServerStageOptions,
  startServerStage,
} from './server.js';
import { applySuppressions } from './suppress.js';

export interface ValidateOptions {
  root: string;
  config: ValidateConfig;
  /** Environment names by overlay path, already resolved (directory name < config < --env). */
  envs: Map<string, string>;
  schema: SchemaStageOptions;
  server?: ServerStageOptions;
  toolVersion: string;
  today?: Date;
  /**
   * Where the reported duration starts, on performance.now()'s clock: the CLI passes 0, the
   * process start, so the summary line covers Node's start-up and module loading as the user
   * waited for them. Default: when this call began.
   */
  startedAt?: number;
}

/**
 * The validate pipeline: overlay dir → render (kustomize) → parse →
 * schema (kubeconform) and policies → findings located at their source → suppressions.
 */
export async function validateOverlays(
  input: readonly OverlayTarget[] | PreparedRun,
  options: ValidateOptions,
): Promise<RunResult> {
  const started = options.startedAt ?? performance.now();
  const mark = stageTimer(started);
  // The CLI prepares the overlays before it loads this module; other callers start here.
  const run = Array.isArray(input)
    ? prepareOverlays(input as readonly OverlayTarget[], options.root)
    : (input as PreparedRun);
  const { files } = run;
  const schemaPrepared = prepareSchemaStage(
    options.schema,
    run.overlays.flatMap((each) => sourceKinds(each.tree, files)),
  );
  // Awaited after the tree work; a bad tree throws first and must not leave it unhandled.
  schemaPrepared.catch(() => undefined);
  try {
    return await validatePrepared(run, schemaPrepared, options, mark, started);
  } catch (error) {
    abandonSchemaStage(schemaPrepared);
    throw error;
  }
}

async function validatePrepared(
  run: PreparedRun,
  schemaPrepared: Promise<PreparedSchemaStage>,
  options: ValidateOptions,
  mark: (stage: string) => void,
  started: number,
): Promise<RunResult> {
  const { files } = run;
  const prepared = run.overlays.map((each) => ({
    ...each,
    env: options.envs.get(each.target.path) ?? each.target.env,
  }));
  const renders = prepared.map((each) => each.render);
  const controllers = loadControllers(options.root, files);
  preparePolicies(
    options.config,
    prepared.map((each) => each.env),
  );
  mark('source tree');

  // The API server (and the proxy to it) start while kustomize renders.
  const serverOptions = options.server ?? { enabled: false };
  const serverPrepared = prepareServerStage(serverOptions);
  const kubeconform = await schemaPrepared;
  mark('find kubeconform');
  // Each overlay is parsed as soon as it is rendered, and its policies run while kustomize still
  // renders the next; kubeconform and the API server start once the last one is parsed, so they
  // check the objects in their own processes while this one runs the policies still to run.
  const parsed: RenderedOverlay[] = [];
  const startStages = () => {
    mark('render and parse');
    return {
      schemaRun: startSchemaStage(parsed, kubeconform),
      serverRun: startServerStage(
        parsed,
        serverPrepared,
        prepared.flatMap((each) => each.sensitive),
      ),
    };
  };
  let stages: ReturnType<typeof startStages> | undefined;
  const located: {
    overlay: string;
    env: string;
    findings: Finding[];
    resources: Resource[];
    locator: SourceLocator;
    parsedIndex: number;
  }[] = [];
  // Renders that have already answered, so that every overlay waiting is parsed (and kubeconform
  // started) before any policies run: both renders of a small tree answer at about the same time.
  const answered = renders.map(() => false);
  for (const [index, render] of renders.entries()) {
    render.then(
      () => {
        answered[index] = true;
      },
      () => undefined,
    );
  }
  const parseOverlay = async (index: number) => {
    const each = prepared[index] as (typeof prepared)[number];
    try {
      parsed.push(
        parseRender(
          await (renders[index] as Promise<RenderOutcome>),
          `${each.target.path} (rendered)`,
          { root: options.root, sensitive: each.sensitive },
          () => explainFailure(prepared, files),
        ),
      );
    } catch (error) {
      await abandonServerStage(serverPrepared);
      throw error;
    }
    if (parsed.length === prepared.length) stages = startStages();
  };
  for (const [index, each] of prepared.entries()) {
    if (parsed.length === index) await parseOverlay(index);
    while (parsed.length < prepared.length && answered[parsed.length]) await parseOverlay(parsed.length);
    const { resources, origins } = parsed[index] as RenderedOverlay;
    const locator = new SourceLocator(each.tree, files);
    const findings = await runPolicies(resources, {
      overlay: each.target.path,
      env: each.env,
      config: options.config,
      controllers: controllersFor(controllers, each.target.path),
      locate: (resource: Resource, path, valueLine) =>
        locator.locate(resource, origins[resource.index], path, valueLine),
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
  const { schemaRun, serverRun } = stages ?? startStages();
  mark('policies');
  const schema = await schemaRun.finish();
  mark('schema (rest)');
  const server = await serverRun.finish();
  mark('server (rest)');
  const overlays: OverlayRun[] = located.map((each) => {
    const origins = parsed[each.parsedIndex]?.origins ?? [];
    const schemaSettings = ruleSettings(options.config, SCHEMA_SETTINGS, each.env);
    const locate = (resource: Resource, path: FieldPath) =>
      each.locator.locate(resource, origins[resource.index], path);
    const base = { overlay: each.overlay, env: each.env };
    const schemaFindings = withSchemaSeverity(
      schema.findingsFor(each.parsedIndex, each.resources, locate, base),
      schemaSettings.severity,
      schemaSettings.options.missingSchema === 'error' ? 'error' : 'warning',
    );
    const serverFindings = withServerSeverity(
      server.findingsFor(each.parsedIndex, each.resources, locate, base),
      ruleSettings(options.config, SERVER_SETTINGS, each.env).severity,
    );
    const { findings, suppressed } = applySuppressions(
      [...schemaFindings, ...serverFindings, ...each.findings],
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
  mark('locate and suppress');
  return {
    overlays,
    rules: [SCHEMA_RULE, ...(serverOptions.enabled ? [SERVER_RULE] : []), ...policyRules()],
    schemaChecked: schema.checked,
    schemaSkippedReason: schema.skippedReason,
    ...(serverOptions.enabled
      ? {
          server: {
            checked: server.checked,
            skippedReason: server.skippedReason,
            against: server.checkedAgainst,
          },
        }
      : {}),
    durationMs: performance.now() - started,
    toolVersion: options.toolVersion,
  };
}

/** With TRIAGE_PROFILE=1, prints how long each stage took to stderr (what `npm run bench` cannot show). */
function stageTimer(started: number): (stage: string) => void {
  if (process.env.TRIAGE_PROFILE !== '1') return () => undefined;
  let last = started;
  return (stage) => {
    const now = performance.now();
    process.stderr.write(`profile: ${stage.padEnd(20)} ${(now - last).toFixed(0).padStart(6)} ms\n`);
    last = now;
  };
}

/** Rejections take the configured severity; the server's warnings stay warnings (unless the rule is off). */
function withServerSeverity(findings: Finding[], severity: Severity | 'off'): Finding[] {
  if (severity === 'off') return [];
  return findings.map((finding) => (finding.severity === 'error' ? { ...finding, severity } : finding));
}

/** The rule's severity; a kind with no schema anywhere at the `missingSchema` option's (warning by default). */
function withSchemaSeverity(findings: Finding[], severity: Severity | 'off', missing: Severity): Finding[] {
  if (severity === 'off') return [];
  return findings.map((finding) => ({
    ...finding,
    severity: finding.messageId === 'missingSchema' && severity === 'error' ? missing : severity,
  }));
}

/** A render's objects; when kustomize failed, a source file our parser can pin down beats kustomize's message. */
function parseRender(
  outcome: RenderOutcome,
  label: string,
  options: RenderOptions,
  explain: () => void,
): RenderedOverlay {
  let render: FinishedRender;
  try {
    if ('error' in outcome) throw outcome.error;
    render = outcome.render;
    judgeRender(render, options);
  } catch (error) {
    explain();
    throw error;
  }
  return render.documents
    ? renderedFromDocuments(render.documents, label)
    : parseRenderedStream(renderedText(render, options), label);
}

/** Parses every source file of every overlay (only after a failed render): throws at the first bad one. */
function explainFailure(prepared: readonly PreparedOverlay[], files: SourceFiles): void {
  for (const each of prepared) explainRenderFailure(each.tree, files);
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
