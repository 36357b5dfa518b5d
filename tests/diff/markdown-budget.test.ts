import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMarkdown, GITHUB_COMMENT_LIMIT } from '../../scripts/diff/report/markdown.js';
import { computeDiff } from '../../scripts/diff/run.js';
import type { DiffResult, OverlayDiff, ResourceChange } from '../../scripts/diff/types.js';
import { allHighlights } from '../../scripts/diff/types.js';
import { createRepo, type FixtureRepo } from './fixture.js';

/**
 * The PR comment must stay under GitHub's limit whatever the change: here 45 ConfigMaps whose
 * long keys and URL-like values (`&`, `_`, `|` all get escaped) make every highlight line long.
 */

const CONFIGMAPS = 45;
const KEYS_PER_CONFIGMAP = 3;

function endpoint(region: string, revision: string): string {
  return (
    `https://inference.example.com/v1/triage/score?tenant=triage_${region}&region=${region}` +
    `&feature_flags=a|b|c|d&revision=${revision}&trace_sample=0.25&retry_policy=exp_backoff|jitter`
  );
}

/** A ConfigMap with long keys, a long first line per value and a multi-line document. */
function configMap(index: number, revision: string): string {
  const region = `region_${String(index).padStart(2, '0')}`;
  const lines = [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    `  name: triage-inference-routing-${index}-${'settings-'.repeat(6)}end`,
    '  namespace: triage',
    'data:',
  ];
  for (let key = 0; key < KEYS_PER_CONFIGMAP; key += 1) {
    lines.push(
      `  TRIAGE_INFERENCE_UPSTREAM_ENDPOINT_URL_FOR_${region.toUpperCase()}_WITH_FALLBACK_AND_CIRCUIT_BREAKER_SLOT_${key}: |`,
    );
    lines.push(`    ${endpoint(region, `${revision}_${key}`)}`);
    for (let line = 0; line < 30; line += 1) {
      lines.push(`    rule_${line}: route|${region}|weight_${line}&revision=${revision}`);
    }
  }
  return lines.join('\n');
}

/**
 * What a hostile pull request can push: names and keys at their 253-character maximum (the
 * namespace at 63), a key of
 * underscores (each escaped to two characters) and values of `&` (each escaped to five).
 */
function hostileConfigMap(index: number, revision: string): string {
  const name = `h${index}-${'x'.repeat(240)}`.slice(0, 253);
  return [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    `  name: ${name}`,
    `  namespace: triage-${'n'.repeat(56)}`,
    'data:',
    `  ${'_'.repeat(250)}${String(index).padStart(3, '0')}: "${'&'.repeat(100)}${revision}"`,
  ].join('\n');
}

type Make = (index: number, revision: string) => string;

/** A git repository whose one overlay holds 45 ConfigMaps, each changed between main~1 and main. */
async function diffOf(make: Make): Promise<{ repo: FixtureRepo; result: DiffResult }> {
  const repo = createRepo();
  const write = (revision: string) => {
    const documents = Array.from({ length: CONFIGMAPS }, (_, i) => make(i, revision));
    repo.write('overlays/dev/configmaps.yaml', `${documents.join('\n---\n')}\n`);
  };
  repo.git('init', '--quiet', '--initial-branch=main');
  mkdirSync(join(repo.dir, 'overlays/dev'), { recursive: true });
  repo.write('overlays/dev/kustomization.yaml', 'resources:\n  - configmaps.yaml\n');
  write('before');
  repo.git('add', '--all');
  repo.git('commit', '--quiet', '--message', 'base');
  write('after');
  repo.git('commit', '--quiet', '--all', '--message', 'head');
  return { repo, result: await computeDiff({ cwd: repo.dir, base: 'main~1', head: 'main' }) };
}

const repos: FixtureRepo[] = [];
let result: DiffResult;
let hostile: DiffResult;

beforeAll(async () => {
  const realistic = await diffOf(configMap);
  const crafted = await diffOf(hostileConfigMap);
  repos.push(realistic.repo, crafted.repo);
  result = realistic.result;
  hostile = crafted.result;
}, 120_000);

afterAll(() => {
  for (const repo of repos) repo.remove();
});

function leftOutCount(markdown: string, what: string): number {
  const match = new RegExp(`(\\d+) of (\\d+) ${what}`).exec(markdown);
  return match ? Number(match[1]) : 0;
}

describe('markdown within one budget', () => {
  it('keeps 45 long ConfigMap changes under the comment limit and says what it left out', () => {
    const highlights = allHighlights(result);
    expect(result.overlays[0]?.changes).toHaveLength(CONFIGMAPS);
    expect(highlights).toHaveLength(CONFIGMAPS * KEYS_PER_CONFIGMAP);

    const markdown = formatMarkdown(result);
    expect(markdown.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);

    // Every highlight line and diff block either appears whole or is counted in the note.
    const shownHighlights = markdown.match(/^- \*\*overlays\/dev\*\* · ConfigMap /gm)?.length ?? 0;
    expect(shownHighlights).toBeGreaterThan(0);
    const hiddenHighlights = CONFIGMAPS * KEYS_PER_CONFIGMAP - shownHighlights;
    expect(markdown).toContain(`- …and ${hiddenHighlights} more, not shown here`);
    expect(leftOutCount(markdown, 'highlights are not shown')).toBe(hiddenHighlights);

    const blocks = markdown.match(/<details>/g)?.length ?? 0;
    expect(markdown.match(/<\/details>/g)?.length).toBe(blocks);
    expect((markdown.match(/^`{3,}/gm)?.length ?? 0) % 2).toBe(0);
    expect(leftOutCount(markdown, 'diffs are not shown')).toBe(CONFIGMAPS - blocks);
    expect(markdown).toMatch(/> Output truncated to stay under GitHub's 65,536-character comment limit: /);
    // The table comes whole, before the diffs.
    expect(markdown).toContain('| `overlays/dev` | 0 | 45 | 0 |');
  });

  it('stays under the limit when names, keys and values are made to be as long as they can escape to', () => {
    expect(allHighlights(hostile)).toHaveLength(CONFIGMAPS);
    const markdown = formatMarkdown(hostile);
    expect(markdown.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(markdown).toContain('&amp;&amp;&amp;');
    expect(markdown).toMatch(/Output truncated .*: \d+ of 45 diffs are not shown/);
  });

  it('counts the escaped text: highlights full of & and _ take more room than they hold', () => {
    const markdown = formatMarkdown(result);
    const line = markdown.split('\n').find((each) => each.startsWith('- **overlays/dev** · ConfigMap')) ?? '';
    expect(line).toContain('&amp;region=');
    expect(line).toContain('TRIAGE\\_INFERENCE');
    // Long keys keep their start and end.
    expect(line).toMatch(/key TRIAGE\\_INFERENCE\\_\S*…\S*SLOT\\_0: /);
  });

  it.each([2_000, 6_000, 20_000])('stays within a smaller limit of %d characters', (limit) => {
    const markdown = formatMarkdown(result, { maxChars: limit });
    expect(markdown.length).toBeLessThanOrEqual(limit);
    expect(markdown).toContain('| Overlay | Added | Changed | Removed |');
    expect(markdown).toMatch(new RegExp(`under ${limit.toLocaleString('en-US')} characters: `));
    expect(markdown.match(/<details>/g)?.length ?? 0).toBe(markdown.match(/<\/details>/g)?.length ?? 0);
  });
});

describe('markdown table within the budget', () => {
  const change: ResourceChange = {
    change: 'changed',
    object: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'triage', name: 'settings' },
    patch: '@@ -1 +1 @@\n-a: 1\n+a: 2\n',
  };
  const overlay = (i: number): OverlayDiff => ({
    path: `overlays/tenant-${String(i).padStart(4, '0')}-${'x'.repeat(40)}`,
    existsAtBase: true,
    existsAtHead: true,
    changes: [change],
    highlights: [],
  });

  it('leaves out table rows that do not fit, and says how many', () => {
    const result: DiffResult = {
      base: { ref: 'main', sha: 'a'.repeat(40) },
      head: { ref: 'working tree' },
      overlays: Array.from({ length: 2_000 }, (_, i) => overlay(i)),
    };
    const markdown = formatMarkdown(result);
    expect(markdown.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    const rows = markdown.match(/^\| `overlays\/tenant-/gm)?.length ?? 0;
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThan(2_000);
    expect(markdown).toContain(`${2_000 - rows} of 2000 overlays are not in the table`);
  });

  it('keeps a long or odd ref in its code span and out of the markdown', () => {
    const result: DiffResult = {
      base: { ref: `feature/${'`'.repeat(3)}weird|${'long-'.repeat(60)}`, sha: 'b'.repeat(40) },
      head: { ref: 'working tree' },
      overlays: [overlay(1)],
    };
    const markdown = formatMarkdown(result, { maxChars: 2_000 });
    const line = markdown.split('\n').find((each) => each.startsWith('Base ')) ?? '';
    expect(line.startsWith('Base ````feature/```weird|long-')).toBe(true);
    expect(line.length).toBeLessThan(300);
  });
});
