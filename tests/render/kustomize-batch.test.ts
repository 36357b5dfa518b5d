import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateTree } from '../../scripts/bench/generate-tree.js';
import { writeFiles } from '../../scripts/bench/hostile-trees.js';
import { renderQueue } from '../../scripts/engine/renders.js';
import { ExitError } from '../../scripts/lib/exit-error.js';
import { processAlive, runProcess } from '../../scripts/lib/process.js';
import { PACKAGE_ROOT } from '../../scripts/lib/repo.js';
import { openBatch } from '../../scripts/render/batch.js';
import {
  type FinishedRender,
  judgeRender,
  openRenders,
  renderedText,
} from '../../scripts/render/kustomize.js';
import { parseRenderedStream, renderedFromDocuments } from '../../scripts/render/parse.js';
import { BATCH_SOURCE_DIR, findKustomize, findKustomizeCli } from '../../scripts/render/tools.js';
import { SourceFiles } from '../../scripts/sourcemap/files.js';
import { loadTree } from '../../scripts/sourcemap/tree.js';
import { tempTrees } from '../helpers/temp-trees.js';

/**
 * kustomize-batch (the kustomize library in one process) must render exactly what `kubectl
 * kustomize` renders, byte for byte, and hand over the objects a YAML 1.2 reader would read from
 * that output: every tree here is rendered both ways and compared.
 */
const TIMEOUT = 60_000;
const trees = tempTrees('kustomize-batch');

/** What the kustomize CLI prints for `dir`, as a user runs it. */
async function cliRender(dir: string): Promise<{ code: number | undefined; stdout: string; stderr: string }> {
  const cli = await findKustomizeCli();
  const [binary, ...args] = cli.command as [string, ...string[]];
  return runProcess(binary, [...args, dir], { timeoutMs: TIMEOUT });
}

/** Every render through one kustomize-batch, in this order. */
async function batchRenders(dirs: string[]): Promise<FinishedRender[]> {
  const renders = openRenders();
  const pending = dirs.map((dir) => renders.render(dir));
  renders.close();
  return Promise.all(pending);
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  annotations:
    note: "multi\\nline"
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: registry.example/api:1.0
          args: ["--port", "8080", "--ratio=0.5"]
          env:
            - {name: OCTAL, value: "0755"}
            - {name: FLAG, value: "yes"}
            - {name: EMPTY, value: ""}
          resources: {requests: {cpu: 100m, memory: 64Mi}}
`;

/**
 * Values whose types a reader can get wrong: ints, floats, hex, bools, nulls, timestamps, block text
 * (not .inf or .nan: kustomize itself cannot render them).
 */
const TYPES = `apiVersion: example.com/v1
kind: Widget
metadata:
  name: types
spec:
  int: 42
  negative: -7
  float: 2.5
  exponent: 1e3
  hex: 0x1F
  octal: 0o14
  bool: true
  nothing: null
  tilde: ~
  date: 2001-12-14
  stamp: 2001-12-14t21:59:43.10-05:00
  quotedNumber: "12"
  yesString: yes
  big: 12345678901234567890
  empty: {}
  none: []
  unicode: "héllo ✓"
  block: |
    line one
      indented "quoted" \\ back
  folded: >
    folded
    text
`;

const FEATURES = {
  'base/deployment.yaml': DEPLOYMENT,
  'base/widget.yaml': TYPES,
  'base/service.yaml':
    'apiVersion: v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  selector: {app: api}\n  ports: [{port: 80, targetPort: 8080}]\n',
  'base/kustomization.yaml': `resources: [deployment.yaml, service.yaml, widget.yaml]
configMapGenerator:
  - name: settings
    literals: [LOG_LEVEL=info, THREADS=4]
secretGenerator:
  - name: creds
    literals: [token=not-a-real-token]
`,
  'components/extra/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
patches:
  - patch: |-
      - op: add
        path: /metadata/labels
        value: {component: extra}
    target: {kind: Service}
`,
  'overlays/dev/replicas.yaml':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 3\n',
  'overlays/dev/kustomization.yaml': `namespace: dev
namePrefix: dev-
nameSuffix: -v1
labels:
  - pairs: {team: triage}
    includeSelectors: false
resources: [../../base]
components: [../../components/extra]
buildMetadata: [originAnnotations]
images:
  - name: registry.example/api
    newTag: "2.0"
replicas:
  - name: api
    count: 2
patches:
  - path: replicas.yaml
replacements:
  - source: {kind: Service, name: api, fieldPath: metadata.name}
    targets:
      - select: {kind: Deployment}
        fieldPaths: [metadata.annotations.service]
        options: {create: true}
`,
  'overlays/sorted/kustomization.yaml': `resources: [../../base]
sortOptions:
  order: fifo
`,
};

describe('kustomize-batch', () => {
  it('is what validate renders with here (npm run setup built it from these sources)', async () => {
    const engine = await findKustomize();
    expect(engine.kind, 'kustomize-batch is built by npm run setup; CI runs it').toBe('batch');
    if (engine.kind !== 'batch') return;
    const hash = createHash('sha256');
    for (const name of ['main.go', 'go.mod', 'go.sum', 'default.pgo'])
      hash.update(readFileSync(join(BATCH_SOURCE_DIR, name)));
    // Named by its sources' hash: a binary built from other sources is never found.
    expect(engine.binary).toContain(`/${hash.digest('hex').slice(0, 16)}/`);
    const version = await runProcess(engine.binary, ['-version'], { timeoutMs: TIMEOUT });
    expect(engine.version).toBe(`sigs.k8s.io/kustomize/api ${version.stdout.trim()}`);
  });

  it(
    'renders byte for byte what kubectl kustomize renders, and the same objects',
    async () => {
      const features = trees.dir();
      writeFiles(features, FEATURES);
      const generated = trees.dir();
      generateTree(generated, 3, 2);
      const dirs = [
        join(PACKAGE_ROOT, 'overlays', 'dev'),
        join(PACKAGE_ROOT, 'overlays', 'prod'),
        join(PACKAGE_ROOT, 'tests', 'fixtures', 'policies', 'app', 'overlays', 'prod'),
        join(features, 'overlays', 'dev'),
        join(features, 'overlays', 'sorted'),
        join(features, 'base'),
        join(generated, 'overlays', 'env0'),
        join(generated, 'overlays', 'env2'),
      ];
      const batch = await batchRenders(dirs);
      for (const [index, dir] of dirs.entries()) {
        const cli = await cliRender(dir);
        expect(cli.code, cli.stderr).toBe(0);
        const render = batch[index] as FinishedRender;
        expect(render.documents, dir).toBeDefined();
        expect(renderedText(render), dir).toBe(cli.stdout);
        const fromBatch = renderedFromDocuments(render.documents ?? [], dir);
        const fromCli = parseRenderedStream(cli.stdout, dir);
        expect(fromBatch.resources.map((each) => each.body)).toEqual(
          fromCli.resources.map((each) => each.body),
        );
        expect(fromBatch.origins).toEqual(fromCli.origins);
        expect(fromBatch.texts.join('---\n')).toBe(cli.stdout);
      }
      // The features tree really exercised what it lists (a typo would compare two empty renders).
      const dev = renderedFromDocuments(batch[3]?.documents ?? [], 'dev').resources;
      expect(dev.map((each) => `${each.kind}/${each.name}`)).toContain('Deployment/dev-api-v1');
      expect(dev.find((each) => each.kind === 'Widget')?.body.spec).toMatchObject({
        int: 42,
        hex: 31,
        // kustomize writes its output through JSON: an unquoted date comes out as a timestamp.
        date: '2001-12-14T00:00:00Z',
        yesString: 'yes',
      });
    },
    TIMEOUT,
  );

  it(
    'fails a broken kustomization with the message kubectl kustomize gives',
    async () => {
      const root = trees.dir();
      writeFiles(root, {
        'missing/kustomization.yaml': 'resources: [nowhere.yaml]\n',
        'conflict/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: same\n',
        'conflict/b.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: same\n',
        'conflict/kustomization.yaml': 'resources: [a.yaml, b.yaml]\n',
      });
      for (const name of ['missing', 'conflict']) {
        const dir = join(root, name);
        const [render] = await batchRenders([dir]);
        const cli = await cliRender(dir);
        expect(cli.code).not.toBe(0);
        const message = (run: () => void) => {
          try {
            run();
          } catch (error) {
            return error instanceof ExitError ? error.format() : String(error);
          }
          return 'no error';
        };
        const viaBatch = message(() => judgeRender(render as FinishedRender, { root }));
        const viaCli = message(() =>
          judgeRender(
            {
              dir,
              binary: 'kubectl',
              timeoutMs: TIMEOUT,
              result: { ...cli, timedOut: false, truncated: false },
            },
            { root },
          ),
        );
        expect(viaBatch).toMatch(/kustomize could not build it/);
        expect(viaBatch).toBe(viaCli);
      }
    },
    TIMEOUT,
  );

  it(
    "keeps one tree's custom OpenAPI schema from changing how the next tree renders",
    async () => {
      const root = trees.dir();
      // With this schema, a list of `items` merges by name; without it, a patch replaces the list.
      const schema = {
        definitions: {
          'v1alpha1.Shelf': {
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: { type: 'object' },
              spec: {
                properties: {
                  items: {
                    items: {
                      properties: { name: { type: 'string' }, size: { type: 'integer' } },
                      type: 'object',
                    },
                    type: 'array',
                    'x-kubernetes-patch-merge-key': 'name',
                    'x-kubernetes-patch-strategy': 'merge',
                  },
                },
                type: 'object',
              },
            },
            type: 'object',
            'x-kubernetes-group-version-kind': [{ group: 'example.com', kind: 'Shelf', version: 'v1alpha1' }],
          },
        },
      };
      const shelf =
        'apiVersion: example.com/v1alpha1\nkind: Shelf\nmetadata:\n  name: s\nspec:\n  items:\n  - {name: a, size: 1}\n  - {name: b, size: 2}\n';
      const patch =
        'apiVersion: example.com/v1alpha1\nkind: Shelf\nmetadata:\n  name: s\nspec:\n  items:\n  - {name: b, size: 3}\n';
      writeFiles(root, {
        'custom/schema.json': JSON.stringify(schema),
        'custom/shelf.yaml': shelf,
        'custom/patch.yaml': patch,
        'custom/kustomization.yaml':
          'openapi:\n  path: schema.json\nresources: [shelf.yaml]\npatches: [{path: patch.yaml}]\n',
        'plain/shelf.yaml': shelf,
        'plain/patch.yaml': patch,
        'plain/kustomization.yaml': 'resources: [shelf.yaml]\npatches: [{path: patch.yaml}]\n',
      });
      const expected = await Promise.all(['custom', 'plain'].map((name) => cliRender(join(root, name))));
      // The schema really changes the render: a leak would show.
      expect(expected[0]?.stdout).not.toBe(expected[1]?.stdout);

      const files = new SourceFiles(root);
      const queue = renderQueue();
      const outcomes = ['custom', 'plain', 'custom', 'plain'].map((name) => {
        files.allowTree(join(root, name));
        return queue.start(loadTree(join(root, name), files));
      });
      queue.close();
      for (const [index, outcome] of (await Promise.all(outcomes)).entries()) {
        expect('render' in outcome).toBe(true);
        if (!('render' in outcome)) continue;
        expect(renderedText(outcome.render)).toBe(expected[index % 2]?.stdout);
      }

      // Without the reset kustomize keeps the schema for the rest of the process (why `isolate` exists).
      const engine = await findKustomize();
      if (engine.kind !== 'batch') throw new Error('kustomize-batch is not built');
      const leaky = openBatch(engine.binary, { timeoutMs: TIMEOUT, maxBytes: 1 << 20 });
      const both = [leaky.render(join(root, 'custom')), leaky.render(join(root, 'plain'))];
      leaky.close();
      const [, plainAfterCustom] = await Promise.all(both);
      expect(renderedText(plainAfterCustom as FinishedRender)).toBe(expected[0]?.stdout);
    },
    TIMEOUT,
  );

  it(
    'refuses an output over its limit rather than cutting it',
    async () => {
      const engine = await findKustomize();
      if (engine.kind !== 'batch') throw new Error('kustomize-batch is not built');
      const batch = openBatch(engine.binary, { timeoutMs: TIMEOUT, maxBytes: 500 });
      const render = await batch.render(join(PACKAGE_ROOT, 'overlays', 'dev'));
      batch.close();
      expect(render.documents).toBeUndefined();
      expect(() => judgeRender(render, { root: PACKAGE_ROOT })).toThrow(/kustomize printed more than/);
    },
    TIMEOUT,
  );
});

describe('kustomize-batch built with profile-guided optimisation', () => {
  it('was built by setup with the committed default.pgo', async () => {
    const engine = await findKustomize();
    if (engine.kind !== 'batch') throw new Error('kustomize-batch is not built');
    // The build settings Go records in the binary name the profile it was optimised with.
    const info = await runProcess('go', ['version', '-m', engine.binary], { timeoutMs: TIMEOUT });
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/^\s*build\s+-pgo=.*default\.pgo$/m);
  });

  it(
    'writes the CPU profile profile.sh merges into default.pgo, and renders as without it',
    async () => {
      const engine = await findKustomize();
      if (engine.kind !== 'batch') throw new Error('kustomize-batch is not built');
      const dir = trees.dir();
      const profile = join(dir, 'run.pprof');
      const input = `${JSON.stringify({ dir: join(PACKAGE_ROOT, 'overlays', 'dev') })}\n`;
      const [profiled, plain] = await Promise.all([
        runProcess(engine.binary, ['-cpuprofile', profile], { timeoutMs: TIMEOUT, input }),
        runProcess(engine.binary, [], { timeoutMs: TIMEOUT, input }),
      ]);
      expect(profiled.code).toBe(0);
      expect(profiled.stdout).toBe(plain.stdout);
      expect(JSON.parse(profiled.stdout).documents.length).toBeGreaterThan(5);
      // A pprof profile is gzip-compressed protobuf; `go tool pprof` reads it back.
      expect(readFileSync(profile).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
      const top = await runProcess('go', ['tool', 'pprof', '-top', engine.binary, profile], {
        timeoutMs: TIMEOUT,
      });
      expect(top.code).toBe(0);
      expect(top.stdout).toMatch(/Type: cpu/);
      const unwritable = await runProcess(engine.binary, ['-cpuprofile', join(dir, 'no', 'such', 'f')], {
        timeoutMs: TIMEOUT,
        input,
      });
      expect(unwritable.code).toBe(2);
      expect(unwritable.stderr).toMatch(/^kustomize-batch: open .*no such file or directory\n$/);
    },
    TIMEOUT,
  );
});

describe('a kustomize-batch that misbehaves', () => {
  /** A stand-in for the binary: a shell script that does what the test needs, and nothing else. */
  function script(body: string): string {
    const dir = trees.dir();
    const path = join(dir, 'kustomize-batch');
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  }

  /** The first render the stand-in answers (or fails), and how long it took. */
  async function firstRender(body: string, timeoutMs = TIMEOUT) {
    const batch = openBatch(script(body), { timeoutMs, maxBytes: 1 << 20 });
    const started = performance.now();
    const render = await batch.render('/tmp/anything');
    batch.close();
    return { render, ms: performance.now() - started };
  }

  it('is killed when it answers nothing within the render timeout, and says so', async () => {
    const pidFile = join(trees.dir(), 'pid');
    const { render, ms } = await firstRender(`echo $$ > ${pidFile}\nexec sleep 600`, 300);
    expect(ms).toBeLessThan(3000);
    expect(() => judgeRender(render, { root: '/tmp' })).toThrow(/did not finish within 0.3s/);
    expect(processAlive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('ending before it answers fails each pending render with one line, no trace', async () => {
    const { render } = await firstRender('echo "panic: something deep" >&2\nexit 3');
    expect(() => judgeRender(render, { root: '/tmp' })).toThrow(
      /kustomize could not build it: kustomize-batch exited with code 3 before it rendered this$/,
    );
  });

  it('an answer that is not JSON fails that render', async () => {
    const { render } = await firstRender('read line\necho "not json"\nsleep 1');
    expect(() => judgeRender(render, { root: '/tmp' })).toThrow(/answered with something other than JSON/);
  });
});
