#!/usr/bin/env node
// A stand-in for kubectl in tests: answers `get … -o json` with the recorded fixtures, and plays
// an HPA that scales out and back in on a clock that starts at the first combined poll.
// FAKE_KUBECTL_SCENARIO: scale (default) | never-scales | no-context | no-address | unknown-metrics | hang
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const scenario = process.env.FAKE_KUBECTL_SCENARIO ?? 'scale';
const stateFile = process.env.FAKE_KUBECTL_STATE;
const scaleOutAfterMs = Number(process.env.FAKE_KUBECTL_SCALE_OUT_MS ?? 1500);
const scaleInAfterMs = Number(process.env.FAKE_KUBECTL_SCALE_IN_MS ?? 4500);

const fixture = (name) => JSON.parse(readFileSync(path.join(fixtures, name), 'utf8'));
const print = (value) => {
  process.stdout.write(`${JSON.stringify(value, null, 4)}\n`);
  process.exit(0);
};
const fail = (message) => {
  process.stderr.write(`${message}\n`);
  process.exit(1);
};

// Drop global flags and output flags: what is left is the verb and its resources.
const args = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i];
  if (arg === '--namespace' || arg === '-n' || arg === '--context' || arg === '-o') i++;
  else if (!arg.startsWith('--')) args.push(arg);
}
const command = args.join(' ');

if (scenario === 'hang') setTimeout(() => {}, 600_000);
else if (command === 'config view') {
  if (scenario === 'no-context') fail('error: current-context must exist in order to minify');
  print(fixture('config-view-minify.json'));
} else if (command === 'get namespace triage') print(fixture('namespace-triage.json'));
else if (command === 'get horizontalpodautoscaler triage-backend-hpa') {
  print(
    fixture(
      scenario === 'unknown-metrics' ? 'hpa-dev-unknown-missing-request.json' : 'hpa-dev-at-minimum.json',
    ),
  );
} else if (command === 'get deployment triage-backend') print(fixture('deployment-dev-at-minimum.json'));
else if (command === 'get configmap triage-config-69cf58mtf2') print(fixture('configmap-dev.json'));
else if (command === 'get configmap') print(fixture('configmap-list-dev.json'));
else if (command === 'get secret triage-secrets-c2bgt5f67k') print(fixture('secret-dev.json'));
else if (command === 'get ingress triage-ingress') {
  print(fixture(scenario === 'no-address' ? 'ingress-dev-no-address.json' : 'ingress-dev-with-ip.json'));
} else if (command === 'get horizontalpodautoscaler/triage-backend-hpa deployment/triage-backend') {
  let startedAt = Date.now();
  if (stateFile && existsSync(stateFile)) startedAt = Number(readFileSync(stateFile, 'utf8'));
  else if (stateFile) writeFileSync(stateFile, String(startedAt));
  const elapsed = Date.now() - startedAt;
  const scaled = scenario === 'scale' && elapsed >= scaleOutAfterMs && elapsed < scaleInAfterMs;
  const hpa = fixture(
    scenario === 'unknown-metrics'
      ? 'hpa-dev-unknown-missing-request.json'
      : scaled
        ? 'hpa-dev-scaling-out.json'
        : 'hpa-dev-at-minimum.json',
  );
  const deployment = fixture(scaled ? 'deployment-dev-scaling-out.json' : 'deployment-dev-at-minimum.json');
  print({ apiVersion: 'v1', items: [hpa, deployment], kind: 'List', metadata: { resourceVersion: '' } });
} else {
  const [, kind = '?', name = '?'] = args;
  fail(`Error from server (NotFound): ${kind} "${name}" not found`);
}
