import { ExitError } from '../lib/exit-error.js';

/** Shape limits checked by a linear scan, before any parser (or kustomize) sees the text. */
export const SHAPE_LIMITS = {
  /** Documents in one file or stream. */
  maxDocuments: 10_000,
  /** Nesting of maps and lists, block and flow together; Kubernetes objects and CRD schemas stay far below. */
  maxDepth: 200,
};

export interface YamlShape {
  documents: number;
  /** The deepest nesting seen, and the line (1-based) where it was first reached. */
  depth: number;
  depthLine: number;
}

const SPACE = 0x20;
const TAB = 0x09;
const NEWLINE = 0x0a;
const CR = 0x0d;
const HASH = 0x23;
const DASH = 0x2d;
const QUESTION = 0x3f;
const COLON = 0x3a;
const COMMA = 0x2c;
const SINGLE = 0x27;
const DOUBLE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_SQUARE = 0x5b;
const CLOSE_SQUARE = 0x5d;
const OPEN_CURLY = 0x7b;
const CLOSE_CURLY = 0x7d;
const PIPE = 0x7c;
const GREATER = 0x3e;
const DOT = 0x2e;

/**
 * Counts documents and measures nesting in one pass over the characters, without building
 * anything: block nesting from the indentation stack (and compact `- - x` items), flow nesting
 * from brackets outside quotes and comments; block scalar bodies are skipped. It is an estimate
 * that errs high only for odd plain scalars holding brackets, and costs a few ms per MB where a
 * YAML parser takes seconds, so it runs on every file kustomize will read.
 */
export function yamlShape(text: string): YamlShape {
  const length = text.length;
  let documents = 0;
  let contentSinceMarker = false;
  let depth = 0;
  let depthLine = 1;
  let line = 1;
  const indents: number[] = [];
  let flow = 0;
  let quote = 0;
  let blockScalarIndent = -1;
  let i = 0;
  while (i < length) {
    // At the start of a line.
    let indent = 0;
    while (i + indent < length && text.charCodeAt(i + indent) === SPACE) indent++;
    const first = i + indent < length ? text.charCodeAt(i + indent) : NEWLINE;
    const blank = first === NEWLINE || first === CR || first === HASH;
    if (blockScalarIndent >= 0 && (blank || indent > blockScalarIndent)) {
      i = skipLine(text, i);
      line++;
      continue;
    }
    blockScalarIndent = -1;
    if (quote === 0 && flow === 0) {
      if (indent === 0 && isMarker(text, i, DASH)) {
        // Every marker starts a document, empty or not (YAML, the yaml library and kustomize agree).
        documents++;
        contentSinceMarker = true;
        indents.length = 0;
        i += 3;
      } else if (indent === 0 && isMarker(text, i, DOT)) {
        indents.length = 0;
        i = skipLine(text, i);
        line++;
        continue;
      } else if (!blank) {
        if (!contentSinceMarker) documents++;
        contentSinceMarker = true;
        while (indents.length > 0 && (indents[indents.length - 1] as number) >= indent) indents.pop();
        indents.push(indent);
        i += indent;
        // Compact nested items on one line (`- - x`, `? - x`) open one level each.
        let column = indent;
        while (
          i + 1 < length &&
          (text.charCodeAt(i) === DASH || text.charCodeAt(i) === QUESTION) &&
          isGap(text.charCodeAt(i + 1))
        ) {
          i += 2;
          column += 2;
          while (i < length && text.charCodeAt(i) === SPACE) {
            i++;
            column++;
          }
          indents.push(column);
        }
      } else {
        i = skipLine(text, i);
        line++;
        continue;
      }
    }
    if (indents.length + flow > depth) {
      depth = indents.length + flow;
      depthLine = line;
    }
    // The rest of the line: quotes, brackets, a comment, a block scalar indicator.
    let previous = SPACE;
    let lastSignificant = 0;
    while (i < length) {
      const c = text.charCodeAt(i);
      if (c === NEWLINE) break;
      if (quote === DOUBLE) {
        if (c === BACKSLASH) i++;
        else if (c === DOUBLE) quote = 0;
      } else if (quote === SINGLE) {
        if (c === SINGLE) {
          if (text.charCodeAt(i + 1) === SINGLE) i++;
          else quote = 0;
        }
      } else if (c === HASH && isGap(previous)) {
        i = skipToEnd(text, i);
        break;
      } else if ((c === DOUBLE || c === SINGLE) && startsToken(previous)) {
        quote = c;
      } else if (c === OPEN_SQUARE || c === OPEN_CURLY) {
        if (startsToken(previous) || flow > 0) {
          flow++;
          if (indents.length + flow > depth) {
            depth = indents.length + flow;
            depthLine = line;
          }
        }
      } else if ((c === CLOSE_SQUARE || c === CLOSE_CURLY) && flow > 0) {
        flow--;
      }
      if (c !== SPACE && c !== TAB && c !== CR) lastSignificant = c;
      previous = c;
      i++;
    }
    if (quote === 0 && flow === 0 && (lastSignificant === PIPE || lastSignificant === GREATER)) {
      blockScalarIndent = indents[indents.length - 1] ?? 0;
    } else if (quote === 0 && flow === 0 && isBlockHeader(text, i)) {
      blockScalarIndent = indents[indents.length - 1] ?? 0;
    }
    i++;
    line++;
  }
  return { documents, depth, depthLine };
}

/** Throws when a file is beyond the shape limits, naming it and the line; returns its shape. */
export function checkYamlShape(text: string, file: string): YamlShape {
  const shape = yamlShape(text);
  if (shape.documents > SHAPE_LIMITS.maxDocuments) {
    throw new ExitError(`holds more than ${SHAPE_LIMITS.maxDocuments} YAML documents`, 2, { file });
  }
  if (shape.depth > SHAPE_LIMITS.maxDepth) {
    throw new ExitError(`YAML nested deeper than ${SHAPE_LIMITS.maxDepth} levels`, 2, {
      file,
      line: shape.depthLine,
    });
  }
  return shape;
}

/** `|`, `>`, `|-`, `>+2` … ending the line before a comment: the lines below are a block scalar. */
function isBlockHeader(text: string, end: number): boolean {
  let j = end - 1;
  while (j >= 0 && (text.charCodeAt(j) === SPACE || text.charCodeAt(j) === CR)) j--;
  let k = j;
  while (k >= 0 && /[-+0-9]/.test(text[k] ?? '')) k--;
  const c = text.charCodeAt(k);
  return k < j && (c === PIPE || c === GREATER) && isGap(text.charCodeAt(k - 1));
}

function isMarker(text: string, i: number, c: number): boolean {
  return (
    text.charCodeAt(i) === c &&
    text.charCodeAt(i + 1) === c &&
    text.charCodeAt(i + 2) === c &&
    (i + 3 >= text.length || isGap(text.charCodeAt(i + 3)))
  );
}

function isGap(c: number): boolean {
  return c === SPACE || c === TAB || c === NEWLINE || c === CR || Number.isNaN(c);
}

function startsToken(previous: number): boolean {
  return (
    isGap(previous) ||
    previous === OPEN_SQUARE ||
    previous === OPEN_CURLY ||
    previous === COMMA ||
    previous === COLON ||
    previous === DASH
  );
}

function skipLine(text: string, i: number): number {
  const next = text.indexOf('\n', i);
  return next < 0 ? text.length : next + 1;
}

function skipToEnd(text: string, i: number): number {
  const next = text.indexOf('\n', i);
  return next < 0 ? text.length : next;
}
