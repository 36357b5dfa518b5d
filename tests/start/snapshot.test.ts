import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAUNCHER, PACKAGE_ROOT } from '../../scripts/lib/repo.js';
import { copyRepository, type RepoCopy } from '../validate/repo-copy.js';

/**
 * validate started from its V8 startup snapshot (scripts/start.sh, scripts/build/snapshot.mjs):
 * the same answers as the compiled ES modules through scripts/start.mjs, whatever the environment
 * says at run time, and never a stale build. `sh -x` shows which way start.sh went.
 */

const ENV = { GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '', NO_COLOR: '1', NODE_OPTIONS: '' };

function run(file: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  return spawnSync(file, args, {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...ENV, ...env },
  });
}

/** `sh -x scripts/start.sh validate ARGS` in `root`: the run, and how start.sh started node. */
function viaStartSh(root: string, args: string[], cwd = root, env: Record<string, string> = {}) {
  const result = run('sh', ['-x', join(root, 'scripts', 'start.sh'), 'validate', ...args], cwd, env);
  const started = /^\+ exec (.*)$/m.exec(result.stderr)?.[1] ?? '';
  const stderr = result.stderr
    .split('\n')
    .filter((line) => !line.startsWith('+ '))
    .join('\n');
  return { ...result, stderr, fromSnapshot: started.includes('--snapshot-blob'), started };
}

/** The report without its one timing field. */
function report(text: string): unknown {
  const parsed = JSON.parse(text) as { summary: Record<string, unknown> };
  delete parsed.summary.durationMs;
  return parsed;
}

function nodeIdentityFromSh(): string {
  return run('sh', ['-c', 'stat -L -c %d:%i:%s:%Y "$(command -v node)"'], PACKAGE_ROOT).stdout.trim();
}

describe("this repository's snapshot (built by the tests' global setup, as setup builds it)", () => {
  let copy: RepoCopy;
  beforeAll(() => {
    copy = copyRepository();
  });
  afterAll(() => copy.dispose());

  it('names the current build and the node on PATH, as `stat -L` prints it', () => {
    const [blob, node] = readFileSync(join(PACKAGE_ROOT, 'dist', 'validate', 'snapshot'), 'utf8').split('\n');
    const { id } = JSON.parse(
      readFileSync(join(PACKAGE_ROOT, 'dist', 'validate', 'current.json'), 'utf8'),
    ) as {
      id: string;
    };
    expect(blob).toBe(`${id}/validate.blob`);
    expect(node).toBe(nodeIdentityFromSh());
  });

  it('gives the report the ES modules give, findings and exit code included', () => {
    copy.edit('base/deployment.yaml', 'runAsNonRoot: true', 'runAsNonRoot: false');
    const prod = join(copy.root, 'overlays', 'prod');
    const dev = join(copy.root, 'overlays', 'dev');
    // Prod's pods must run as non-root (Pod Security restricted); dev judged as prod too.
    for (const args of [[copy.root], [prod], [dev, '--env', 'prod'], [dev]]) {
      const full = [...args, '--format', 'json'];
      const snapshot = viaStartSh(PACKAGE_ROOT, full);
      const modules = run(process.execPath, [LAUNCHER, 'validate', ...full], PACKAGE_ROOT);
      expect(snapshot.fromSnapshot, snapshot.started).toBe(true);
      expect(snapshot.status, snapshot.stderr).toBe(args[0] === dev && args.length === 1 ? 0 : 1);
      expect(modules.status).toBe(snapshot.status);
      expect(report(snapshot.stdout)).toEqual(report(modules.stdout));
      expect(snapshot.stderr).toBe(modules.stderr);
    }
  });

  it('reads the directory, arguments and environment of the run, not those of the build', () => {
    // From inside an overlay, as `cd overlays/dev && npm run validate -- .` runs.
    const inside = viaStartSh(PACKAGE_ROOT, ['.', '--format', 'json'], join(copy.root, 'overlays', 'dev'));
    expect(inside.fromSnapshot).toBe(true);
    expect(
      Object.keys((JSON.parse(inside.stdout) as { summary: { environments: object } }).summary.environments),
    ).toEqual(['overlays/dev']);
    // Which kustomize to run was found during the warm-up, and is looked for again.
    const named = viaStartSh(PACKAGE_ROOT, [copy.root], PACKAGE_ROOT, {
      KUSTOMIZE: '/nonexistent/kustomize',
    });
    expect(named.fromSnapshot).toBe(true);
    expect(named.status).toBe(2);
    expect(named.stderr).toMatch(/^error: KUSTOMIZE=\/nonexistent\/kustomize does not run/);
    // So is kubeconform.
    const noSchemas = viaStartSh(PACKAGE_ROOT, [copy.root, '--format', 'json'], PACKAGE_ROOT, {
      KUBECONFORM: '/nonexistent/kubeconform',
    });
    expect(noSchemas.fromSnapshot).toBe(true);
    expect(noSchemas.stdout + noSchemas.stderr).toContain('/nonexistent/kubeconform');
  });

  it('an input error is one line naming the file, exit 2, as without the snapshot', () => {
    copy.write('overlays/dev/kustomization.yaml', 'resources: [\n');
    const snapshot = viaStartSh(PACKAGE_ROOT, [join(copy.root, 'overlays', 'dev')]);
    const modules = run(
      process.execPath,
      [LAUNCHER, 'validate', join(copy.root, 'overlays', 'dev')],
      PACKAGE_ROOT,
    );
    expect(snapshot.fromSnapshot).toBe(true);
    expect(snapshot.status).toBe(2);
    expect(snapshot.stderr).toBe(modules.stderr);
    expect(snapshot.stderr).toMatch(/^error: .*overlays\/dev\/kustomization\.yaml/);
    expect(snapshot.stderr).not.toMatch(/\n\s+at /);
  });

  it('is not used when NODE_OPTIONS is set (V8 flags a blob was not built with)', () => {
    const runWithOptions = viaStartSh(PACKAGE_ROOT, ['--help'], PACKAGE_ROOT, {
      NODE_OPTIONS: '--no-warnings',
    });
    expect(runWithOptions.fromSnapshot).toBe(false);
    expect(runWithOptions.started).toContain('scripts/start.mjs validate --help');
    expect(runWithOptions.status).toBe(0);
    expect(runWithOptions.stdout).toMatch(/^usage: npm run validate/);
  });
});

/**
 * On a copy of the package (its scripts and manifests; node_modules and .tools linked), where
 * sources can change: a snapshot of an older build hands over to the launcher, which rebuilds.
 */
describe('a snapshot on a copy of the package', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'triage-snapshot-'));
    cpSync(join(PACKAGE_ROOT, 'scripts'), join(root, 'scripts'), {
      recursive: true,
      preserveTimestamps: true,
    });
    for (const part of ['base', 'components', 'overlays', 'clusters', 'schemas', 'validate.config.yaml']) {
      cpSync(join(PACKAGE_ROOT, part), join(root, part), { recursive: true, preserveTimestamps: true });
    }
    for (const file of ['package.json', 'package-lock.json', 'tsconfig.json']) {
      cpSync(join(PACKAGE_ROOT, file), join(root, file), { preserveTimestamps: true });
    }
    for (const linked of ['node_modules', '.tools', '.cache'])
      symlinkSync(join(PACKAGE_ROOT, linked), join(root, linked));
    // A credential in the tree the warm-ups validate: the snapshot must not keep it.
    writeFileSync(
      join(root, 'base', 'secrets.env'),
      'AZURE_OPENAI_API_KEY=sk-live-3f9b2c7d1e8a4f6b0c5d9e2a7b1f4c8d\nDATABASE_CONNECTION_STRING=Server=db;Password=Tr1age-Snapshot-Pw!\n',
    );
    const built = run(process.execPath, [join(root, 'scripts', 'build', 'build.mjs'), 'validate'], root);
    expect(built.status, built.stderr).toBe(0);
    expect(built.stdout).toMatch(/startup snapshot of validate built in \d+ ms/);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  function blobBytes(): Buffer {
    const [blob] = readFileSync(join(root, 'dist', 'validate', 'snapshot'), 'utf8').split('\n');
    return readFileSync(join(root, 'dist', 'validate', blob as string));
  }

  it('keeps no value of the Secret its warm-ups rendered, plain or base64', () => {
    const bytes = blobBytes();
    for (const value of [
      'sk-live-3f9b2c7d1e8a4f6b0c5d9e2a7b1f4c8d',
      'Server=db;Password=Tr1age-Snapshot-Pw!',
    ]) {
      expect(bytes.includes(value)).toBe(false);
      expect(bytes.includes(Buffer.from(value).toString('base64'))).toBe(false);
      expect(bytes.includes(Buffer.from(value, 'utf8').toString('utf16le'))).toBe(false);
    }
  });

  it('hands over to the launcher when a source changed, which rebuilds it; then starts from the new one', () => {
    expect(viaStartSh(root, ['--help']).fromSnapshot).toBe(true);
    const file = join(root, 'scripts', 'validate.ts');
    writeFileSync(file, readFileSync(file, 'utf8').replace('this text', 'this text (edited)'));
    const earlier = new Date(Date.now() - 3_600_000);
    utimesSync(file, earlier, earlier);
    // start.sh still finds the old record: the snapshot itself sees the change and hands over.
    const stale = viaStartSh(root, ['--help']);
    expect(stale.fromSnapshot).toBe(true);
    expect(stale.status).toBe(0);
    expect(stale.stdout).toContain('this text (edited)');
    expect(stale.stderr).toMatch(
      /^start: scripts\/validate\.ts changed since the last build: rebuilt dist\/validate in \d+ ms, and its startup snapshot in \d+ ms\n$/,
    );
    const next = viaStartSh(root, ['--help']);
    expect(next.fromSnapshot).toBe(true);
    expect(next.stderr).toBe('');
    expect(next.stdout).toContain('this text (edited)');
  });

  it('is not used when the node on PATH is not the one it was built by', () => {
    const record = join(root, 'dist', 'validate', 'snapshot');
    const [blob] = readFileSync(record, 'utf8').split('\n');
    writeFileSync(record, `${blob}\n1:2:3:4\n`);
    const other = viaStartSh(root, ['--help']);
    expect(other.fromSnapshot).toBe(false);
    expect(other.status).toBe(0);
    expect(other.stdout).toMatch(/^usage: npm run validate/);
    expect(other.stderr).toBe('');
  });
});
