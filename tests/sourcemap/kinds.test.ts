import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../scripts/lib/repo.js';
import { SourceFiles } from '../../scripts/sourcemap/files.js';
import { sourceKinds } from '../../scripts/sourcemap/kinds.js';
import { loadTree } from '../../scripts/sourcemap/tree.js';
import { tempTrees } from '../helpers/temp-trees.js';

const trees = tempTrees('kinds');

describe('sourceKinds (what kubeconform is warmed with)', () => {
  it("names the kinds of this repository's prod overlay, its component and its generators", () => {
    const files = new SourceFiles(PACKAGE_ROOT);
    const kinds = sourceKinds(loadTree(join(PACKAGE_ROOT, 'overlays/prod'), files), files);
    const names = new Set(kinds.map((each) => `${each.apiVersion} ${each.kind}`));
    for (const expected of [
      'apps/v1 Deployment',
      'autoscaling/v2 HorizontalPodAutoscaler',
      'secrets-store.csi.x-k8s.io/v1 SecretProviderClass',
      'v1 ConfigMap',
    ]) {
      expect(names).toContain(expected);
    }
  });

  it('reads only top-level fields, quoted or not, document by document', () => {
    const dir = trees.tree({
      'kustomization.yaml': 'resources: [objects.yaml]\n',
      'objects.yaml':
        'apiVersion: "batch/v1"\nkind: CronJob # nightly\nspec:\n  jobTemplate:\n    kind: Nested\n' +
        '---\nkind: Service\napiVersion: v1\n',
    });
    const files = new SourceFiles(dir);
    expect(sourceKinds(loadTree(dir, files), files)).toEqual([
      { apiVersion: 'batch/v1', kind: 'CronJob' },
      { apiVersion: 'v1', kind: 'Service' },
    ]);
  });
});
