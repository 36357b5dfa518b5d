import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Resource } from '../core/resource.js';
import { ExitError } from '../lib/exit-error.js';
import { kustomizationFile } from '../render/discover.js';
import { renderOverlay } from '../render/kustomize.js';
import { parseRenderedStream } from '../render/parse.js';
import { SourceFiles } from '../sourcemap/files.js';
import { checkInputs } from '../sourcemap/inputs.js';
import { sensitiveValues } from '../sourcemap/sensitive.js';
import { loadTree } from '../sourcemap/tree.js';
import { compareOverlay } from './compare.js';
import { type Checkout, checkoutRevision, defaultBase, repositoryRoot, resolveRevision } from './git.js';
import type { DiffResult, OverlayDiff, Revision } from './types.js';
import { describeRevision } from './types.js';

export interface DiffOptions {
  /** Where the user runs the command; the repository is found from here. */
  cwd: string;
  /** Git ref of the base; default: the merge base of the head (or HEAD) with origin/main (then main, then its parent). */
  base?: string;
  /** Git ref of the head; default: the working tree as it is on disk. */
  head?: string;
  /** Kustomization directories (relative to `cwd`); default: every overlays/* at either revision. */
  overlays?: readonly string[];
  /** Progress and notes for the user (stderr in the CLI). */
  log?: (message: string) => void;
}

/** Renders the overlays at both revisions and compares them. Temporary checkouts are always removed. */
export async function computeDiff(options: DiffOptions): Promise<DiffResult> {
  const log = options.log ?? (() => {});
  const root = await repositoryRoot(options.cwd);
  const head: Revision =
    options.head !== undefined ? await resolveRevision(root, options.head) : { ref: 'working tree' };
  const base =
    options.base !== undefined ? await resolveRevision(root, options.base) : await defaultBase(root, head);
  log(`base: ${describeRevision(base)}${base.note ? ` — ${base.note}` : ''}`);
  log(`head: ${describeRevision(head)}`);

  const checkouts: Checkout[] = [];
  try {
    const baseDir = await materialise(root, base, checkouts);
    const headDir = await materialise(root, head, checkouts);
    const paths = options.overlays?.length
      ? options.overlays.map((each) => overlayPath(each, options.cwd, root))
      : defaultOverlays(baseDir, headDir, base, head);
    const overlays: OverlayDiff[] = [];
    for (const path of [...new Set(paths)].sort()) {
      const atBase = kustomizationFile(join(baseDir, path)) !== undefined;
      const atHead = kustomizationFile(join(headDir, path)) !== undefined;
      if (!atBase && !atHead) {
        throw new ExitError(
          `no kustomization at base (${describeRevision(base)}) nor at head (${describeRevision(head)})`,
          2,
          { file: path },
        );
      }
      if (!atBase) log(`${path}: not at base — all its objects count as added`);
      if (!atHead) log(`${path}: not at head — all its objects count as removed`);
      overlays.push(
        compareOverlay({
          path,
          base: atBase ? await renderAt(baseDir, path, base) : undefined,
          head: atHead ? await renderAt(headDir, path, head) : undefined,
        }),
      );
    }
    return { base, head, overlays };
  } finally {
    for (const checkout of checkouts) checkout.dispose();
  }
}

async function materialise(root: string, revision: Revision, checkouts: Checkout[]): Promise<string> {
  if (!revision.sha) return root;
  const checkout = await checkoutRevision(root, revision.sha);
  checkouts.push(checkout);
  return checkout.dir;
}

async function renderAt(dir: string, path: string, revision: Revision): Promise<Resource[]> {
  const label = `${path} at ${describeRevision(revision)}`;
  try {
    // The same checks as validate before kustomize runs: both revisions may come from a fork.
    const files = new SourceFiles(dir);
    const tree = loadTree(join(dir, path), files);
    checkInputs(tree, files);
    // Generator values (secrets among them) are redacted from any kustomize error message.
    const sensitive = sensitiveValues(tree, files);
    const text = await renderOverlay(join(dir, path), { root: dir, sensitive });
    return parseRenderedStream(text, label).resources;
  } catch (error) {
    if (error instanceof ExitError) {
      throw new ExitError(`at ${describeRevision(revision)}: ${error.message}`, error.code, error.location);
    }
    throw error;
  }
}

/** An overlay argument as a path relative to the repository root, forward slashes. */
function overlayPath(input: string, cwd: string, root: string): string {
  const absolute = isAbsolute(input) ? input : resolve(cwd, input);
  const path = relative(root, absolute).split('\\').join('/');
  if (path.startsWith('..') || isAbsolute(path)) {
    throw new ExitError('is outside the repository', 2, { file: input });
  }
  return path || '.';
}

function defaultOverlays(baseDir: string, headDir: string, base: Revision, head: Revision): string[] {
  const found = new Set([...overlaysIn(baseDir), ...overlaysIn(headDir)]);
  if (found.size === 0) {
    throw new ExitError(
      `no overlays/*/kustomization.yaml at base (${describeRevision(base)}) nor at head (${describeRevision(head)}); name the kustomization directories to compare`,
      2,
    );
  }
  return [...found];
}

function overlaysIn(dir: string): string[] {
  const overlays = join(dir, 'overlays');
  if (!existsSync(overlays)) return [];
  return readdirSync(overlays, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && kustomizationFile(join(overlays, entry.name)) !== undefined)
    .map((entry) => `overlays/${entry.name}`);
}
