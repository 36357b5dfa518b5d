import type { DiffResult, Highlight, OverlayDiff, ResourceChange } from '../types.js';
import { allHighlights, countChanges, describeRevision, qualifiedName } from '../types.js';
import { TextBudget } from './budget.js';
import { changeTitle } from './text.js';

/** Lets the pull-request workflow find (and then edit) its one sticky comment. */
export const MARKDOWN_MARKER = '<!-- triage-gitops-diff -->';

/** GitHub rejects a comment body longer than this; a job summary may be 1 MiB. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** Below this there is no room for the header, the table and the note. */
export const MIN_MARKDOWN_CHARS = 2_000;

const MAX_HIGHLIGHTS = 40;
/** Highlights may take at most this share of the room left after the header, so the table and diffs still fit. */
const HIGHLIGHTS_SHARE = 0.5;
/** Kept free for the short required lines (`…and N more`, `No differences`) and the note: under 450 together. */
const NOTE_RESERVE = 600;
/** A truncated patch keeps at least this much, or is left out whole. */
const MIN_PARTIAL_PATCH = 800;
/** Room kept inside a cut-short block for its `…diff truncated` line. */
const TRUNCATION_LINE_RESERVE = 200;
/** A ref or note in the header is shortened to this many characters. */
const MAX_HEADER_TEXT = 120;

const ICON = { added: '➕ added', removed: '➖ removed', changed: '✏️ changed' } as const;

export interface MarkdownOptions {
  /** Upper bound of the whole document, in characters. Default: GitHub's comment limit. */
  maxChars?: number;
}

/** What did not fit, for the closing note. */
interface LeftOut {
  highlights: { shown: number; total: number };
  rows: { shown: number; total: number };
  diffs: { shown: number; total: number; cutShort: boolean };
}

/**
 * For a job summary and a sticky PR comment: highlights, a table per overlay, then collapsible
 * diffs. Every character printed counts against one budget; whatever does not fit is named in a
 * note at the end.
 */
export function formatMarkdown(result: DiffResult, options: MarkdownOptions = {}): string {
  const maxChars = options.maxChars ?? GITHUB_COMMENT_LIMIT;
  if (maxChars < MIN_MARKDOWN_CHARS) {
    throw new RangeError(`maxChars must be at least ${MIN_MARKDOWN_CHARS}, not ${maxChars}`);
  }
  const budget = new TextBudget(maxChars, NOTE_RESERVE);
  budget.addRequired(header(result));

  const highlights = addHighlights(budget, allHighlights(result));
  const rows = addTable(budget, result.overlays);
  const total = result.overlays.reduce((sum, overlay) => sum + overlay.changes.length, 0);
  if (total === 0) {
    budget.addRequired('No differences in the rendered manifests.\n');
  }
  const diffs = addDiffs(budget, result.overlays, total);

  const note = truncationNote({ highlights, rows, diffs }, maxChars);
  if (note) budget.addRequired(note);
  return budget.toString();
}

function header(result: DiffResult): string {
  const base = inlineCode(shorten(describeRevision(result.base)));
  const head = inlineCode(shorten(describeRevision(result.head)));
  const baseNote = result.base.note ? ` (${escapeInline(shorten(result.base.note))})` : '';
  return `${MARKDOWN_MARKER}\n## Rendered manifest diff\n\nBase ${base}${baseNote} → head ${head}.\n\n`;
}

/** The first highlights that fit, in order; then one line saying how many more there are. */
function addHighlights(budget: TextBudget, highlights: readonly Highlight[]): LeftOut['highlights'] {
  if (highlights.length === 0) return { shown: 0, total: 0 };
  const heading = '### Highlights\n\n';
  if (!budget.tryAdd(heading)) return { shown: 0, total: highlights.length };
  let room = Math.floor(budget.remaining * HIGHLIGHTS_SHARE);
  let shown = 0;
  for (const each of highlights.slice(0, MAX_HIGHLIGHTS)) {
    const line =
      `- **${escapeInline(each.overlay)}** · ${escapeInline(each.object.kind)} ` +
      `${inlineCode(qualifiedName(each.object))}: ${escapeInline(each.message)}\n`;
    if (line.length > room || !budget.tryAdd(line)) break;
    room -= line.length;
    shown += 1;
  }
  const more = highlights.length - shown;
  budget.addRequired(more > 0 ? `- …and ${more} more, not shown here for length\n\n` : '\n');
  return { shown, total: highlights.length };
}

function addTable(budget: TextBudget, overlays: readonly OverlayDiff[]): LeftOut['rows'] {
  if (!budget.tryAdd('| Overlay | Added | Changed | Removed |\n|---|---:|---:|---:|\n')) {
    return { shown: 0, total: overlays.length };
  }
  let shown = 0;
  for (const overlay of overlays) {
    const counts = countChanges(overlay.changes);
    const where = !overlay.existsAtBase ? ' (new)' : !overlay.existsAtHead ? ' (deleted)' : '';
    const renamed = counts.renamed > 0 ? ` (${counts.renamed} renamed)` : '';
    const row = `| ${tableCode(overlay.path)}${where} | ${counts.added} | ${counts.changed}${renamed} | ${counts.removed} |\n`;
    if (!budget.tryAdd(row)) break;
    shown += 1;
  }
  budget.addRequired('\n');
  return { shown, total: overlays.length };
}

/** Whole diffs while they fit, then the next one cut at a line boundary if enough of it fits. */
function addDiffs(budget: TextBudget, overlays: readonly OverlayDiff[], total: number): LeftOut['diffs'] {
  let shown = 0;
  let cutShort = false;
  outer: for (const overlay of overlays) {
    let heading = `### ${inlineCode(overlay.path)}\n\n`;
    for (const change of overlay.changes) {
      if (budget.tryAdd(heading + detailsBlock(change, change.patch))) {
        heading = '';
        shown += 1;
        continue;
      }
      const frame = heading.length + detailsBlock(change, '').length + TRUNCATION_LINE_RESERVE;
      const partial = truncatePatch(change.patch, budget.remaining - frame);
      if (partial && budget.tryAdd(heading + detailsBlock(change, partial.text, partial.omittedLines))) {
        shown += 1;
        cutShort = true;
      }
      break outer;
    }
  }
  return { shown, total, cutShort };
}

function truncationNote(leftOut: LeftOut, maxChars: number): string | undefined {
  const { highlights, rows, diffs } = leftOut;
  const parts: string[] = [];
  if (diffs.shown < diffs.total || diffs.cutShort) {
    const cut = diffs.cutShort ? ' and the last one shown is cut short' : '';
    parts.push(`${diffs.total - diffs.shown} of ${diffs.total} diffs are not shown${cut}`);
  }
  if (highlights.shown < highlights.total) {
    parts.push(`${highlights.total - highlights.shown} of ${highlights.total} highlights are not shown`);
  }
  if (rows.shown < rows.total) {
    parts.push(`${rows.total - rows.shown} of ${rows.total} overlays are not in the table`);
  }
  if (parts.length === 0) return undefined;
  const limit =
    maxChars === GITHUB_COMMENT_LIMIT
      ? `GitHub's ${GITHUB_COMMENT_LIMIT.toLocaleString('en-US')}-character comment limit`
      : `${maxChars.toLocaleString('en-US')} characters`;
  return (
    `\n> [!NOTE]\n> Output truncated to stay under ${limit}: ${parts.join('; ')}. ` +
    'Run `npm run diff` locally for the full output.\n'
  );
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
  return '`'.repeat(Math.max(3, longestBacktickRun(content) + 1));
}

/** A code span that holds any text: its backticks outnumber any run inside. */
function inlineCode(text: string): string {
  const ticks = '`'.repeat(longestBacktickRun(text) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

/** In a table cell a `|` ends the cell even inside a code span unless escaped. */
function tableCode(text: string): string {
  return inlineCode(text).replace(/\|/g, '\\|');
}

function longestBacktickRun(text: string): number {
  return Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
}

function shorten(text: string): string {
  return text.length > MAX_HEADER_TEXT ? `${text.slice(0, MAX_HEADER_TEXT)}…` : text;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Text inside a list item or paragraph: no HTML, no accidental emphasis, links or tables. */
function escapeInline(text: string): string {
  return escapeHtml(text).replace(/([\\`*_[\]|#])/g, '\\$1');
}
