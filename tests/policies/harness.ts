import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../scripts/config/load.js';
import { knownRuleIds, ruleSettings } from '../../scripts/config/settings.js';
import { defaultConfig, type ValidateConfig } from '../../scripts/config/types.js';
import type { Finding } from '../../scripts/core/finding.js';
import { formatPath, type JsonObject, type Resource, toResource } from '../../scripts/core/resource.js';
import { formatMessage } from '../../scripts/engine/messages.js';
import { validateOverlays } from '../../scripts/engine/run.js';
import { PACKAGE_ROOT } from '../../scripts/lib/repo.js';
import { createPolicyContext, withOptions } from '../../scripts/policies/context.js';
import { appliesTo, ruleCatalogue } from '../../scripts/policies/index.js';
import type { Policy, RawFinding } from '../../scripts/policies/types.js';
import { discoverOverlays } from '../../scripts/render/discover.js';
import { renderOverlay } from '../../scripts/render/kustomize.js';
import { parseRenderedStream } from '../../scripts/render/parse.js';

/** A small, valid app (base, keyvault-csi component, dev and prod overlays) every case starts from. */
export const FIXTURE_APP = fileURLToPath(new URL('../fixtures/policies/app', import.meta.url));

export interface ExpectedFinding {
  messageId: string;
  /** `Kind/name` of the rendered object reported on (a RegExp for generated names with a hash). */
  object: string | RegExp;
  /** Dotted path in the rendered object, as `formatPath` prints it. */
  path: string;
  /** Some of the placeholder values, when the case is about them. */
  data?: Record<string, string | number>;
}

export interface PolicyCase {
  name: string;
  /** Environment of the overlay; default `dev`. */
  env?: string;
  /** Overlay directory in the tree; default `overlays/<env>`. */
  overlay?: string;
  /** Files to add, replace (path → text) or delete (path → null) in the fixture tree. */
  files?: Record<string, string | null>;
  /** Argo CD Applications / Flux Kustomizations syncing the overlay (a YAML stream). */
  controllers?: string;
  /** Options for the policy, as `rules.<id>.options` in validate.config.yaml would set them. */
  options?: Record<string, unknown>;
  /**
   * Judge the case with this repository's own validate.config.yaml (its house thresholds) instead
   * of the built-in defaults; `options` still apply on top.
   */
  repositoryConfig?: boolean;
  /** Strings that must not appear in any message or data (secret values). */
  secrets?: string[];
}

export interface InvalidCase extends PolicyCase {
  errors: ExpectedFinding[];
  /**
   * Where the real engine locates every finding of the rule, end to end (render with origins,
   * source map): `messageId file:line`, file relative to the tree root.
   */
  located?: string[];
}

/** ESLint RuleTester style: objects that must not fire, and objects that must, with what. */
export interface PolicyCases {
  policy: Policy;
  valid: PolicyCase[];
  invalid: InvalidCase[];
}

export interface FoundFinding extends ExpectedFinding {
  object: string;
  data: Record<string, string | number>;
  message: string;
  raw: RawFinding;
}

/** The config a case is judged with: built-in defaults, or this repository's file; then the case's options. */
export function caseConfig(ruleId: string, testCase: PolicyCase): ValidateConfig {
  const config = testCase.repositoryConfig
    ? loadConfig(undefined, PACKAGE_ROOT, { rules: ruleCatalogue }).config
    : defaultConfig();
  if (testCase.options) {
    const current = config.rules[ruleId];
    config.rules[ruleId] = { ...current, options: { ...current?.options, ...testCase.options } };
  }
  return config;
}

/** Copies the fixture app to a temporary directory and applies the case's file changes. */
export function buildTree(files: Record<string, string | null> = {}, from: string = FIXTURE_APP): string {
  const root = mkdtempSync(join(tmpdir(), 'policy-case-'));
  cpSync(from, root, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    const file = join(root, path);
    if (text === null) {
      rmSync(file, { force: true });
    } else {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
  }
  return root;
}

/** Renders one overlay of a tree with the real kustomize. */
export async function renderResources(root: string, overlay: string): Promise<Resource[]> {
  const text = await renderOverlay(join(root, overlay), { root });
  return parseRenderedStream(text, overlay).resources;
}

export function parseControllers(text: string | undefined): Resource[] {
  if (!text) return [];
  return parseAllDocuments(text).map((document, index) => toResource(document.toJS() as JsonObject, index));
}

/** Fills {{placeholders}}; a placeholder without data stays visible so tests can catch it. */
export const fillMessage = formatMessage;

/** Runs one policy over rendered resources the way the engine does. */
export async function runPolicy(
  policy: Policy,
  resources: readonly Resource[],
  init: { env: string; overlay: string; controllers?: readonly Resource[]; config?: ValidateConfig },
): Promise<FoundFinding[]> {
  const config = init.config ?? defaultConfig();
  const { options } = ruleSettings(config, policy, init.env);
  const ctx = withOptions(
    createPolicyContext(resources, {
      env: init.env,
      overlay: init.overlay,
      controllers: init.controllers,
      ruleIds: knownRuleIds(ruleCatalogue),
    }),
    options,
  );
  const found: FoundFinding[] = [];
  for (const resource of resources) {
    if (!appliesTo(policy, resource.kind)) continue;
    for (const raw of await policy.check(resource, ctx)) {
      const data = raw.data ?? {};
      found.push({
        messageId: raw.messageId,
        object: `${resource.kind}/${resource.name}`,
        path: formatPath(raw.path ?? []),
        data,
        message: fillMessage(policy.messages[raw.messageId] ?? `<unknown message ${raw.messageId}>`, data),
        raw,
      });
    }
  }
  return found;
}

/** Builds the case's tree, renders its overlay and runs the policy on it. */
export async function runCase(policy: Policy, testCase: PolicyCase): Promise<FoundFinding[]> {
  const env = testCase.env ?? 'dev';
  const overlay = testCase.overlay ?? `overlays/${env}`;
  const root = buildTree(testCase.files);
  try {
    const resources = await renderResources(root, overlay);
    return await runPolicy(policy, resources, {
      env,
      overlay,
      controllers: parseControllers(testCase.controllers),
      config: caseConfig(policy.id, testCase),
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export interface KustomizationFields {
  resources?: string[];
  components?: string[];
  namePrefix?: string;
  nameSuffix?: string;
  namespace?: string;
  patches?: string[];
  /** Further kustomization YAML, appended as is. */
  extra?: string;
}

/** An overlay kustomization.yaml; resources default to `../../base`. */
export function kustomization(fields: KustomizationFields = {}): string {
  const lines = ['apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization'];
  if (fields.namespace) lines.push(`namespace: ${fields.namespace}`);
  if (fields.namePrefix) lines.push(`namePrefix: ${fields.namePrefix}`);
  if (fields.nameSuffix) lines.push(`nameSuffix: ${fields.nameSuffix}`);
  lines.push('resources:', ...(fields.resources ?? ['../../base']).map((each) => `  - ${each}`));
  if (fields.components?.length) lines.push('components:', ...fields.components.map((each) => `  - ${each}`));
  if (fields.patches?.length) lines.push('patches:', ...fields.patches.map((each) => `  - path: ${each}`));
  if (fields.extra) lines.push(fields.extra.trimEnd());
  return `${lines.join('\n')}\n`;
}

/** The prod overlay of the fixture with more patches (its own hpa and identity patches kept). */
export function prodKustomization(fields: KustomizationFields = {}): string {
  return kustomization({
    namespace: 'triage',
    components: ['../../components/keyvault-csi'],
    ...fields,
    patches: ['hpa-patch.yaml', 'identity-patch.yaml', ...(fields.patches ?? [])],
    extra: `images:
  - name: triageacr.azurecr.io/triage-backend
    newTag: 1.4.0
    digest: sha256:3f1c5e8a9b7d6c4e2f0a1b3c5d7e9f8a6b4c2d0e1f3a5b7c9d8e6f4a2b0c1d3e
${fields.extra ?? ''}`,
  });
}

/** A strategic-merge patch of the fixture Deployment's pod template `spec` (YAML indented under it). */
export function deploymentPatch(podSpec: string, templateMetadata = ''): string {
  const indent = (text: string, by: number) =>
    text
      .trimEnd()
      .split('\n')
      .map((line) => `${' '.repeat(by)}${line}`)
      .join('\n');
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: triage-backend
spec:
  template:
${templateMetadata ? `    metadata:\n${indent(templateMetadata, 6)}\n` : ''}${podSpec ? `    spec:\n${indent(podSpec, 6)}\n` : ''}`;
}

/**
 * Runs the real validate engine (render with origins, source map, policies; no kubeconform) on the
 * case's tree and returns the findings of `ruleId`, located at their source file and line.
 */
export async function runEngine(ruleId: string, testCase: PolicyCase): Promise<Finding[]> {
  const env = testCase.env ?? 'dev';
  const overlay = testCase.overlay ?? `overlays/${env}`;
  const files = { ...testCase.files };
  if (testCase.controllers) files['clusters/case.yaml'] = testCase.controllers;
  const root = buildTree(files);
  try {
    const config = caseConfig(ruleId, testCase);
    const targets = discoverOverlays([join(root, overlay)], root);
    const result = await validateOverlays(targets, {
      root,
      config,
      envs: new Map(targets.map((target) => [target.path, env])),
      schema: { enabled: false, cwd: root },
      toolVersion: 'test',
    });
    return result.overlays.flatMap((each) => each.findings).filter((finding) => finding.ruleId === ruleId);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
