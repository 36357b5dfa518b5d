import { describe, expect, it } from 'vitest';
import { runMeasured } from '../../scripts/bench/measure.js';
import { processAlive } from '../../scripts/lib/process.js';
import { PACKAGE_ROOT } from '../../scripts/lib/repo.js';
import { tempTrees } from '../helpers/temp-trees.js';
import { kubectl, sharedKubeconfig } from './helpers.js';

/**
 * `validate --server` against the real kube-apiserver of the local control plane (the shared
 * cluster the global setup started): each tree holds one mistake that kubeconform -strict accepts
 * and only the API server rejects, and the finding must name the file and line a person edits.
 */

interface JsonFinding {
  ruleId: string;
  severity: string;
  message: string;
  location: { file: string; line: number; column: number };
}

const temp = tempTrees('triage-server-case');
const tree = temp.tree;

async function validateServer(root: string, extra: string[] = [], env: Record<string, string> = {}) {
  const run = await runMeasured('validate', root, ['--server', '--format', 'json', ...extra, '.'], { env });
  let report: { findings: JsonFinding[]; summary: Record<string, unknown> } | undefined;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    throw new Error(`validate printed no JSON (exit ${run.status}): ${run.stderr}`);
  }
  return { run, report: report as NonNullable<typeof report> };
}

const KUSTOMIZATION = 'namespace: server-check\nresources:\n- objects.yaml\n';
const DEPLOYMENT = (spec: string, template = '') =>
  `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
${spec}  template:
    metadata:
      labels:
        app: web
${template}    spec:
      containers:
      - name: web
        image: registry.example/web:1.0.0
`;

/** One mistake per tree: what the server says, and the file:line it must be reported at. */
const CASES: { name: string; objects: string; message: RegExp; line: number }[] = [
  {
    name: 'a Service with two ports and no port names',
    objects:
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n  - name: http\n    port: 80\n  - port: 443\n',
    message: /spec\.ports\[1\]\.name: Required value/,
    line: 11,
  },
  {
    name: 'a Deployment with strategy Recreate that also sets rollingUpdate',
    objects: DEPLOYMENT('  strategy:\n    type: Recreate\n    rollingUpdate:\n      maxSurge: 1\n'),
    message: /spec\.strategy\.rollingUpdate: Forbidden/,
    line: 12,
  },
  {
    name: 'a container port name longer than 15 characters',
    objects: `${DEPLOYMENT('')}        ports:\n        - name: metrics-and-health\n          containerPort: 9090\n`,
    message: /spec\.template\.spec\.containers\[0\]\.ports\[0\]\.name: Invalid value/,
    line: 19,
  },
  {
    name: 'a ServiceAccount whose name has an upper-case letter',
    objects: 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: Triage-Runner\n',
    message: /metadata\.name: Invalid value/,
    line: 4,
  },
  {
    name: 'a label value longer than 63 characters',
    objects: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  labels:\n    build: ${'x'.repeat(70)}\n`,
    message: /metadata\.labels: Invalid value/,
    line: 5,
  },
  {
    name: 'a volume mount naming no volume',
    objects: `${DEPLOYMENT('')}        volumeMounts:\n        - name: cache\n          mountPath: /cache\n`,
    message: /spec\.template\.spec\.containers\[0\]\.volumeMounts\[0\]\.name: Not found/,
    line: 19,
  },
  {
    name: 'a selector that does not match the template labels',
    objects: DEPLOYMENT('').replace('      app: web\n  template', '      app: website\n  template'),
    message: /spec\.template\.metadata\.labels: Invalid value/,
    line: 12,
  },
  {
    name: 'an Ingress path that is not absolute',
    objects:
      'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\nspec:\n  rules:\n  - http:\n      paths:\n      - path: api\n        pathType: Prefix\n        backend:\n          service:\n            name: web\n            port:\n              number: 80\n',
    message: /spec\.rules\[0\]\.http\.paths\[0\]\.path: Invalid value/,
    line: 9,
  },
  {
    name: 'a CPU request above its limit',
    objects: `${DEPLOYMENT('')}        resources:\n          requests:\n            cpu: "2"\n          limits:\n            cpu: "1"\n`,
    message: /spec\.template\.spec\.containers\[0\]\.resources\.requests: Invalid value/,
    line: 19,
  },
];

describe('validate --server reports what only the API server rejects, at the source line', () => {
  it.concurrent.each(CASES.map((each) => each.name))('%s', async (name) => {
    const testCase = CASES.find((each) => each.name === name) as (typeof CASES)[number];
    const root = tree({ 'kustomization.yaml': KUSTOMIZATION, 'objects.yaml': testCase.objects });
    const { run, report } = await validateServer(root, ['--no-schemas']);
    const server = report.findings.filter((finding) => finding.ruleId === 'server');
    expect(server.map((finding) => finding.message)).toEqual([expect.stringMatching(testCase.message)]);
    expect(server[0]).toMatchObject({
      severity: 'error',
      location: { file: 'objects.yaml', line: testCase.line },
    });
    expect(run.status).toBe(1);
  });

  it("reports the server's warnings as warnings, at the field they name", async () => {
    const objects = DEPLOYMENT(
      '',
      '      annotations:\n        seccomp.security.alpha.kubernetes.io/pod: runtime/default\n',
    );
    const root = tree({ 'kustomization.yaml': KUSTOMIZATION, 'objects.yaml': objects });
    const { report } = await validateServer(root, ['--no-schemas']);
    const server = report.findings.filter((finding) => finding.ruleId === 'server');
    expect(server).toEqual([
      expect.objectContaining({
        severity: 'warning',
        message: expect.stringMatching(
          /^The API server warns: spec\.template\.metadata\.annotations\[seccomp/,
        ),
        location: expect.objectContaining({ file: 'objects.yaml', line: 15 }),
      }),
    ]);
  });

  it('reports two rejected objects in one tree, both', async () => {
    const root = tree({
      'kustomization.yaml': KUSTOMIZATION,
      'objects.yaml': `${CASES[0]?.objects}---\n${CASES[3]?.objects}`,
    });
    const { report } = await validateServer(root, ['--no-schemas']);
    const server = report.findings.filter((finding) => finding.ruleId === 'server');
    expect(server.map((finding) => `${finding.location.file}:${finding.location.line}`).sort()).toEqual([
      'objects.yaml:11',
      'objects.yaml:16',
    ]);
  });

  it("this repository's overlays are clean, on an API server started for the run and stopped after", async () => {
    // No running cluster where this state points: validate starts etcd + kube-apiserver itself
    // (and leaves the shared cluster's `triage` namespace to the suite that owns it).
    const state = temp.dir();
    const { run, report } = await validateServer(PACKAGE_ROOT, [], { TRIAGE_CLUSTER_STATE: state });
    expect(report.findings).toEqual([]);
    expect(report.summary).toMatchObject({ serverChecked: true });
    expect(run.stderr).toMatch(/server: /);
    expect(run.status).toBe(0);
    expect(pidsIn(run.stderr)).toHaveLength(2);
    expect(pidsIn(run.stderr).filter(processAlive)).toEqual([]);
  });
});

describe('validate --server --kubeconfig: against a cluster named by the user, read-only', () => {
  it('catches an immutable-field change against the live object, and creates nothing', async () => {
    const kubeconfig = sharedKubeconfig();
    const namespace = 'server-live';
    kubectl(
      kubeconfig,
      ['apply', '-f', '-'],
      `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${namespace}\n`,
    );
    const live = DEPLOYMENT('');
    kubectl(kubeconfig, ['apply', '-n', namespace, '-f', '-'], live);
    try {
      // The selector of a Deployment cannot change once it exists: only the live object shows that.
      const changed = live.replaceAll('app: web', 'app: web-v2');
      const root = tree({
        'kustomization.yaml': `namespace: ${namespace}\nresources:\n- objects.yaml\n- extra.yaml\n`,
        'objects.yaml': changed,
        'extra.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: not-created\ndata:\n  a: b\n',
      });
      const { report } = await validateServer(root, ['--no-schemas', '--kubeconfig', kubeconfig]);
      const server = report.findings.filter((finding) => finding.ruleId === 'server');
      expect(server).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(/spec\.selector: Invalid value: .*field is immutable/),
          location: expect.objectContaining({ file: 'objects.yaml', line: 7 }),
        }),
      ]);
      // A dry run: the ConfigMap was judged, not stored, and the live Deployment is unchanged.
      expect(() => kubectl(kubeconfig, ['get', 'configmap', 'not-created', '-n', namespace])).toThrow(
        /NotFound/,
      );
      expect(
        kubectl(kubeconfig, [
          'get',
          'deployment',
          'web',
          '-n',
          namespace,
          '-o',
          'jsonpath={.spec.selector.matchLabels.app}',
        ]),
      ).toBe('web');
    } finally {
      kubectl(kubeconfig, ['delete', 'namespace', namespace, '--wait=false']);
    }
  });
});

describe('SERVER NOT CHECKED when the API server cannot run', () => {
  it('says so in every format and, with --require-server, exits 2', async () => {
    const root = tree({ 'kustomization.yaml': KUSTOMIZATION, 'objects.yaml': CASES[3]?.objects ?? '' });
    const empty = temp.dir();
    const env = { TRIAGE_CLUSTER_STATE: empty, TRIAGE_CONTROLPLANE_BINARIES: empty };
    const args = (format: string) => ['--server', '--no-schemas', '--format', format, '.'];
    const [text, json, sarif, required] = await Promise.all([
      runMeasured('validate', root, args('text'), { env }),
      runMeasured('validate', root, args('json'), { env }),
      runMeasured('validate', root, args('sarif'), { env }),
      runMeasured('validate', root, [...args('text'), '--require-server'], { env }),
    ]);
    const reason = 'the local API server is not built: run `npm run cluster -- build` once';
    expect(text?.stdout).toContain(`SERVER NOT CHECKED: ${reason}`);
    expect(JSON.parse(json?.stdout ?? '').summary).toMatchObject({
      serverChecked: false,
      serverSkippedReason: expect.stringContaining(reason),
    });
    const notifications = JSON.parse(sarif?.stdout ?? '').runs[0].invocations[0].toolExecutionNotifications;
    expect(notifications).toContainEqual(
      expect.objectContaining({
        descriptor: { id: 'server' },
        message: { text: expect.stringContaining(reason) },
      }),
    );
    expect(text?.status).toBe(0);
    expect(required?.status).toBe(2);
    expect(required?.stderr).toContain('error: the API server did not check the objects');
  });
});

/** PIDs the run's log names (`pid 1234`), to check none of them outlived the run. */
function pidsIn(log: string): number[] {
  return [...log.matchAll(/pid (\d+)/g)].map((match) => Number(match[1]));
}
