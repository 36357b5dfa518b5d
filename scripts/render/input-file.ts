import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  realpathSync,
  type Stats,
} from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { ExitError } from '../lib/exit-error.js';

/** Bounds on what kustomize is allowed to read, checked before it runs. */
export const INPUT_LIMITS = {
  /** Bytes in one source file (YAML, env file or generator file). */
  maxFileBytes: 32 * 1024 * 1024,
  /** Bytes in all the files of one overlay's tree, together. */
  maxTreeBytes: 64 * 1024 * 1024,
  /** Files in one overlay's tree. */
  maxTreeFiles: 10_000,
};

export interface InputFile {
  /** The path as referenced. */
  path: string;
  /** After symlinks: what kustomize really reads. */
  realPath: string;
  size: number;
}

/**
 * Checks a path kustomize will read without reading it: it must be, or lead by symlinks inside
 * `boundary` to, a regular file of at most maxFileBytes. A symlink to /dev/zero or a FIFO would
 * otherwise exhaust memory or hang the reader; `lstat` and `realpath` never open the file.
 */
export function inspectInput(path: string, boundary: string, shown: string): InputFile {
  let link: Stats;
  try {
    link = lstatSync(path);
  } catch {
    throw new ExitError('does not exist', 2, { file: shown });
  }
  let realPath = path;
  if (link.isSymbolicLink()) {
    try {
      realPath = realpathSync(path);
    } catch {
      throw new ExitError('is a symlink to nothing', 2, { file: shown });
    }
  }
  if (!isInside(boundary, realPath)) {
    throw new ExitError(
      link.isSymbolicLink()
        ? 'is a symlink that leads out of the repository: not read'
        : 'is outside the repository: not read',
      2,
      { file: shown },
    );
  }
  const stat = link.isSymbolicLink() ? lstatSync(realPath) : link;
  if (!stat.isFile()) throw new ExitError(`is not a regular file (${fileType(stat)})`, 2, { file: shown });
  if (stat.size > INPUT_LIMITS.maxFileBytes) {
    throw new ExitError(`is larger than ${INPUT_LIMITS.maxFileBytes >> 20} MiB`, 2, { file: shown });
  }
  return { path, realPath, size: stat.size };
}

/** A directory kustomize will enter (a base or component), with the same boundary rule. */
export function inspectInputDirectory(path: string, boundary: string, shown: string): void {
  let realPath: string;
  try {
    realPath = realpathSync(path);
  } catch {
    throw new ExitError('does not exist', 2, { file: shown });
  }
  if (!isInside(boundary, realPath)) {
    throw new ExitError('is outside the repository: not read', 2, { file: shown });
  }
}

/**
 * Reads a checked file as text, at most maxFileBytes even if it grew since the check (O_NOFOLLOW
 * is not used: a symlink inside the repository is allowed). UTF-8 and UTF-16 with a byte-order
 * mark are decoded as kustomize's YAML reader decodes them; other binary content is refused.
 */
export function readInputText(path: string, boundary: string, shown: string): string {
  const checked = inspectInput(path, boundary, shown);
  const bytes = readBounded(checked.realPath, shown);
  return decodeText(bytes, shown);
}

function readBounded(path: string, shown: string): Buffer {
  // O_NONBLOCK: if the file was swapped for a FIFO since the check, open does not wait for a writer.
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new ExitError('is not a regular file', 2, { file: shown });
    const limit = INPUT_LIMITS.maxFileBytes;
    const buffer = Buffer.alloc(Math.min(fstatSync(fd).size, limit) + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > limit) throw new ExitError(`is larger than ${limit >> 20} MiB`, 2, { file: shown });
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/** Text as kustomize (go-yaml) reads it: UTF-8, or UTF-16 announced by its byte-order mark. */
export function decodeText(bytes: Buffer, shown: string): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (bytes.includes(0)) {
    throw new ExitError('is not UTF-8 text (it holds NUL bytes; save it as UTF-8)', 2, { file: shown });
  }
  const text = bytes.toString('utf8');
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

export function isInside(boundary: string, path: string): boolean {
  const rel = relative(boundary, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function fileType(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a named pipe';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}
