import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
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
export function discoverOverlays(paths: readonly string[], root: string): OverlayTarget[] {
  const inputs = paths.length > 0 ? paths : [root];
  const found = new Map<string, OverlayTarget>();
  for (const input of inputs) {
    const dir = resolve(input);
    if (!existsSync(dir)) throw new ExitError('no such file or directory', 2, { file: input });
    if (!statSync(dir).isDirectory()) {
      throw new ExitError('expected a kustomization directory or a repository root', 2, { file: input });
    }
    const dirs = kustomizationFile(dir) ? [dir] : overlaysUnder(dir);
    if (dirs.length === 0) {
      throw new ExitError('holds no kustomization.yaml and no overlays/*/kustomization.yaml', 2, {
        file: input,
      });
    }
    for (const each of dirs) found.set(each, toTarget(each, root));
  }
  return [...found.values()];
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
