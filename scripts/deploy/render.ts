import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitError } from '../lib/exit-error.js';
import { renderOverlay } from '../render/kustomize.js';
import { envFileEntries } from '../sourcemap/tree.js';

/**
 * Renders an overlay for deploying. dev's Secret takes its values from environment variables of
 * the same names as the keys in base/secrets.env, written into a scratch copy of the tree (a
 * private temporary directory, removed as soon as kustomize has read it): the working tree is
 * never changed. (A bare `KEY` line is no way round the file: kustomize v5 renders it empty.)
 */

/** The env file of dev's secretGenerator; prod deletes that Secret (Key Vault supplies it). */
export const SECRET_ENV_FILE = 'base/secrets.env';
const TREE = ['base', 'components', 'overlays'];

export interface RenderedForDeploy {
  manifests: string;
  /** The values to mask in anything printed (never printed themselves). */
  secretValues: string[];
  /** Keys left at their committed placeholder (allowed on the local cluster only). */
  placeholders: string[];
}

export interface SecretSource {
  env: NodeJS.ProcessEnv;
  /** Placeholders may stay when a variable is unset (the local cluster); elsewhere that is an error. */
  allowPlaceholders: boolean;
}

export async function renderForDeploy(
  root: string,
  environment: 'dev' | 'prod',
  secrets: SecretSource,
): Promise<RenderedForDeploy> {
  const scratch = mkdtempSync(join(tmpdir(), 'triage-deploy-'));
  try {
    for (const dir of TREE) cpSync(join(root, dir), join(scratch, dir), { recursive: true });
    const secretValues: string[] = [];
    const placeholders: string[] = [];
    if (environment === 'dev') {
      const file = join(scratch, SECRET_ENV_FILE);
      const entries = envFileEntries(readFileSync(file, 'utf8'));
      const lines = entries.map((entry) => {
        const value = secrets.env[entry.key];
        if (value === undefined || value === '') {
          if (!secrets.allowPlaceholders) {
            throw new ExitError(
              `environment variable ${entry.key} is not set: dev's Secret takes it from there (the deploy workflow sets it from the environment's secrets)`,
              2,
              { file: SECRET_ENV_FILE, line: entry.line },
            );
          }
          placeholders.push(entry.key);
          return `${entry.key}=${entry.value}`;
        }
        if (/[\r\n]/.test(value)) {
          throw new ExitError(
            `environment variable ${entry.key} holds a line break, which an env file cannot carry`,
            2,
            {
              file: SECRET_ENV_FILE,
              line: entry.line,
            },
          );
        }
        secretValues.push(value);
        return `${entry.key}=${value}`;
      });
      writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
    }
    const manifests = await renderOverlay(join(scratch, 'overlays', environment), {
      root: scratch,
      sensitive: secretValues,
    });
    return { manifests, secretValues, placeholders };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
