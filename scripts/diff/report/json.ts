import type { DiffResult } from '../types.js';
import { allHighlights, countChanges } from '../types.js';

export const JSON_FORMAT_VERSION = 1;

/** Machine-readable: the same data the other reporters format, Secret values already redacted. */
export function formatJson(result: DiffResult): string {
  const document = {
    version: JSON_FORMAT_VERSION,
    base: result.base,
    head: result.head,
    summary: result.overlays.map((overlay) => ({ overlay: overlay.path, ...countChanges(overlay.changes) })),
    highlights: allHighlights(result),
    overlays: result.overlays,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
