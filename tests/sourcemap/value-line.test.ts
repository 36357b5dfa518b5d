import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../scripts/config/types.js';
import { secretInConfigPolicy } from '../../scripts/policies/secret-in-config.js';
import { renderOverlay } from '../../scripts/render/kustomize.js';
import { parseRenderedStream } from '../../scripts/render/parse.js';
import { SourceFiles } from '../../scripts/sourcemap/files.js';
import { SourceLocator } from '../../scripts/sourcemap/locate.js';
import { loadTree } from '../../scripts/sourcemap/tree.js';
import { runPolicy } from '../policies/harness.js';
import { writeTree } from './tree-fixture.js';

/** An embedded config file: the credential on line 5 of the value (kustomize examples/ldap's shape). */
const STARTUP = [
  '# startup configuration',
  '',
  'LDAP_ORGANISATION: Example Inc.',
  'LDAP_DOMAIN: example.org',
  'LDAP_ADMIN_PASSWORD: admin',
  'LDAP_BACKEND: hdb',
  '',
].join('\n');

const block = (text: string, indent: string) =>
  text
    .split('\n')
    .map((line) => (line ? `${indent}${line}` : ''))
    .join('\n');

/**
 * Renders the overlay, runs secret-in-config on it, and locates each finding the way the engine
 * does, with the finding's line in the value: `messageId file:line:column`.
 */
async function locatedFindings(files: Record<string, string>, overlay: string): Promise<string[]> {
  const tree = writeTree(files);
  try {
    const sources = new SourceFiles(tree.root);
    const layer = loadTree(join(tree.root, overlay), sources);
    const text = await renderOverlay(join(tree.root, overlay), { root: tree.root });
    const { resources, origins } = parseRenderedStream(text, overlay);
    const locator = new SourceLocator(layer, sources);
    const found = await runPolicy(secretInConfigPolicy, resources, {
      env: 'dev',
      overlay,
      config: defaultConfig(),
    });
    return found.map((each) => {
      const resource = resources.find((r) => `${r.kind}/${r.name}` === each.object);
      if (!resource) throw new Error(`no ${each.object}`);
      const at = locator.locate(resource, origins[resource.index], each.raw.path, each.raw.valueLine);
      return `${each.messageId} ${at.file}:${at.line}:${at.column}`;
    });
  } finally {
    tree.dispose();
  }
}

describe('a credential inside a multi-line value points at its line', () => {
  it('in a generator files: source (the file’s line, not line 1)', async () => {
    const found = await locatedFindings(
      {
        'app/kustomization.yaml': `configMapGenerator:
  - name: ldap
    files:
      - env.startup.txt
`,
        'app/env.startup.txt': STARTUP,
      },
      'app',
    );
    expect(found).toEqual(['embeddedCredential app/env.startup.txt:5:1']);
  });

  it('in a `|` block of a resource file', async () => {
    const found = await locatedFindings(
      {
        'app/kustomization.yaml': 'resources:\n  - configmap.yaml\n',
        'app/configmap.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: ldap
data:
  startup.yaml: |
${block(STARTUP, '    ')}`,
      },
      'app',
    );
    // Header on line 6: value line 5 is file line 11, at its indentation.
    expect(found).toEqual(['embeddedCredential app/configmap.yaml:11:5']);
  });

  it('in a `|` block of an overlay patch, file or inline', async () => {
    const patch = (indent: string) =>
      block(
        `apiVersion: v1
kind: ConfigMap
metadata:
  name: ldap
data:
  startup.yaml: |
${block(STARTUP, '    ')}`,
        indent,
      );
    const base = {
      'base/kustomization.yaml': 'resources:\n  - configmap.yaml\n',
      'base/configmap.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ldap\ndata:\n  startup.yaml: "none"\n',
    };
    const fromFile = await locatedFindings(
      {
        ...base,
        'overlay/kustomization.yaml': 'resources:\n  - ../base\npatches:\n  - path: patch.yaml\n',
        'overlay/patch.yaml': patch(''),
      },
      'overlay',
    );
    expect(fromFile).toEqual(['embeddedCredential overlay/patch.yaml:11:5']);
    const inline = await locatedFindings(
      {
        ...base,
        'overlay/kustomization.yaml': `resources:\n  - ../base\npatches:\n  - patch: |-\n${patch('      ')}\n`,
      },
      'overlay',
    );
    // The patch starts on line 5 of kustomization.yaml: its line 11 is line 15 there.
    expect(inline).toEqual(['embeddedCredential overlay/kustomization.yaml:15:11']);
  });
});
