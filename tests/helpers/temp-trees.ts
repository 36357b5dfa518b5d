import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { writeTree } from '../../scripts/bench/hostile-trees.js';

/**
 * Temporary directories for one test file, all removed after its tests: `dir` an empty one,
 * `tree` a git repository holding `files` committed on `main`.
 */
export function tempTrees(prefix: string): {
  dir(): string;
  tree(files: Parameters<typeof writeTree>[1]): string;
} {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });
  const dir = () => {
    const path = mkdtempSync(join(tmpdir(), `${prefix}-`));
    made.push(path);
    return path;
  };
  return {
    dir,
    tree: (files) => {
      const root = dir();
      writeTree(root, files);
      return root;
    },
  };
}
