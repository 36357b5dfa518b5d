import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FieldPath } from '../../scripts/core/resource.js';
import { SourceFiles } from '../../scripts/sourcemap/files.js';
import { sensitiveValues } from '../../scripts/sourcemap/sensitive.js';
import { loadTree } from '../../scripts/sourcemap/tree.js';
import { type LocatedOverlay, renderAndLocate, writeTree } from './tree-fixture.js';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: sidecar
          image: example.azurecr.io/sidecar:1.0.0
        - name: app
          image: example.azurecr.io/api:1.0.0
          imagePullPolicy: IfNotPresent
          resources:
            requests:
              cpu: 100m
`;

const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector: {app: api}
  ports:
    - name: http
      port: 80
      targetPort: 8080
`;

// Every kind of kustomize transformation the source map has to see through.
const TREE = {
  'base/kustomization.yaml': `resources:
  - deployment.yaml
  - service.yaml
configMapGenerator:
  - name: settings
    literals:
      - MODEL=gpt-4.1-mini
      - LOG_LEVEL=info
    envs:
      - settings.env
`,
  'base/deployment.yaml': DEPLOYMENT,
  'base/service.yaml': SERVICE,
  'base/settings.env': 'REGION=westeurope\nTIMEOUT=30\n',
  'components/probe/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
patches:
  - path: probe.yaml
`,
  'components/probe/probe.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: app
          readinessProbe:
            httpGet: {path: /healthz, port: 8080}
`,
  'overlays/prod/kustomization.yaml': `namePrefix: prod-
nameSuffix: -v1
namespace: triage
resources:
  - ../../base
components:
  - ../../components/probe
images:
  - name: example.azurecr.io/api
    newTag: 2.0.0
replicas:
  - name: api
    count: 3
configMapGenerator:
  - name: settings
    behavior: merge
    literals:
      - LOG_LEVEL=warning
    envs:
      - prod.env
patches:
  - path: memory.yaml
  - path: ports.json6902.yaml
    target:
      kind: Service
      name: api
  - patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: api
      spec:
        template:
          spec:
            containers:
              - name: sidecar
                $patch: delete
  - target:
      kind: Deployment
      name: api
    patch: |-
      - op: add
        path: /spec/template/spec/containers/0/resources/limits
        value:
          memory: 512Mi
`,
  'overlays/prod/prod.env': 'TIMEOUT=60\n',
  'overlays/prod/memory.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: app
          resources:
            requests:
              memory: 256Mi
`,
  'overlays/prod/ports.json6902.yaml': `- op: replace
  path: /spec/ports/0/targetPort
  value: http
`,
};

describe('source map: a rendered field points at the file and line a person edits', () => {
  let tree: ReturnType<typeof writeTree>;
  let prod: LocatedOverlay;
  beforeAll(async () => {
    tree = writeTree(TREE);
    prod = await renderAndLocate(tree.root, 'overlays/prod');
  });
  afterAll(() => tree.dispose());

  const app = ['spec', 'template', 'spec', 'containers', 0] as const;

  it('renders the names kustomize gives (prefix, suffix, hash) and deletes the sidecar', () => {
    const names = prod.resources.map((each) => `${each.kind}/${each.name}`);
    expect(names).toContain('Deployment/prod-api-v1');
    expect(names.find((name) => name.startsWith('ConfigMap/'))).toMatch(
      /^ConfigMap\/prod-settings-v1-[a-z0-9]{10}$/,
    );
    const deployment = prod.resources.find((each) => each.kind === 'Deployment');
    expect(JSON.stringify(deployment?.body)).not.toContain('sidecar');
  });

  // [why, kind, path in the rendered object, where a person edits it]
  const CASES: [string, string, FieldPath, string][] = [
    [
      'a field from the base resource points into the base file',
      'Deployment',
      [...app, 'imagePullPolicy'],
      'base/deployment.yaml:18:11',
    ],
    [
      'a field from the base resource points into the base file',
      'Deployment',
      [...app, 'resources', 'requests', 'cpu'],
      'base/deployment.yaml:21:15',
    ],
    [
      'a field set by an overlay strategic-merge patch points into the patch file',
      'Deployment',
      [...app, 'resources', 'requests', 'memory'],
      'overlays/prod/memory.yaml:12:15',
    ],
    [
      'a field set by a component patch points into the component',
      'Deployment',
      [...app, 'readinessProbe', 'httpGet', 'path'],
      'components/probe/probe.yaml:11:23',
    ],
    [
      'a field added by an inline JSON 6902 patch points at its line inside kustomization.yaml',
      'Deployment',
      [...app, 'resources', 'limits', 'memory'],
      'overlays/prod/kustomization.yaml:45:11',
    ],
    [
      'a field replaced by a JSON 6902 patch file points at the op',
      'Service',
      ['spec', 'ports', 0, 'targetPort'],
      'overlays/prod/ports.json6902.yaml:3:10',
    ],
    [
      'images: and replicas: overrides point at the kustomization entry',
      'Deployment',
      [...app, 'image'],
      'overlays/prod/kustomization.yaml:10:5',
    ],
    [
      'images: and replicas: overrides point at the kustomization entry',
      'Deployment',
      ['spec', 'replicas'],
      'overlays/prod/kustomization.yaml:13:5',
    ],
    [
      'generator values point at the literal or env-file line that set them last',
      'ConfigMap',
      ['data', 'MODEL'],
      'base/kustomization.yaml:7:9',
    ],
    [
      'generator values point at the literal or env-file line that set them last',
      'ConfigMap',
      ['data', 'LOG_LEVEL'],
      'overlays/prod/kustomization.yaml:18:9',
    ],
    [
      'generator values point at the literal or env-file line that set them last',
      'ConfigMap',
      ['data', 'REGION'],
      'base/settings.env:1:1',
    ],
    [
      'generator values point at the literal or env-file line that set them last',
      'ConfigMap',
      ['data', 'TIMEOUT'],
      'overlays/prod/prod.env:1:1',
    ],
    [
      'the namespace set by the overlay points at its namespace: line',
      'Service',
      ['metadata', 'namespace'],
      'overlays/prod/kustomization.yaml:3:12',
    ],
    [
      'a missing field points at the nearest enclosing node in the defining file',
      'Deployment',
      [...app, 'livenessProbe'],
      'base/deployment.yaml:16:11',
    ],
    [
      'a missing field points at the nearest enclosing node in the defining file',
      'Deployment',
      [...app, 'securityContext', 'runAsNonRoot'],
      'base/deployment.yaml:16:11',
    ],
    [
      'a missing field points at the nearest enclosing node in the defining file',
      'Service',
      ['spec', 'sessionAffinity'],
      'base/service.yaml:5:1',
    ],
    [
      'an object-level finding points at the start of the defining document',
      'Service',
      [],
      'base/service.yaml:1:1',
    ],
    [
      'an object-level finding points at the start of the defining document',
      'ConfigMap',
      [],
      'base/kustomization.yaml:5:5',
    ],
  ];

  it.each(CASES)('%s: %s %j → %s', (_why, kind, path, expected) => {
    expect(prod.at(kind, path)).toBe(expected);
  });
});

describe('source map: the deprecated patch fields real repositories still use', () => {
  let tree: ReturnType<typeof writeTree>;
  let legacy: LocatedOverlay;
  beforeAll(async () => {
    tree = writeTree({
      'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
      'base/deployment.yaml': DEPLOYMENT,
      'overlays/legacy/kustomization.yaml': `resources:
  - ../../base
patchesStrategicMerge:
  - pull-policy.yaml
patchesJson6902:
  - target:
      group: apps
      version: v1
      kind: Deployment
      name: api
    path: replicas.yaml
`,
      'overlays/legacy/pull-policy.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: app
          imagePullPolicy: Always
`,
      'overlays/legacy/replicas.yaml': '- op: replace\n  path: /spec/replicas\n  value: 4\n',
    });
    legacy = await renderAndLocate(tree.root, 'overlays/legacy');
  });
  afterAll(() => tree.dispose());

  it('patchesStrategicMerge and patchesJson6902 point into their patch files', () => {
    // A strategic merge puts the patched container first: the rendered order is [app, sidecar].
    expect(legacy.resources[0]?.body).toMatchObject({
      spec: { template: { spec: { containers: [{ name: 'app' }, { name: 'sidecar' }] } } },
    });
    expect(legacy.at('Deployment', ['spec', 'template', 'spec', 'containers', 0, 'imagePullPolicy'])).toBe(
      'overlays/legacy/pull-policy.yaml:10:11',
    );
    expect(legacy.at('Deployment', ['spec', 'replicas'])).toBe('overlays/legacy/replicas.yaml:3:10');
  });
});

describe('source map: the kustomization tree', () => {
  it('leaves remote resources to kustomize, with or without a URL scheme', () => {
    const tree = writeTree({
      'base/kustomization.yaml': 'resources:\n  - cm.yaml\n',
      'base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n',
      'overlays/dev/kustomization.yaml': [
        'resources:',
        '  - ../../base',
        '  - https://github.com/kubernetes-sigs/kustomize//examples/helloWorld/?ref=v3.3.1',
        '  - github.com/kubernetes-sigs/kustomize/examples/multibases?ref=v1.0.6',
        '  - git@github.com:example/manifests.git//base',
        '',
      ].join('\n'),
    });
    try {
      const layer = loadTree(join(tree.root, 'overlays/dev'), new SourceFiles(tree.root));
      expect(layer.bases.map((base) => base.file.shown)).toEqual(['base/kustomization.yaml']);
      expect(layer.resourceFiles).toEqual([]);
    } finally {
      tree.dispose();
    }
  });

  it('lists the generator values no message may quote (every Secret value, longer ConfigMap values)', () => {
    const tree = writeTree({
      'overlays/dev/kustomization.yaml': [
        'secretGenerator:',
        '  - name: creds',
        '    literals: [API_KEY=abcd]',
        '    envs: [creds.env]',
        'configMapGenerator:',
        '  - name: settings',
        '    literals: [LOG_LEVEL=info, STORAGE=AccountKey=Zq8xK2vN5mB7]',
        '',
      ].join('\n'),
      'overlays/dev/creds.env': '# comment\r\nDB_PASSWORD=hunter2!\r\n',
    });
    try {
      const files = new SourceFiles(tree.root);
      const values = sensitiveValues(loadTree(join(tree.root, 'overlays/dev'), files), files);
      expect(values).toEqual(expect.arrayContaining(['abcd', 'hunter2!', 'AccountKey=Zq8xK2vN5mB7']));
      expect(values).not.toContain('info');
    } finally {
      tree.dispose();
    }
  });

  it('still names a missing local resource at its line', () => {
    const tree = writeTree({ 'overlays/dev/kustomization.yaml': 'resources:\n  - ../../nothere.yaml\n' });
    try {
      expect(() => loadTree(join(tree.root, 'overlays/dev'), new SourceFiles(tree.root))).toThrow(
        "resource '../../nothere.yaml' does not exist",
      );
    } finally {
      tree.dispose();
    }
  });
});

describe('source map: fields a patch removed, and objects inside a List', () => {
  let tree: ReturnType<typeof writeTree>;
  let located: LocatedOverlay;
  beforeAll(async () => {
    tree = writeTree({
      'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n  - settings.yaml\n',
      'base/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: app
          image: example.azurecr.io/api:1.0.0
          readinessProbe:
            httpGet: {path: /healthz, port: 8080}
          resources:
            limits:
              memory: 256Mi
`,
      'base/settings.yaml': `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: first
    data:
      A: "1"
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: second
    data:
      B: "2"
`,
      'overlays/dev/kustomization.yaml': `resources:
  - ../../base
namePrefix: dev-
patches:
  - path: no-probe.yaml
  - target:
      kind: Deployment
      name: api
    patch: |-
      - op: remove
        path: /spec/template/spec/containers/0/resources/limits
`,
      'overlays/dev/no-probe.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: app
          readinessProbe: null
`,
    });
    located = await renderAndLocate(tree.root, 'overlays/dev');
  });
  afterAll(() => tree.dispose());

  const container = ['spec', 'template', 'spec', 'containers', 0];

  it('a field set to null by a strategic-merge patch points at that null', () => {
    expect(located.at('Deployment', [...container, 'readinessProbe'])).toBe(
      'overlays/dev/no-probe.yaml:10:11',
    );
  });

  it('a field under a JSON 6902 remove points at the op’s path', () => {
    expect(located.at('Deployment', [...container, 'resources', 'limits', 'memory'])).toBe(
      'overlays/dev/kustomization.yaml:11:15',
    );
  });

  it('a field never set still points at the nearest enclosing node of the definition', () => {
    expect(located.at('Deployment', [...container, 'livenessProbe'])).toBe('base/deployment.yaml:13:11');
  });

  it('an object defined inside a kind: List points at its item', () => {
    expect(located.at('ConfigMap', ['data', 'B'], 'dev-second')).toBe('base/settings.yaml:15:7');
    expect(located.at('ConfigMap', ['data', 'A'], 'dev-first')).toBe('base/settings.yaml:9:7');
  });
});
