import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, sep } from 'node:path';
import { parseDocument } from 'yaml';
import { kustomizationFile } from './discover.js';
import { renderOverlay } from './kustomize.js';

/** Directories never copied into the scratch tree. */
const SKIPPED = new Set(['.git', 'node_modules', '.tools', '.cache']);

/**
 * A scratch copy of the kustomization directories an overlay uses, in which each rendered
 * kustomization asks for `buildMetadata: [originAnnotations]`, so kustomize names the file
 * every object came from. The user's files are never modified.
 */
export class ScratchTree {
  readonly dir: string;
  private readonly copied = new Set<string>();

  constructor(readonly root: string) {
    this.dir = mkdtempSync(join(tmpdir(), 'triage-validate-'));
  }

  /** Copies the given layer directories (absolute, inside root) once each. */
  addLayers(dirs: readonly string[]): void {
    for (const dir of [...dirs].sort()) {
      if ([...this.copied].some((done) => dir === done || dir.startsWith(done + sep))) continue;
      cpSync(dir, this.map(dir), {
        recursive: true,
        filter: (source) => !SKIPPED.has(basename(source)),
      });
      this.copied.add(dir);
    }
  }

  /** Renders a copied kustomization with origin annotations; errors name the user's paths. */
  async renderWithOrigins(dir: string, timeoutMs?: number): Promise<string> {
    const scratch = this.map(dir);
    const file = kustomizationFile(scratch);
    if (file) {
      const document = parseDocument(readFileSync(file, 'utf8'));
      const existing = document.get('buildMetadata');
      const wanted = new Set<string>(Array.isArray(existing) ? existing.map(String) : []);
      wanted.add('originAnnotations');
      document.set('buildMetadata', [...wanted]);
      writeFileSync(file, document.toString());
    }
    return renderOverlay(scratch, { root: this.dir, timeoutMs });
  }

  map(dir: string): string {
    return join(this.dir, relative(this.root, dir));
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
