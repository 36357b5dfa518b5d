import { existsSync, readdirSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { type Resource, toResource } from '../core/resource.js';
import type { SourceFiles } from '../sourcemap/files.js';

/** Bound on the files read under clusters/, so a stray tree cannot stall a run. */
const MAX_FILES = 500;

/**
 * The GitOps controller objects in this repository (Argo CD Applications, Flux
 * Kustomizations under clusters/), so policies know how an overlay is synced.
 */
export function loadControllers(root: string, files: SourceFiles): Resource[] {
  const dir = join(root, 'clusters');
  if (!existsSync(dir)) return [];
  const out: Resource[] = [];
  const paths = (readdirSync(dir, { recursive: true }) as string[])
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .slice(0, MAX_FILES);
  for (const name of paths) {
    for (const value of files.values(join(dir, name))) {
      if (!value || typeof value !== 'object' || Array.isArray(value)) continue;
      if (value.kind !== 'Application' && value.kind !== 'Kustomization') continue;
      out.push(toResource(value, out.length));
    }
  }
  return out;
}

/** The controllers whose source path is this overlay (relative to the repository root). */
export function controllersFor(controllers: readonly Resource[], overlayPath: string): Resource[] {
  const wanted = normalize(overlayPath);
  return controllers.filter((controller) => {
    const spec = controller.body.spec as Record<string, unknown> | undefined;
    const source = spec?.source as Record<string, unknown> | undefined;
    const path = controller.kind === 'Application' ? source?.path : spec?.path;
    return typeof path === 'string' && normalize(path.replace(/^\.\//, '')) === wanted;
  });
}
