import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURE_GIT_ENV } from '../../scripts/bench/hostile-trees.js';

/** The repository these tests live in: its base/, components/ and overlays/ seed the fixture. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Secret values the fixture commits: none of them may appear in any report. */
export const SECRETS = {
  oldApiKey: 'sk-old-Zq8rT1x9KpW3',
  newApiKey: 'sk-new-Pw4mV7k2HsQ8',
  connection: 'Server=db.internal;Password=Unchanged-Vb6nC1',
} as const;

export interface FixtureRepo {
  dir: string;
  git(...args: string[]): string;
  write(path: string, text: string): void;
  edit(path: string, from: string, to: string): void;
  remove(): void;
}

export function createRepo(): FixtureRepo {
  const dir = mkdtempSync(join(tmpdir(), 'diff-fixture-'));
  const repo: FixtureRepo = {
    dir,
    git: (...args) =>
      execFileSync('git', args, {
        cwd: dir,
        env: { ...process.env, ...FIXTURE_GIT_ENV },
        encoding: 'utf8',
      }).trim(),
    write: (path, text) => writeFileSync(join(dir, path), text),
    edit: (path, from, to) => {
      const file = join(dir, path);
      const text = readFileSync(file, 'utf8');
      if (!text.includes(from)) throw new Error(`fixture: '${from}' not found in ${path}`);
      writeFileSync(file, text.replace(from, to));
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  return repo;
}

/**
 * Two commits: `main` holds this repository's manifests (with a fake secret value); branch
 * `feature` changes an HPA bound, an image, a ConfigMap literal, a Secret value, adds a Service,
 * removes the PodDisruptionBudget and adds an overlay that did not exist before.
 */
export function createChangedRepo(): FixtureRepo {
  const repo = createRepo();
  for (const folder of ['base', 'components', 'overlays']) {
    cpSync(join(PROJECT_ROOT, folder), join(repo.dir, folder), { recursive: true });
  }
  repo.write(
    'base/secrets.env',
    `AZURE_OPENAI_API_KEY=${SECRETS.oldApiKey}\nDATABASE_CONNECTION_STRING=${SECRETS.connection}\n`,
  );
  repo.git('init', '--quiet', '--initial-branch=main');
  repo.git('add', '--all');
  repo.git('commit', '--quiet', '--message', 'manifests');
  repo.git('checkout', '--quiet', '-b', 'feature');

  repo.edit('overlays/dev/hpa-patch.yaml', 'minReplicas: 2', 'minReplicas: 3');
  repo.edit('overlays/dev/kustomization.yaml', 'newTag: 1.5.0-rc.2', 'newTag: 1.5.0');
  repo.edit('overlays/dev/kustomization.yaml', 'LOG_LEVEL=debug', 'LOG_LEVEL=warning');
  repo.edit('base/secrets.env', SECRETS.oldApiKey, SECRETS.newApiKey);
  repo.write(
    'overlays/dev/metrics-service.yaml',
    [
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      '  name: triage-metrics',
      'spec:',
      '  selector:',
      '    app: triage-backend',
      '  ports:',
      '    - name: metrics',
      '      port: 9090',
      '',
    ].join('\n'),
  );
  repo.edit(
    'overlays/dev/kustomization.yaml',
    '  - ../../base\n',
    '  - ../../base\n  - metrics-service.yaml\n',
  );
  repo.edit('base/kustomization.yaml', '  - pdb.yaml\n', '');
  repo.git('rm', '--quiet', 'base/pdb.yaml');
  cpSync(join(repo.dir, 'overlays/dev'), join(repo.dir, 'overlays/staging'), { recursive: true });
  repo.git('add', '--all');
  repo.git('commit', '--quiet', '--message', 'changes');
  return repo;
}
