/** What every reporter receives: the result of one `validate` run over one or more overlays. */

import type { Finding, Severity, SuppressedFinding } from '../core/finding.js';

/** A rule as SARIF and the docs describe it (policies and the `schema` check alike). */
export interface RuleMeta {
  id: string;
  description: string;
  remediation: string;
  defaultSeverity: Severity;
  helpUri?: string;
}

/** One rendered overlay and what was found in it. */
export interface OverlayRun {
  /** Overlay directory relative to the repository root, e.g. `overlays/prod`. */
  overlay: string;
  env: string;
  /** How many rendered objects were checked. */
  resources: number;
  findings: Finding[];
  suppressed: SuppressedFinding[];
}

export interface RunResult {
  /** In the order given on the command line. */
  overlays: OverlayRun[];
  /** Every rule that ran (for SARIF rule metadata), including `schema`. */
  rules: RuleMeta[];
  /** False when kubeconform could not run: every reporter says so loudly. */
  schemaChecked: boolean;
  schemaSkippedReason?: string;
  /** Present when the server stage was asked for (--server): whether it ran, and where. */
  server?: { checked: boolean; skippedReason?: string; against?: string };
  durationMs: number;
  /** The package.json version. */
  toolVersion: string;
}

export type StringFormat = 'text' | 'json' | 'sarif';

export interface FormatOptions {
  /** text: emit ANSI colours. The caller decides (TTY, NO_COLOR, FORCE_COLOR). */
  color?: boolean;
  /** sarif: absolute URL of the tool's documentation (`tool.driver.informationUri`). */
  informationUri?: string;
}
