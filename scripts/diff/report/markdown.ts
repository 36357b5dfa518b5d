import type { DiffResult, ResourceChange } from '../types.js';
import { allHighlights, countChanges, describeRevision, qualifiedName } from '../types.js';
import { changeTitle } from './text.js';

/** Lets the pull-request workflow find (and then edit) its one sticky comment. */
export const MARKDOWN_MARKER = '<!-- triage-gitops-diff -->';

/** GitHub rejects a comment body longer than this; a job summary may be 1 MiB. */
export const GITHUB_COMMENT_LIMIT = 65_536;

const MAX_HIGHLIGHTS = 40;
/** Room kept for the truncation note at the end. */
const FOOTER_RESERVE = 600;
/** A truncated patch keeps at least this much, or is left out whole. */
const MIN_PARTIAL_PATCH = 800;

const ICON = { added: '➕ added', removed: '➖ removed', changed: '✏️ changed' } as const;

export interface MarkdownOptions {
  /** Upper bound of the whole document, in characters. Default: GitHub's comment limit. */
  maxChars?: number;
}

/** For a job summary and a sticky PR comment: highlights, a table per overlay, then collapsible diffs. */
export function formatMarkdown(result: DiffResult, options: MarkdownOptions = {}): string {
  const maxChars = options.maxChars ?? GITHUB_COMMENT_LIMIT;
  const out: string[] = [];
  let used = 0;
  const push = (text: string) => {
    out.push(text);
    used += text.length;
  };

  push(`${MARKDOWN_MARKER}\n`);
  push('## Rendered manifest diff\n\n');
  const baseNote = result.base.note ? ` (${escapeInline(result.base.note)})` : '';
  push(
    `Base \`${describeRevision(result.base)}\`${baseNote} → head \`${describeRevision(result.head)}\`.\n\n`,
  );

  const highlights = allHighlights(result);
  if (highlights.length > 0) {
    push('### Highlights\n\n');
    for (const each of highlights.slice(0, MAX_HIGHLIGHTS)) {
      const object = `${each.object.kind} \`${qualifiedName(each.object)}\``;
      push(`- **${escapeInline(each.overlay)}** · ${object}: ${escapeInline(each.message)}\n`);
    }
    if (highlights.length > MAX_HIGHLIGHTS) {
      push(`- …and ${highlights.length - MAX_HIGHLIGHTS} more (see the diffs below)\n`);
    }
    push('\n');
  }

  push('| Overlay | Added | Changed | Removed |\n|---|---:|---:|---:|\n');
  for (const overlay of result.overlays) {
    const counts = countChanges(overlay.changes);
    const where = !overlay.existsAtBase ? ' (new)' : !overlay.existsAtHead ? ' (deleted)' : '';
    const renamed = counts.renamed > 0 ? ` (${counts.renamed} renamed)` : '';
    push(
      `| \`${overlay.path}\`${where} | ${counts.added} | ${counts.changed}${renamed} | ${counts.removed} |\n`,
    );
  }
  push('\n');

  const total = result.overlays.reduce((sum, overlay) => sum + overlay.changes.length, 0);
  if (total === 0) {
    push('No differences in the rendered manifests.\n');
    return out.join('');
  }

  let shown = 0;
  let truncated = false;
  let cutShort = false;
  for (const overlay of result.overlays) {
    if (overlay.changes.length === 0 || truncated) continue;
    push(`### \`${overlay.path}\`\n\n`);
    for (const change of overlay.changes) {
      const room = maxChars - used - FOOTER_RESERVE;
      const block = detailsBlock(change, change.patch);
      if (block.length <= room) {
        push(block);
        shown += 1;
        continue;
      }
      truncated = true;
      const partial = truncatePatch(change.patch, room - detailsBlock(change, '').length - 200);
      if (partial) {
        push(detailsBlock(change, partial.text, partial.omittedLines));
        shown += 1;
        cutShort = true;
      }
      break;
    }
  }
  if (shown < total || truncated) {
    push(
      `\n> [!NOTE]\n> Output truncated to stay under GitHub's ${GITHUB_COMMENT_LIMIT.toLocaleString('en-US')}-character comment limit: ` +
        `${total - shown} of ${total} diffs are not shown${cutShort ? ' and the last one shown is cut short' : ''}. ` +
        'Run `npm run diff` locally for the full output.\n',
    );
  }
  return out.join('');
}

function detailsBlock(change: ResourceChange, patch: string, omittedLines = 0): string {
  const fence = fenceFor(patch);
  const note = omittedLines > 0 ? `\n_…diff truncated: ${omittedLines} more lines not shown._\n` : '';
  return (
    `<details><summary>${ICON[change.change]} <code>${escapeHtml(changeTitle(change))}</code></summary>\n\n` +
    `${fence}diff\n${patch.trimEnd()}\n${fence}\n${note}\n</details>\n\n`
  );
}

/** Cuts a patch at a line boundary to at most `budget` characters. */
function truncatePatch(patch: string, budget: number): { text: string; omittedLines: number } | undefined {
  if (budget < MIN_PARTIAL_PATCH) return undefined;
  const lines = patch.trimEnd().split('\n');
  const kept: string[] = [];
  let size = 0;
  for (const line of lines) {
    if (size + line.length + 1 > budget) break;
    kept.push(line);
    size += line.length + 1;
  }
  return { text: kept.join('\n'), omittedLines: lines.length - kept.length };
}

/** A code fence longer than any run of backticks inside the content. */
function fenceFor(content: string): string {
  const longest = Math.max(0, ...[...content.matchAll(/`+/g)].map((match) => match[0].length));
  return '`'.repeat(Math.max(3, longest + 1));
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Text inside a list item or paragraph: no HTML, no accidental emphasis, links or tables. */
function escapeInline(text: string): string {
  return escapeHtml(text).replace(/([\\`*_[\]|#])/g, '\\$1');
}
