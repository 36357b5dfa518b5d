import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatJson } from '../../scripts/diff/report/json.js';
import { formatMarkdown, MARKDOWN_MARKER } from '../../scripts/diff/report/markdown.js';
import { formatText } from '../../scripts/diff/report/text.js';
import { computeDiff } from '../../scripts/diff/run.js';
import type { DiffResult, OverlayDiff } from '../../scripts/diff/types.js';
import { createChangedRepo, type FixtureRepo, SECRETS } from './fixture.js';

let repo: FixtureRepo;
let result: DiffResult;
let before: { status: string; worktrees: string; head: string; checkouts: string[] };

/**
 * computeDiff makes its checkouts in os.tmpdir(), which reads TMPDIR on every call. This file gets
 * a TMPDIR of its own, so the checkouts counted are this file's: the diff tests of other files,
 * running in parallel, make theirs in the shared one.
 */
const privateTmp = mkdtempSync(join(tmpdir(), 'diff-test-tmp-'));
const sharedTmp = process.env.TMPDIR;

const checkoutsInTmp = () =>
  readdirSync(tmpdir())
    .filter((name) => name.startsWith('triage-diff-'))
    .sort();

beforeAll(async () => {
  process.env.TMPDIR = privateTmp;
  repo = createChangedRepo();
  // An uncommitted edit: the default head is the working tree, and it must stay as it is.
  const hpa = join(repo.dir, 'overlays/prod/hpa-patch.yaml');
  writeFileSync(hpa, readFileSync(hpa, 'utf8').replace(/maxReplicas: \d+/, 'maxReplicas: 42'));
  before = {
    status: repo.git('status', '--porcelain'),
    worktrees: repo.git('worktree', 'list', '--porcelain'),
    head: repo.git('rev-parse', 'HEAD'),
    checkouts: checkoutsInTmp(),
  };
  result = await computeDiff({ cwd: repo.dir, base: 'main', head: 'HEAD' });
}, 60_000);

afterAll(() => {
  repo?.remove();
  if (sharedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = sharedTmp;
  rmSync(privateTmp, { recursive: true, force: true });
});

function overlay(path: string): OverlayDiff {
  const found = result.overlays.find((each) => each.path === path);
  if (!found) throw new Error(`no overlay ${path} in the result`);
  return found;
}

function summary(path: string): string[] {
  return overlay(path).changes.map(
    (change) =>
      `${change.change} ${change.object.kind} ${change.renamedFrom ? `${change.renamedFrom} → ` : ''}${change.object.name}`,
  );
}

describe('classification', () => {
  it('lists added, removed and changed objects, sorted by kind, namespace and name', () => {
    const dev = summary('overlays/dev').map((line) => line.replace(/-[2456789bcdfghkmt]{10}\b/g, '-HASH'));
    expect(dev).toEqual([
      'changed ConfigMap triage-config-HASH → triage-config-HASH',
      'changed Deployment triage-backend',
      'changed HorizontalPodAutoscaler triage-backend-hpa',
      'removed PodDisruptionBudget triage-backend',
      'changed Secret triage-secrets-HASH → triage-secrets-HASH',
      'added Service triage-metrics',
    ]);
    expect(summary('overlays/prod')).toEqual(['removed PodDisruptionBudget triage-backend']);
  });

  it('shows a generator hash change as one rename, not a delete and an add', () => {
    const configMap = overlay('overlays/dev').changes.find((change) => change.object.kind === 'ConfigMap');
    expect(configMap?.change).toBe('changed');
    expect(configMap?.renamedFrom).toMatch(/^triage-config-[a-z0-9]{10}$/);
    expect(configMap?.object.name).toMatch(/^triage-config-[a-z0-9]{10}$/);
    expect(configMap?.renamedFrom).not.toBe(configMap?.object.name);
    expect(configMap?.patch).toContain('-  LOG_LEVEL: debug\n+  LOG_LEVEL: warning');
    // The Deployment's reference follows the new name.
    const deployment = overlay('overlays/dev').changes.find((change) => change.object.kind === 'Deployment');
    expect(deployment?.patch).toContain(`+                name: ${configMap?.object.name}`);
  });

  it('treats an overlay that exists only at head as all added', () => {
    const staging = overlay('overlays/staging');
    expect(staging.existsAtBase).toBe(false);
    expect(staging.existsAtHead).toBe(true);
    expect(new Set(staging.changes.map((change) => change.change))).toEqual(new Set(['added']));
    expect(staging.changes.map((change) => change.object.kind)).toContain('Deployment');
  });
});

describe('highlights', () => {
  it('names HPA bounds, images and ConfigMap keys, and Secret keys without values', () => {
    const messages = overlay('overlays/dev').highlights.map((each) => `${each.kind}: ${each.message}`);
    expect(messages).toEqual([
      'configmap: key LOG_LEVEL: "debug" → "warning"',
      'image: container backend: image triageacr.azurecr.io/triage-backend:1.5.0-rc.2 → triageacr.azurecr.io/triage-backend:1.5.0',
      'hpa: minReplicas 2 → 3',
      'secret: key AZURE_OPENAI_API_KEY changed (value redacted)',
    ]);
    expect(overlay('overlays/prod').highlights).toEqual([]);
  });
});

describe('secrets', () => {
  const forbidden = [SECRETS.oldApiKey, SECRETS.newApiKey, SECRETS.connection].flatMap((value) => [
    value,
    Buffer.from(value).toString('base64'),
    createHash('sha256').update(value).digest('hex').slice(0, 8),
    createHash('sha256')
      .update(JSON.stringify(Buffer.from(value).toString('base64')))
      .digest('hex')
      .slice(0, 8),
  ]);

  it.each([
    ['text', () => formatText(result)],
    ['markdown', () => formatMarkdown(result)],
    ['json', () => formatJson(result)],
  ])('never prints a Secret value, its base64 or a hash of it in %s', (_format, render) => {
    const output = render();
    for (const value of forbidden) expect(output).not.toContain(value);
  });

  it('marks which Secret keys changed and which stayed', () => {
    const secret = overlay('overlays/dev').changes.find((change) => change.object.kind === 'Secret');
    expect(secret?.patch).toContain('-  AZURE_OPENAI_API_KEY: "<redacted: changed, old value>"');
    expect(secret?.patch).toContain('+  AZURE_OPENAI_API_KEY: "<redacted: changed, new value>"');
    expect(secret?.patch).toContain('   DATABASE_CONNECTION_STRING: <redacted>');
    const added = overlay('overlays/staging').changes.find((change) => change.object.kind === 'Secret');
    expect(added?.patch).toContain('+  AZURE_OPENAI_API_KEY: <redacted>');
  });
});

describe('markdown', () => {
  it('starts with the sticky-comment marker, then highlights, a table and one <details> per change', () => {
    const markdown = formatMarkdown(result);
    expect(markdown.startsWith(`${MARKDOWN_MARKER}\n`)).toBe(true);
    const highlights = markdown.indexOf('### Highlights');
    const table = markdown.indexOf('| Overlay | Added | Changed | Removed |');
    const firstDetails = markdown.indexOf('<details>');
    expect(highlights).toBeGreaterThan(0);
    expect(table).toBeGreaterThan(highlights);
    expect(firstDetails).toBeGreaterThan(table);
    expect(markdown).toContain('| `overlays/dev` | 1 | 4 (2 renamed) | 1 |');
    expect(markdown).toContain('| `overlays/prod` | 0 | 0 | 1 |');
    expect(markdown).toContain('| `overlays/staging` (new) |');
    const changes = result.overlays.reduce((sum, each) => sum + each.changes.length, 0);
    expect(markdown.match(/<details>/g)).toHaveLength(changes);
    expect(markdown.match(/<\/details>/g)).toHaveLength(changes);
    expect(markdown.match(/^```diff$/gm)).toHaveLength(changes);
    expect(markdown).toContain('minReplicas 2 → 3');
    expect(markdown).toContain('<summary>✏️ changed <code>ConfigMap triage/triage-config-');
    expect(markdown.length).toBeLessThanOrEqual(65_536);
  });

  it('truncates with a note when the diffs exceed the limit', () => {
    const markdown = formatMarkdown(result, { maxChars: 6_000 });
    expect(markdown.length).toBeLessThanOrEqual(6_000);
    expect(markdown.startsWith(MARKDOWN_MARKER)).toBe(true);
    expect(markdown).toMatch(/Output truncated .* \d+ of \d+ diffs are not shown/);
    // Every <details> that was opened is closed, and every fence too.
    expect(markdown.match(/<details>/g)?.length).toBe(markdown.match(/<\/details>/g)?.length);
    expect((markdown.match(/^```/gm)?.length ?? 0) % 2).toBe(0);
  });
});

describe('the user’s repository', () => {
  it('is left as it was: working tree, index, HEAD, worktree list, no temporary checkouts', () => {
    expect(repo.git('status', '--porcelain')).toBe(before.status);
    expect(repo.git('worktree', 'list', '--porcelain')).toBe(before.worktrees);
    expect(repo.git('rev-parse', 'HEAD')).toBe(before.head);
    expect(tmpdir()).toBe(privateTmp);
    expect(before.checkouts).toEqual([]);
    expect(checkoutsInTmp()).toEqual([]);
  });

  it('renders the working tree by default, with its uncommitted edits', async () => {
    const fromWorkingTree = await computeDiff({ cwd: repo.dir, overlays: ['overlays/prod'] });
    expect(fromWorkingTree.head.ref).toBe('working tree');
    expect(fromWorkingTree.base.note).toContain('merge base of HEAD and main');
    expect(fromWorkingTree.base.note).toContain('origin/main does not exist');
    expect(fromWorkingTree.overlays.map((each) => each.path)).toEqual(['overlays/prod']);
    const messages = fromWorkingTree.overlays[0]?.highlights.map((each) => each.message);
    expect(messages?.some((message) => /^maxReplicas \d+ → 42$/.test(message))).toBe(true);
    expect(repo.git('status', '--porcelain')).toBe(before.status);
    expect(checkoutsInTmp()).toEqual(before.checkouts);
  }, 30_000);
});

describe('the default base with --head', () => {
  it('is where the head branch left main, not where the checked-out branch did', async () => {
    const other = createChangedRepo();
    try {
      // main moves on after feature branched off; the user is on main and asks about feature.
      other.git('checkout', '--quiet', 'main');
      other.edit('overlays/prod/hpa-patch.yaml', 'maxReplicas: 10', 'maxReplicas: 12');
      other.git('commit', '--quiet', '--all', '--message', 'main moves on');
      const diff = await computeDiff({ cwd: other.dir, head: 'feature', overlays: ['overlays/prod'] });
      expect(diff.base.note).toBe('merge base of feature and main; origin/main does not exist');
      expect(diff.base.sha).toBe(other.git('merge-base', 'feature', 'main'));
      // Only what feature changed: main's newer maxReplicas is not shown as reverted.
      expect(diff.overlays[0]?.changes.map((change) => `${change.change} ${change.object.kind}`)).toEqual([
        'removed PodDisruptionBudget',
      ]);
    } finally {
      other.remove();
    }
  }, 60_000);
});
