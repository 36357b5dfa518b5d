import type { Finding, SourceLocation } from '../core/finding.js';
import type { FieldPath, Resource } from '../core/resource.js';

/**
 * A check that runs on every rendered object beside the policies (the schema stage, the server
 * stage): started while the policies run, finished into per-overlay findings located through the
 * source map.
 */
export interface CheckStage {
  checked: boolean;
  skippedReason?: string;
  /** Where the objects were checked, for the summary (the server stage: `local API server` or the context). */
  checkedAgainst?: string;
  findingsFor(
    overlayIndex: number,
    resources: readonly Resource[],
    locate: (resource: Resource, path: FieldPath) => SourceLocation,
    base: { overlay: string; env: string },
  ): Finding[];
}

/** A stage under way. */
export interface PendingStage {
  finish(): Promise<CheckStage>;
}
