import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENV, REPO_ROOT } from '../../scripts/schema/settings.js';

/** The tests describe the defaults: settings from the caller's environment must not change them. */
export function useDefaultSchemaSettings(): void {
  for (const name of [ENV.kubernetesVersion, ENV.schemaLocation, ENV.online]) delete process.env[name];
}

/** Generous: the machine is shared and kubeconform compiles schemas on first use. */
export const TIMEOUT = 30_000;

/** Renders an overlay with the real kustomize (standalone, else kubectl's built-in copy). */
export async function renderOverlay(dir: string): Promise<string> {
  const attempts: [string, string[]][] = [
    ['kustomize', ['build', dir]],
    ['kubectl', ['kustomize', dir]],
  ];
  const failures: string[] = [];
  for (const [command, args] of attempts) {
    try {
      return await run(command, args);
    } catch (error) {
      failures.push(`${command}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }
  throw new Error(
    `cannot render ${dir} (run \`npm run setup\` to see what is missing): ${failures.join('; ')}`,
  );
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: REPO_ROOT, timeout: 60_000, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    );
  });
}

/** A stand-in kubeconform, for the failure modes the real one cannot be made to show. */
export function fakeKubeconform(script: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fake-kubeconform-'));
  const file = join(dir, 'kubeconform');
  writeFileSync(file, `#!/bin/sh\n${script}\n`);
  chmodSync(file, 0o755);
  return file;
}

export function emptyDir(): string {
  return mkdtempSync(join(tmpdir(), 'schema-test-'));
}

/** Documents of the tests, as YAML text. */
export const deployment = (containerExtra = '', specExtra = ''): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: triage
spec:
  selector:
    matchLabels:
      app: web
${specExtra}  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
${containerExtra}`;

/** A CustomResourceDefinition of `example.com/v1 Widget`, whose `spec.size` is an integer and nothing else is allowed. */
export const WIDGET_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names:
    kind: Widget
    plural: widgets
    singular: widget
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            additionalProperties: false
            properties:
              size:
                type: integer
`;
