import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aliasBomb, type HostileTree, writeHostileTrees } from '../../scripts/bench/hostile-trees.js';
import { runMeasured } from '../../scripts/bench/measure.js';
import { tempTrees } from '../helpers/temp-trees.js';

/**
 * Without the input checks each of these made kustomize use gigabytes or hang until its 60 s
 * timeout. The bound here is loose (the machine runs other tests at once); `npm run bench` checks
 * the 3 s goal on an idle machine.
 */
const WALL_BOUND_MS = 15_000;
const PEAK_BOUND_MB = 300;

let hostile: { trees: HostileTree[]; dispose(): void };
beforeAll(() => {
  hostile = writeHostileTrees();
});
afterAll(() => hostile?.dispose());

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0] ?? '';
}

describe('validate refuses hostile input before kustomize runs', () => {
  it.each(writeHostileTreesNames())('%s', async (name) => {
    const tree = hostile.trees.find((each) => each.name === name) as HostileTree;
    const run = await runMeasured('validate', tree.root, ['--no-schemas', '.']);
    expect(oneLine(run.stderr)).toMatch(tree.expect);
    expect(run.status).toBe(2);
    expect(run.ms).toBeLessThan(WALL_BOUND_MS);
    expect(run.peakMb).toBeLessThan(PEAK_BOUND_MB);
  });
});

describe('diff applies the same checks to both revisions', () => {
  it.each(writeHostileTreesNames())('%s', async (name) => {
    const tree = hostile.trees.find((each) => each.name === name) as HostileTree;
    // The base (main) is clean; the head is the hostile working tree.
    const run = await runMeasured('diff', tree.root, ['--base', 'main', '.']);
    const line = oneLine(run.stderr.replace(/^diff: (base|head): .*\n/gm, ''));
    expect(line.replace('at working tree: ', '')).toMatch(tree.expect);
    expect(run.status).toBe(2);
    expect(run.ms).toBeLessThan(WALL_BOUND_MS);
    expect(run.peakMb).toBeLessThan(PEAK_BOUND_MB);
  });
});

describe('what stays allowed, and smaller holes', () => {
  it('a symlink to a regular file inside the repository is read', async () => {
    const root = tree({
      // kustomize itself refuses a file outside the kustomization's directory, so the link stays in it.
      'app/shared/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  a: b\n',
      'app/cm.yaml': { symlink: 'shared/cm.yaml' },
      'app/kustomization.yaml': 'resources:\n- cm.yaml\n',
    });
    const run = await runMeasured('validate', root, ['--no-schemas', '--format', 'json', 'app']);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout).summary.resources).toBe(1);
  });

  it('an alias bomb in the kustomization itself, and in an inline transformer configuration', async () => {
    const inKustomization = tree({
      'kustomization.yaml': `commonAnnotations:\n  team: triage\nbomb:\n${aliasBomb('  ')}`,
    });
    const inline = tree({
      'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n',
      'kustomization.yaml': `resources:\n- cm.yaml\ntransformers:\n- |-\n  apiVersion: builtin\n  kind: AnnotationsTransformer\n  metadata:\n    name: notes\n  annotations:\n${aliasBomb('    ')}  fieldSpecs:\n  - path: metadata/annotations\n    create: true\n`,
    });
    const [first, second] = await Promise.all([
      runMeasured('validate', inKustomization, ['--no-schemas', '.']),
      runMeasured('validate', inline, ['--no-schemas', '.']),
    ]);
    expect(oneLine(first?.stderr ?? '')).toMatch(/^error: kustomization\.yaml:1:1: YAML rejected: /);
    expect(oneLine(second?.stderr ?? '')).toMatch(/^error: kustomization\.yaml:4:3: inline YAML rejected: /);
  });

  it('a resource outside the repository is named as such, at the kustomization line', async () => {
    const root = tree({ 'kustomization.yaml': 'resources:\n- /etc/passwd\n' });
    const run = await runMeasured('validate', root, ['--no-schemas', '.']);
    expect(oneLine(run.stderr)).toBe(
      "error: kustomization.yaml:2:3: resource '/etc/passwd' is outside the repository (or a symlink that leads out of it): not read",
    );
    expect(run.status).toBe(2);
  });

  it('a resource document that is a list or a scalar is named at its line', async () => {
    const list = tree({
      'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n---\n- a\n- b\n',
      'kustomization.yaml': 'resources:\n- cm.yaml\n',
    });
    const scalar = tree({
      'x.yaml': '# a note\njust text\n',
      'kustomization.yaml': 'resources:\n- x.yaml\n',
    });
    const [first, second] = await Promise.all([
      runMeasured('validate', list, ['--no-schemas', '.']),
      runMeasured('validate', scalar, ['--no-schemas', '.']),
    ]);
    expect(oneLine(first?.stderr ?? '')).toBe(
      'error: cm.yaml:6:1: a resource document must be a Kubernetes object (a YAML mapping), not a list',
    );
    expect(oneLine(second?.stderr ?? '')).toBe(
      'error: x.yaml:2:1: a resource document must be a Kubernetes object (a YAML mapping), not a scalar',
    );
  });

  it('a generator file source symlinked out of the repository', async () => {
    const root = tree({
      'kustomization.yaml': 'configMapGenerator:\n- name: app\n  files:\n  - passwd=link\n',
      link: { symlink: '/etc/passwd' },
    });
    const run = await runMeasured('validate', root, ['--no-schemas', '.']);
    expect(oneLine(run.stderr)).toMatch(
      /^error: kustomization\.yaml:4:5: file source 'passwd=link' is outside the repository/,
    );
  });
});

const tree = tempTrees('triage-hostile-case').tree;

function writeHostileTreesNames(): string[] {
  // Names are known before beforeAll runs; the trees themselves are written there.
  return [
    'alias bomb in an inline patch',
    'alias bomb in a transformer configuration',
    'alias bomb in a UTF-16 resource',
    'resource symlinked to /dev/zero',
    'secretGenerator env file symlinked to /dev/zero',
    'resource that is a FIFO',
    'a 50 MB resource',
    '100,000 documents',
    '10,000 levels of nesting',
  ];
}
