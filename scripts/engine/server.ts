import { ENGINE_RULES, type RuleLike } from '../config/settings.js';
import { leadingFieldPath, parseFieldPath } from '../core/field-path.js';
import type { Finding, Severity } from '../core/finding.js';
import type { FieldPath, JsonObject } from '../core/resource.js';
import { displayPath, hideKeysInText } from '../core/secret-keys.js';
import { ExitError } from '../lib/exit-error.js';
import { maskValues } from '../lib/redact.js';
import type { RenderedOverlay } from '../render/parse.js';
import type { RuleMeta } from '../report/types.js';
import type { CheckStage, PendingStage } from './stage.js';

/** The server stage's settings entry: configured and suppressed like a policy (`rules.server`). */
export const SERVER_SETTINGS = ENGINE_RULES.find((rule) => rule.id === 'server') as RuleLike;

export const SERVER_RULE: RuleMeta = {
  id: SERVER_SETTINGS.id,
  description: SERVER_SETTINGS.description,
  remediation:
    'Fix the field the API server names: `kubectl apply` would reject the object the same way (a deprecation warning still applies, but will stop working in a later Kubernetes).',
  defaultSeverity: SERVER_SETTINGS.defaultSeverity,
};

export interface ServerStageOptions {
  enabled: boolean;
  /** Dry-run against this cluster instead of a local API server (read-only). */
  kubeconfig?: string;
  context?: string;
  /** Progress for the user (stderr). */
  log?: (line: string) => void;
}

export type ServerStage = CheckStage;
export type PendingServerStage = PendingStage;

/** What the stage needs from the cluster side (scripts/kube, scripts/cluster), loaded only with --server. */
interface ServerOutcome {
  kind: 'accepted' | 'rejected' | 'not-served';
  message?: string;
  causes?: { field?: string; message: string; reason?: string }[];
  warnings?: string[];
}

const NOT_CHECKED: ServerStage = { checked: false, findingsFor: () => [] };

/** The server and the session to it, opened while kustomize renders: its cost hides behind the render. */
export interface PreparedServer {
  opened: Promise<OpenedServer | { skippedReason: string }>;
}

interface OpenedServer {
  session: import('../kube/dry-run.js').DryRunSession;
  mutable: boolean;
  against: string;
  stop(): Promise<void>;
}

export function prepareServerStage(options: ServerStageOptions): PreparedServer | undefined {
  if (!options.enabled) return undefined;
  const opened = openServer(options).catch((error: unknown) => {
    if (error instanceof ExitError) return { skippedReason: error.format() };
    throw error;
  });
  // Settled here too, so that a failure before finish() awaits it is not an unhandled rejection.
  opened.catch(() => undefined);
  return { opened };
}

async function openServer(options: ServerStageOptions): Promise<OpenedServer | { skippedReason: string }> {
  const log = options.log ?? (() => undefined);
  // Loaded here: a run without --server never loads the cluster code.
  const [{ openValidationServer }, { openDryRunSession }] = await Promise.all([
    import('../cluster/validation-server.js'),
    import('../kube/dry-run.js'),
  ]);
  if (options.kubeconfig) {
    const session = await openDryRunSession({
      kubeconfig: options.kubeconfig,
      context: options.context,
      mutable: false,
    });
    return {
      session,
      mutable: false,
      against: options.context ? `context ${options.context}` : "the kubeconfig's current context",
      stop: async () => undefined,
    };
  }
  const opened = await openValidationServer({ log, readyTimeoutMs: 30_000 });
  if ('unavailable' in opened) return { skippedReason: opened.unavailable };
  try {
    const session = await openDryRunSession({
      kubeconfig: opened.server.kubeconfig,
      mutable: opened.server.mutable,
    });
    return {
      session,
      mutable: opened.server.mutable,
      against: opened.server.reused ? 'the running local cluster' : 'a local API server',
      stop: () => opened.server.stop(),
    };
  } catch (error) {
    await opened.server.stop();
    throw error;
  }
}

/**
 * Dry-runs every rendered object on the prepared server, run while the policies run; every object
 * in one session, each judged on its own. The session and any server started for it end here.
 */
export function startServerStage(
  overlays: readonly RenderedOverlay[],
  prepared: PreparedServer | undefined,
  sensitive: readonly string[],
): PendingServerStage {
  if (!prepared) return { finish: async () => NOT_CHECKED };
  const settled = dryRunAll(overlays, prepared).catch((error: unknown) => {
    if (error instanceof ExitError) return { skippedReason: error.format() };
    throw error;
  });
  settled.catch(() => undefined);
  const counts = overlays.map((overlay) => overlay.resources.length);
  return {
    async finish() {
      const result = await settled;
      if ('skippedReason' in result) return { ...NOT_CHECKED, skippedReason: result.skippedReason };
      const byOverlay: ServerOutcome[][] = [];
      let start = 0;
      for (const count of counts) {
        byOverlay.push(result.outcomes.slice(start, start + count));
        start += count;
      }
      return serverFindings(byOverlay, result.against, secretValues(overlays, sensitive));
    },
  };
}

async function dryRunAll(
  overlays: readonly RenderedOverlay[],
  prepared: PreparedServer,
): Promise<{ outcomes: ServerOutcome[]; against: string } | { skippedReason: string }> {
  const opened = await prepared.opened;
  if ('skippedReason' in opened) return opened;
  const objects = overlays.flatMap((overlay) => overlay.resources.map((resource) => resource.body));
  try {
    if (opened.mutable) {
      // A tree that ships its CRDs, and the namespaces it uses: created for real, on our server only.
      const crds = objects.filter((body) => body.kind === 'CustomResourceDefinition');
      if (crds.length > 0) await opened.session.applyCrds(crds);
      await opened.session.ensureNamespaces(namespacesOf(objects));
    }
    return { outcomes: (await opened.session.dryRun(objects)) as ServerOutcome[], against: opened.against };
  } finally {
    await opened.session.close();
    await opened.stop();
  }
}

/** Closes what prepareServerStage opened, when the run ends before the stage (a failed render). */
export async function abandonServerStage(prepared: PreparedServer | undefined): Promise<void> {
  if (!prepared) return;
  const opened = await prepared.opened.catch(() => undefined);
  if (!opened || 'skippedReason' in opened) return;
  await opened.session.close();
  await opened.stop();
}

/** Namespaces the objects live in or declare. */
function namespacesOf(objects: readonly JsonObject[]): string[] {
  const names = new Set<string>();
  for (const body of objects) {
    const metadata = body.metadata as JsonObject | undefined;
    if (body.kind === 'Namespace' && typeof metadata?.name === 'string') names.add(metadata.name);
    else if (typeof metadata?.namespace === 'string') names.add(metadata.namespace);
  }
  return [...names].sort();
}

/**
 * Values the server could quote back (an invalid Secret value in its message): the tree's
 * sensitive values and every rendered Secret's data (decoded) and stringData.
 */
function secretValues(overlays: readonly RenderedOverlay[], sensitive: readonly string[]): string[] {
  const values = [...sensitive];
  for (const overlay of overlays) {
    for (const resource of overlay.resources) {
      if (resource.kind !== 'Secret') continue;
      for (const field of ['data', 'stringData'] as const) {
        const map = resource.body[field];
        if (!map || typeof map !== 'object' || Array.isArray(map)) continue;
        for (const value of Object.values(map)) {
          if (typeof value !== 'string') continue;
          values.push(value);
          if (field === 'data') values.push(Buffer.from(value, 'base64').toString('utf8'));
        }
      }
    }
  }
  return values;
}

function serverFindings(
  outcomes: ServerOutcome[][],
  against: string,
  secrets: readonly string[],
): ServerStage {
  const clean = (text: string) => maskValues(text, secrets, '<redacted>').replace(/\s+/g, ' ').trim();
  return {
    checked: true,
    checkedAgainst: against,
    findingsFor(overlayIndex, resources, locate, base) {
      const findings: Finding[] = [];
      for (const [index, outcome] of (outcomes[overlayIndex] ?? []).entries()) {
        const resource = resources[index];
        if (!resource) continue;
        const make = (messageId: string, severity: Severity, message: string, path: FieldPath): Finding => ({
          ruleId: SERVER_RULE.id,
          messageId,
          severity,
          message: clean(hideKeysInText(resource.body, message)),
          remediation: SERVER_RULE.remediation,
          ...base,
          object: {
            apiVersion: resource.apiVersion,
            kind: resource.kind,
            namespace: resource.namespace,
            name: resource.name,
          },
          field: path.length > 0 ? displayPath(resource.body, path).join('.') : undefined,
          location: locate(resource, path),
        });
        for (const warning of outcome.warnings ?? []) {
          findings.push(
            make('warning', 'warning', `The API server warns: ${warning}`, leadingFieldPath(warning) ?? []),
          );
        }
        if (outcome.kind === 'not-served') {
          findings.push(
            make(
              'notServed',
              'warning',
              `Not checked by the API server: it does not serve ${resource.apiVersion} ${resource.kind} (${outcome.message ?? 'no such kind'}).`,
              [],
            ),
          );
        } else if (outcome.kind === 'rejected') {
          const causes = (outcome.causes ?? []).filter((cause) => cause.message);
          if (causes.length === 0) {
            findings.push(
              make(
                'rejected',
                'error',
                `The API server rejects it: ${outcome.message ?? 'no reason given'}`,
                [],
              ),
            );
          }
          for (const cause of causes) {
            const path = parseFieldPath(cause.field) ?? [];
            const field = cause.field ? `${cause.field}: ` : '';
            findings.push(
              make('rejected', 'error', `The API server rejects it: ${field}${cause.message}`, path),
            );
          }
        }
      }
      return findings;
    },
  };
}
