import type { DiffResult, OverlayDiff, ResourceChange } from '../types.js';
import { allHighlights, countChanges, describeRevision, qualifiedName } from '../types.js';

const SYMBOL = { added: '+', removed: '-', changed: '~' } as const;

/** Plain text for a terminal: the lists first, then every patch. */
export function formatText(result: DiffResult): string {
  const lines: string[] = [];
  lines.push(`base: ${describeRevision(result.base)}${result.base.note ? ` (${result.base.note})` : ''}`);
  lines.push(`head: ${describeRevision(result.head)}`);
  const highlights = allHighlights(result);
  if (highlights.length > 0) {
    lines.push('', 'Highlights:');
    for (const each of highlights) {
      lines.push(`  ${each.overlay}  ${each.object.kind} ${qualifiedName(each.object)}: ${each.message}`);
    }
  }
  for (const overlay of result.overlays) {
    lines.push('', `${overlay.path}: ${summaryLine(overlay)}`);
    for (const change of overlay.changes) lines.push(`  ${SYMBOL[change.change]} ${changeTitle(change)}`);
  }
  for (const overlay of result.overlays) {
    for (const change of overlay.changes) lines.push('', change.patch.trimEnd());
  }
  return `${lines.join('\n')}\n`;
}

export function summaryLine(overlay: OverlayDiff): string {
  const where = !overlay.existsAtBase ? ' (new overlay)' : !overlay.existsAtHead ? ' (overlay deleted)' : '';
  if (overlay.changes.length === 0) return `no differences${where}`;
  const counts = countChanges(overlay.changes);
  const renamed = counts.renamed > 0 ? ` (${counts.renamed} renamed)` : '';
  return `${counts.added} added, ${counts.changed} changed${renamed}, ${counts.removed} removed${where}`;
}

/** `ConfigMap triage/triage-config-ddk9b25d77 → triage-config-5g7hk2m8bt` or `Deployment triage/triage-backend`. */
export function changeTitle(change: ResourceChange): string {
  const { object } = change;
  if (change.renamedFrom)
    return `${object.kind} ${qualifiedName(object, change.renamedFrom)} → ${object.name}`;
  return `${object.kind} ${qualifiedName(object)}`;
}
