import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Kustomize trees a hostile pull request could commit, each of which made kustomize (or our own
 * reader) use gigabytes or hang before the input checks; shared by the tests and `npm run bench`.
 * Each must end with exit 2 and the message `expect` at once.
 */
export interface HostileTree {
  name: string;
  /**
   * A git repository whose `main` is one clean ConfigMap; the hostile tree is its working tree,
   * uncommitted (git cannot commit a FIFO), so `diff --base main` renders it as the head.
   */
  root: string;
  /** What validate's one-line error must say. */
  expect: RegExp;
}

const CONFIGMAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  greeting: hello\n';

/** Nine levels of nine aliases each: 9^9 (387 million) nodes once expanded. */
export function aliasBomb(indent: string): string {
  const lines = [`${indent}a: &a [x, x, x, x, x, x, x, x, x]`];
  let previous = 'a';
  for (const name of 'bcdefghi') {
    lines.push(`${indent}${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`);
    previous = name;
  }
  return `${lines.join('\n')}\n`;
}

type Files = Record<string, string | Buffer | { symlink: string } | { fifo: true }>;

const TREES: { name: string; expect: RegExp; files: () => Files }[] = [
  {
    name: 'alias bomb in an inline patch',
    expect: /^error: kustomization\.yaml:\d+:\d+: inline YAML rejected: /,
    files: () => ({
      'cm.yaml': CONFIGMAP,
      'kustomization.yaml': `resources:\n- cm.yaml\npatches:\n- target:\n    kind: ConfigMap\n  patch: |-\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: app\n      annotations:\n${aliasBomb('        ')}`,
    }),
  },
  {
    name: 'alias bomb in a transformer configuration',
    expect: /^error: labels\.yaml:\d+:\d+: YAML rejected: /,
    files: () => ({
      'cm.yaml': CONFIGMAP,
      'labels.yaml': `apiVersion: builtin\nkind: LabelTransformer\nmetadata:\n  name: labels\n  annotations:\n${aliasBomb('    ')}labels:\n  team: triage\nfieldSpecs:\n- path: metadata/labels\n  create: true\n`,
      'kustomization.yaml': 'resources:\n- cm.yaml\ntransformers:\n- labels.yaml\n',
    }),
  },
  {
    name: 'alias bomb in a UTF-16 resource',
    expect: /^error: cm\.yaml:\d+:\d+: YAML rejected: /,
    files: () => ({
      'cm.yaml': Buffer.concat([
        Buffer.from([0xff, 0xfe]),
        Buffer.from(`${CONFIGMAP}${aliasBomb('  ')}`, 'utf16le'),
      ]),
      'kustomization.yaml': 'resources:\n- cm.yaml\n',
    }),
  },
  {
    name: 'resource symlinked to /dev/zero',
    expect: /^error: kustomization\.yaml:3:3: resource 'zero\.yaml' is outside the repository/,
    files: () => ({
      'cm.yaml': CONFIGMAP,
      'zero.yaml': { symlink: '/dev/zero' },
      'kustomization.yaml': 'resources:\n- cm.yaml\n- zero.yaml\n',
    }),
  },
  {
    name: 'secretGenerator env file symlinked to /dev/zero',
    expect: /^error: kustomization\.yaml:4:5: env file 'zero\.env' is outside the repository/,
    files: () => ({
      'zero.env': { symlink: '/dev/zero' },
      'kustomization.yaml': 'secretGenerator:\n- name: app\n  envs:\n  - zero.env\n',
    }),
  },
  {
    name: 'resource that is a FIFO',
    expect: /^error: fifo\.yaml: is not a regular file \(a named pipe\)/,
    files: () => ({
      'cm.yaml': CONFIGMAP,
      'fifo.yaml': { fifo: true },
      'kustomization.yaml': 'resources:\n- cm.yaml\n- fifo.yaml\n',
    }),
  },
  {
    name: 'a 50 MB resource',
    expect: /^error: big\.yaml: is larger than 32 MiB/,
    files: () => ({
      'big.yaml': `${CONFIGMAP}  big: ${'x'.repeat(50_000_000)}\n`,
      'kustomization.yaml': 'resources:\n- big.yaml\n',
    }),
  },
  {
    name: '100,000 documents',
    expect: /^error: many\.yaml: holds more than 10000 YAML documents/,
    files: () => ({
      'many.yaml': Array.from(
        { length: 100_000 },
        (_, i) => `---\n${CONFIGMAP.replace('app', `app-${i}`)}`,
      ).join(''),
      'kustomization.yaml': 'resources:\n- many.yaml\n',
    }),
  },
  {
    name: '10,000 levels of nesting',
    expect: /^error: deep\.yaml:7: YAML nested deeper than 200 levels/,
    files: () => ({
      'deep.yaml': `${CONFIGMAP}  deep: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`,
      'kustomization.yaml': 'resources:\n- deep.yaml\n',
    }),
  },
];

export const HOSTILE_TREE_NAMES = TREES.map((tree) => tree.name);

/** Writes every hostile tree into its own git repository under a temporary directory. */
export function writeHostileTrees(): { trees: HostileTree[]; dispose(): void } {
  const base = mkdtempSync(join(tmpdir(), 'triage-hostile-'));
  const trees = TREES.map((tree, index) => {
    const root = join(base, String(index));
    writeTree(root, { 'kustomization.yaml': 'resources:\n- cm.yaml\n', 'cm.yaml': CONFIGMAP });
    writeFiles(root, tree.files());
    return { name: tree.name, root, expect: tree.expect };
  });
  return { trees, dispose: () => rmSync(base, { recursive: true, force: true }) };
}

/** Writes the files into a new git repository and commits them on `main`. */
export function writeTree(root: string, files: Files): void {
  writeFiles(root, files);
  commitAll(root);
}

export function writeFiles(root: string, files: Files): void {
  mkdirSync(root, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    if (typeof content === 'string' || Buffer.isBuffer(content)) writeFileSync(file, content);
    else if ('symlink' in content) symlinkSync(content.symlink, file);
    else execFileSync('mkfifo', [file]);
  }
}

/** A git identity and no user or system config: fixture commits are the same on every machine. */
export const FIXTURE_GIT_ENV = {
  GIT_AUTHOR_NAME: 'Fixture',
  GIT_AUTHOR_EMAIL: 'fixture@example.invalid',
  GIT_COMMITTER_NAME: 'Fixture',
  GIT_COMMITTER_EMAIL: 'fixture@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
} as const;

function commitAll(root: string): void {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: root, stdio: 'ignore', env: { ...process.env, ...FIXTURE_GIT_ENV } });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'tree');
}
