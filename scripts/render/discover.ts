import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { ExitError } from '../lib/exit-error.js';

export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

export interface OverlayTarget {
  /** Absolute directory of the kustomization. */
  dir: string;
  /** Relative to the repository root, forward slashes. */
  path: string;
  /** Environment, from `overlays/<env>` (or the directory name); the config may override it. */
  env: string;
}

export function kustomizationFile(dir: string): string | undefined {
  for (const name of KUSTOMIZATION_FILES) {
    const file = join(dir, name);
    if (existsSync(file)) return file;
  }
  return undefined;
}

/**
 * Turns command-line paths into kustomization directories. A path is a kustomization
 * directory, or a repository root whose `overlays/*` kustomizations are all taken.
 */
export function discoverOverlays(
  paths: readonly string[],
  root: string,
  cwd: string = process.cwd(),
): OverlayTarget[] {
  const inputs = paths.length > 0 ? paths : [root];
  const found = new Map<string, OverlayTarget>();
  for (const input of inputs) {
    const dir = localPath(cwd, input);
    if (!existsSync(dir)) throw new ExitError('no such file or directory', 2, { file: input });
    const isFile = !statSync(dir).isDirectory();
    // `overlays/dev/kustomization.yaml` (what tab completion gives) means its directory.
    if (isFile && !(KUSTOMIZATION_FILES as readonly string[]).includes(basename(dir))) {
      throw new ExitError('expected a kustomization directory or a repository root', 2, { file: input });
    }
    const kustomizationDir = isFile ? dirname(dir) : dir;
    const dirs = kustomizationFile(kustomizationDir) ? [kustomizationDir] : overlaysUnder(dir);
    if (dirs.length === 0) {
      throw new ExitError('holds no kustomization.yaml and no overlays/*/kustomization.yaml', 2, {
        file: input,
      });
    }
    for (const each of dirs) found.set(each, toTarget(each, root));
  }
  return [...found.values()];
}

/** `overlays\dev`, as typed on Windows, means `overlays/dev` on a system where only that exists. */
function localPath(cwd: string, path: string): string {
  const direct = resolve(cwd, path);
  if (sep === '/' && path.includes('\\') && !existsSync(direct)) {
    const forward = resolve(cwd, path.split('\\').join('/'));
    if (existsSync(forward)) return forward;
  }
  return direct;
}

function overlaysUnder(dir: string): string[] {
  const overlays = join(dir, 'overlays');
  if (!existsSync(overlays)) return [];
  return readdirSync(overlays, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(overlays, entry.name))
    .filter((each) => kustomizationFile(each) !== undefined)
    .sort();
}

function toTarget(dir: string, root: string): OverlayTarget {
  const path = relative(root, dir).split('\\').join('/') || '.';
  const parent = basename(dirname(dir));
  const env = parent === 'overlays' ? basename(dir) : basename(dir) || 'default';
  return { dir, path, env };
}
