import { afterEach, describe, expect, it } from 'vitest';
import { renderAndLocate, writeTree } from './tree-fixture.js';

/**
 * JSON 6902 indices refer to the list as it was when each operation ran, not to the rendered
 * list: the source map replays the operations backwards to find which one wrote a field.
 */

const BASE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      initContainers:
        - name: migrate
          image: busybox:1.36
      containers:
        - name: app
          image: registry.example/app:1.0.0
`;

let dispose: (() => void) | undefined;
afterEach(() => dispose?.());

async function locate(ops: string) {
  const tree = writeTree({
    'base/deployment.yaml': BASE,
    'base/kustomization.yaml': 'resources:\n- deployment.yaml\n',
    'overlays/dev/kustomization.yaml':
      'resources:\n- ../../base\npatches:\n- path: ops.yaml\n  target:\n    kind: Deployment\n    name: api\n',
    'overlays/dev/ops.yaml': ops,
  });
  dispose = tree.dispose;
  return renderAndLocate(tree.root, 'overlays/dev');
}

describe('JSON 6902 operations replayed in order', () => {
  it('an index an earlier operation used means the element that stood there then', async () => {
    // The replace runs first, on migrate at index 0; the add then puts wait-db before it.
    const overlay = await locate(`- op: replace
  path: /spec/template/spec/initContainers/0/image
  value: busybox:1.37
- op: add
  path: /spec/template/spec/initContainers/0
  value:
    name: wait-db
    image: busybox:1.36
`);
    const image = ['spec', 'template', 'spec', 'initContainers', 1, 'image'];
    expect(overlay.resources[0]?.body).toMatchObject({
      spec: { template: { spec: { initContainers: [{ name: 'wait-db' }, { name: 'migrate' }] } } },
    });
    expect(overlay.at('Deployment', image)).toBe('overlays/dev/ops.yaml:3:10');
    expect(overlay.at('Deployment', ['spec', 'template', 'spec', 'initContainers', 0, 'image'])).toBe(
      'overlays/dev/ops.yaml:8:5',
    );
  });

  it('a remove before an add at the same index is not the added element’s', async () => {
    const overlay = await locate(`- op: remove
  path: /spec/template/spec/initContainers/0
- op: add
  path: /spec/template/spec/initContainers/0
  value:
    name: wait-db
    image: busybox:1.36
`);
    // wait-db has no securityContext: not because the remove (of migrate) took it away.
    const where = overlay.locate('Deployment', [
      'spec',
      'template',
      'spec',
      'initContainers',
      0,
      'securityContext',
    ]);
    expect(`${where.file}:${where.line}`).not.toBe('overlays/dev/ops.yaml:2');
    expect(where.file).toBe('overlays/dev/ops.yaml');
    expect(where.line).toBeGreaterThanOrEqual(3);
  });
});

describe('generator file sources', () => {
  it('a key from a `files:` source points into that file, as env files do', async () => {
    const tree = writeTree({
      'overlays/dev/kustomization.yaml':
        'configMapGenerator:\n- name: settings\n  files:\n  - app.properties\n  - logging=config/log.conf\n',
      'overlays/dev/app.properties': 'mode=fast\n',
      'overlays/dev/config/log.conf': 'level=info\n',
    });
    dispose = tree.dispose;
    const overlay = await renderAndLocate(tree.root, 'overlays/dev');
    expect(overlay.at('ConfigMap', ['data', 'app.properties'])).toBe('overlays/dev/app.properties:1:1');
    expect(overlay.at('ConfigMap', ['data', 'logging'])).toBe('overlays/dev/config/log.conf:1:1');
  });
});
