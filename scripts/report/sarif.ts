/**
 * SARIF 2.1.0 for GitHub code scanning (github/codeql-action/upload-sarif). One run; suppressed
 * findings are results with `suppressions`, so an alert closes with its reason instead of vanishing.
 */

import { createHash } from 'node:crypto';
import type { Finding, Severity, SuppressedFinding } from '../core/finding.js';
import {
  encodePath,
  notCheckedWarnings,
  objectLabel,
  schemaSkipReason,
  serverSkipReason,
  sortedFindings,
  sortedSuppressed,
  suppressionKind,
  TOOL_NAME,
} from './common.js';
import type { RuleMeta, RunResult } from './types.js';

export const SARIF_SCHEMA_URI =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** Versioned, as SARIF suggests: if the recipe changes, the key changes and old alerts close cleanly. */
export const FINGERPRINT_KEY = 'triageFinding/v1';

export interface SarifOptions {
  /** Absolute URL of the tool's documentation; omitted when unknown. */
  informationUri?: string;
}

// The subset of the SARIF object model this reporter writes.
interface SarifMessage {
  text: string;
}
interface SarifRule {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  help: SarifMessage;
  helpUri?: string;
  defaultConfiguration: { level: Severity };
}
interface SarifSuppression {
  kind: 'inSource' | 'external';
  status: 'accepted';
  justification: string;
  properties: { source: string; expires?: string };
}
interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: Severity;
  message: SarifMessage;
  locations: {
    physicalLocation: {
      artifactLocation: { uri: string; uriBaseId: '%SRCROOT%' };
      region: { startLine: number; startColumn: number };
    };
    logicalLocations?: { name: string; fullyQualifiedName: string; kind: 'resource' }[];
  }[];
  partialFingerprints: Record<string, string>;
  properties: Record<string, unknown>;
  suppressions?: SarifSuppression[];
}
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: {
    tool: { driver: { name: string; version: string; informationUri?: string; rules: SarifRule[] } };
    invocations: {
      executionSuccessful: boolean;
      toolExecutionNotifications?: { level: Severity; message: SarifMessage; descriptor: { id: string } }[];
    }[];
    columnKind: 'utf16CodeUnits';
    results: SarifResult[];
    properties: Record<string, unknown>;
  }[];
}

export function buildSarif(result: RunResult, options: SarifOptions = {}): SarifLog {
  const findings = sortedFindings(result);
  const suppressed = sortedSuppressed(result);
  const rules = ruleTable(result.rules, [...findings, ...suppressed]);
  const fingerprints = new Fingerprints();
  const toResult = (finding: Finding): SarifResult => sarifResult(finding, rules, fingerprints);

  const notChecked = notCheckedWarnings(result);
  const skipReason = schemaSkipReason(result);
  const serverReason = serverSkipReason(result);
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: result.toolVersion,
            ...(options.informationUri ? { informationUri: options.informationUri } : {}),
            rules: rules.list.map(sarifRule),
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            ...(notChecked.length > 0
              ? {
                  toolExecutionNotifications: notChecked.map((each) => ({
                    level: 'error',
                    message: { text: each.text },
                    descriptor: { id: each.id },
                  })),
                }
              : {}),
          },
        ],
        // The source map counts columns in JavaScript string indices.
        columnKind: 'utf16CodeUnits',
        results: [
          ...findings.map(toResult),
          ...suppressed.map((finding) => ({
            ...toResult(finding),
            suppressions: [sarifSuppression(finding)],
          })),
        ],
        properties: {
          schemaChecked: result.schemaChecked,
          ...(skipReason !== undefined ? { schemaSkippedReason: skipReason } : {}),
          ...(result.server
            ? {
                serverChecked: result.server.checked,
                ...(serverReason !== undefined ? { serverSkippedReason: serverReason } : {}),
              }
            : {}),
          overlays: result.overlays.map(({ overlay, env, resources }) => ({ overlay, env, resources })),
        },
      },
    ],
  };
}

export function formatSarif(result: RunResult, options: SarifOptions = {}): string {
  return `${JSON.stringify(buildSarif(result, options), null, 2)}\n`;
}

interface RuleTable {
  list: RuleMeta[];
  index: Map<string, number>;
}

/** Every rule that ran, then any rule id a finding names that no rule declared (never drop a result). */
function ruleTable(declared: RuleMeta[], findings: Finding[]): RuleTable {
  const list: RuleMeta[] = [];
  const index = new Map<string, number>();
  const add = (rule: RuleMeta) => {
    if (index.has(rule.id)) return;
    index.set(rule.id, list.length);
    list.push(rule);
  };
  for (const rule of declared) add(rule);
  for (const f of findings) {
    add({ id: f.ruleId, description: f.ruleId, remediation: f.remediation, defaultSeverity: f.severity });
  }
  return { list, index };
}

function sarifRule(rule: RuleMeta): SarifRule {
  return {
    id: rule.id,
    name: pascalCase(rule.id),
    shortDescription: { text: rule.description },
    fullDescription: { text: rule.description },
    help: { text: rule.remediation },
    ...(rule.helpUri ? { helpUri: rule.helpUri } : {}),
    defaultConfiguration: { level: rule.defaultSeverity },
  };
}

function sarifResult(finding: Finding, rules: RuleTable, fingerprints: Fingerprints): SarifResult {
  const { object } = finding;
  const where = [objectLabel(object), finding.overlay].filter(Boolean).join(', ');
  return {
    ruleId: finding.ruleId,
    ruleIndex: rules.index.get(finding.ruleId) ?? -1,
    level: finding.severity,
    message: { text: `${finding.message} (${where})` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodePath(finding.location.file), uriBaseId: '%SRCROOT%' },
          region: { startLine: finding.location.line, startColumn: finding.location.column },
        },
        ...(object
          ? {
              logicalLocations: [
                { name: object.name, fullyQualifiedName: objectKey(finding), kind: 'resource' as const },
              ],
            }
          : {}),
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprints.next(finding) },
    properties: {
      overlay: finding.overlay,
      env: finding.env,
      messageId: finding.messageId,
      ...(object ? { object: { apiVersion: object.apiVersion, kind: object.kind, name: object.name } } : {}),
      ...(object?.namespace !== undefined ? { namespace: object.namespace } : {}),
      ...(finding.field !== undefined ? { field: finding.field } : {}),
    },
  };
}

function sarifSuppression(finding: SuppressedFinding): SarifSuppression {
  const { reason, source, expires } = finding.suppression;
  return {
    kind: suppressionKind(finding),
    status: 'accepted',
    justification: reason,
    properties: { source, ...(expires !== undefined ? { expires } : {}) },
  };
}

/**
 * A line-independent identity, so an alert follows its finding across edits: rule, file, overlay,
 * object, message id and field (two containers of one Deployment are two alerts). Results that
 * still share it get `:2`, `:3`… in report order, as CodeQL numbers its own fingerprints.
 */
class Fingerprints {
  private readonly seen = new Map<string, number>();

  next(finding: Finding): string {
    const identity = [
      finding.ruleId,
      finding.location.file,
      finding.overlay,
      objectKey(finding),
      finding.messageId,
      finding.field ?? '',
    ].join('\u0000');
    const hash = createHash('sha256').update(identity).digest('hex').slice(0, 32);
    const occurrence = (this.seen.get(hash) ?? 0) + 1;
    this.seen.set(hash, occurrence);
    return `${hash}:${occurrence}`;
  }
}

/** `namespace/Kind/name`, or `Kind/name` for a cluster-scoped object; empty without an object. */
function objectKey(finding: Finding): string {
  const { object } = finding;
  if (!object) return '';
  return [object.namespace, object.kind, object.name].filter((part) => part !== undefined).join('/');
}

function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]?.toUpperCase() + word.slice(1))
    .join('');
}
