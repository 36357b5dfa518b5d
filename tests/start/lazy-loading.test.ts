import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAUNCHER, PACKAGE_ROOT } from '../../scripts/lib/repo.js';

/**
 * Which sources a command loads, read off the modules node actually loads: a loader hook logs
 * every file URL, and dist/<command>/<id>/contents.json (written by the build) says which
 * sources and packages each compiled file holds.
 */
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'triage-lazy-'));
  writeFileSync(
    join(scratch, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(process.env.TRIAGE_LOAD_LOG, url + '\\n');
  return next(url, context);
}
`,
  );
  writeFileSync(
    join(scratch, 'register.mjs'),
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(scratch, 'hooks.mjs')).href)});\n`,
  );
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** The sources and packages (`node_modules/<name>/…`) whose code `validate ARGS` loaded. */
function loadedBy(args: string[]): string[] {
  const log = join(scratch, `load-${args.join('_').replace(/\W/g, '')}.log`);
  writeFileSync(log, '');
  const run = spawnSync(
    process.execPath,
    ['--import', pathToFileURL(join(scratch, 'register.mjs')).href, LAUNCHER, 'validate', ...args],
    {
      cwd: PACKAGE_ROOT,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, TRIAGE_LOAD_LOG: log, GITHUB_ACTIONS: '', NO_COLOR: '1' },
    },
  );
  expect(run.stderr).not.toMatch(/error:/);
  const manifest = JSON.parse(
    readFileSync(join(PACKAGE_ROOT, 'dist', 'validate', 'current.json'), 'utf8'),
  ) as {
    id: string;
  };
  const buildDir = join(PACKAGE_ROOT, 'dist', 'validate', manifest.id);
  const contents = JSON.parse(readFileSync(join(buildDir, 'contents.json'), 'utf8')) as Record<
    string,
    string[]
  >;
  const loaded = new Set<string>();
  for (const url of readFileSync(log, 'utf8').split('\n').filter(Boolean)) {
    const path = fileURLToPath(url);
    if (!path.startsWith(buildDir)) continue;
    for (const source of contents[relative(buildDir, path).split('\\').join('/')] ?? []) loaded.add(source);
  }
  return [...loaded];
}

const ENGINE = 'scripts/engine/run.ts';
const loads = (sources: string[], what: string) => sources.some((source) => source.includes(what));

describe('validate loads only what the command uses', () => {
  it('a real run loads the engine, secretlint and ajv (so the checks below can tell)', () => {
    const sources = loadedBy(['--no-schemas', '--format', 'json', 'overlays/dev']);
    expect(sources).toContain(ENGINE);
    expect(loads(sources, 'node_modules/@secretlint/core/')).toBe(true);
    expect(loads(sources, 'node_modules/ajv/')).toBe(true);
    expect(loads(sources, 'node_modules/@actions/core/')).toBe(false);
  });

  it('--help loads neither the engine, the configuration nor any heavy package', () => {
    const sources = loadedBy(['--help']);
    expect(sources).toContain('scripts/validate.ts');
    expect(sources).not.toContain(ENGINE);
    expect(sources).not.toContain('scripts/config/load.ts');
    for (const name of ['ajv', 'yaml', '@secretlint/core', '@actions/core', 'zx']) {
      expect(loads(sources, `node_modules/${name}/`), name).toBe(false);
    }
  });

  it('--list-rules loads the configuration and the rule catalogue, not the engine or secretlint', () => {
    const sources = loadedBy(['--list-rules']);
    expect(sources).toContain('scripts/config/load.ts');
    expect(sources).toContain('scripts/policies/index.ts');
    expect(sources).not.toContain(ENGINE);
    for (const name of ['@secretlint/core', '@actions/core', 'zx']) {
      expect(loads(sources, `node_modules/${name}/`), name).toBe(false);
    }
    // The config's validator was generated at build time: ajv's compiler is not loaded.
    expect(loads(sources, 'node_modules/ajv/dist/compile/'), 'ajv compiler').toBe(false);
  });
});
