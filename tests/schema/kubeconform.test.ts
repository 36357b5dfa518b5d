import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExitError } from '../../scripts/lib/exit-error.js';
import { checkSchemas, findKubeconform, knownKubeconform } from '../../scripts/schema/kubeconform.js';
import { deployment, emptyDir, fakeKubeconform, TIMEOUT, useDefaultSchemaSettings } from './helpers.js';

// The real kubeconform, installed by `npm run setup`: when it is missing these tests fail, with its how-to.
beforeAll(async () => {
  useDefaultSchemaSettings();
  await findKubeconform();
}, TIMEOUT);

describe('checkSchemas with the real kubeconform', { timeout: TIMEOUT }, () => {
  it('passes a valid Deployment', async () => {
    expect(await checkSchemas(deployment())).toEqual([
      { index: 0, kind: 'Deployment', name: 'web', status: 'valid', message: '', errors: [] },
    ]);
  });

  it('reports an unknown field at the field itself (-strict)', async () => {
    const [result] = await checkSchemas(deployment('          imagePullPolicyy: Always\n'));
    expect(result?.status).toBe('invalid');
    expect(result?.errors).toEqual([
      {
        path: ['spec', 'template', 'spec', 'containers', 0, 'imagePullPolicyy'],
        message: "unknown field 'imagePullPolicyy' (additional property not allowed)",
      },
    ]);
    expect(result?.message).toBe(
      "spec.template.spec.containers[0].imagePullPolicyy: unknown field 'imagePullPolicyy' (additional property not allowed)",
    );
  });

  it('reports a wrong type', async () => {
    const [result] = await checkSchemas(deployment('', '  replicas: "3"\n'));
    expect(result?.status).toBe('invalid');
    expect(result?.errors).toEqual([
      { path: ['spec', 'replicas'], message: 'got string, want null or integer' },
    ]);
  });

  it('reports an int-or-string given a boolean once, at the field', async () => {
    const service = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
    - port: 80
      targetPort: true
`;
    const [result] = await checkSchemas(service);
    expect(result?.errors).toEqual([
      {
        path: ['spec', 'ports', 0, 'targetPort'],
        message:
          'oneOf failed, none matched (got boolean, want null or string; got boolean, want null or integer)',
      },
    ]);
  });

  it('maps every result to its document index, even for objects kubeconform cannot tell apart', async () => {
    // Same kind and name in two namespaces, empty documents in between, a kind without a schema: the index
    // counts non-empty documents, as the parse stage does.
    const stream = `---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: a}
data: {mode: fast}
---
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: b}
data: {mode: 1}
---
# only a comment
---
${deployment()}---
apiVersion: example.com/v1
kind: Widget
metadata: {name: gadget}
`;
    // One worker reads a single stream in order; more workers get a file per document. Both map alike.
    for (const workers of [1, 2]) {
      const results = await checkSchemas(stream, { workers });
      expect(results.map(({ index, kind, name, status }) => ({ index, kind, name, status }))).toEqual([
        { index: 0, kind: 'ConfigMap', name: 'settings', status: 'valid' },
        { index: 1, kind: 'ConfigMap', name: 'settings', status: 'invalid' },
        { index: 2, kind: 'Deployment', name: 'web', status: 'valid' },
        { index: 3, kind: 'Widget', name: 'gadget', status: 'error' },
      ]);
      expect(results[1]?.errors).toEqual([
        { path: ['data', 'mode'], message: 'got number, want null or string' },
      ]);
    }
  });

  it('makes a missing schema a finding that says where to add it, never a skip', async () => {
    const [result] = await checkSchemas(
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: gadget}\n',
    );
    expect(result?.status).toBe('error');
    expect(result?.message).toMatch(
      /^no schema for example\.com\/v1 Widget, so it was not checked: looked in the CRDs the tree renders and at \.cache\/schemas\/kubernetes\//,
    );
    expect(result?.message).toContain('render its CustomResourceDefinition in the tree');
    expect(result?.message).not.toContain('{{');
  });

  it('reports duplicate keys (-strict) as an error of that document', async () => {
    const [result] = await checkSchemas(
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: x, k: y}\n',
    );
    expect(result?.status).toBe('error');
    expect(result?.message).toContain('already set in map');
  });

  it('returns no results for an empty stream', async () => {
    expect(await checkSchemas('---\n# nothing\n')).toEqual([]);
  });

  it('validates against another Kubernetes version on request', async () => {
    await expect(checkSchemas(deployment(), { kubernetesVersion: '1.20' })).rejects.toThrow(
      /no Kubernetes 1\.20\.0 schemas at \.cache\/schemas\/kubernetes\/v1\.20\.0-local-strict: run `npm run setup`/,
    );
  });

  it('uses an explicit schema location', async () => {
    const results = await checkSchemas(deployment(), { schemaLocations: [emptyDir()] });
    expect(results[0]?.status).toBe('error');
    expect(results[0]?.message).toMatch(/^no schema for apps\/v1 Deployment/);
  });
});

describe('checkSchemas failures', { timeout: TIMEOUT }, () => {
  it('turns an exit code other than 0 or 1 into an ExitError', async () => {
    const binary = fakeKubeconform('echo "boom" >&2; exit 3');
    await expect(checkSchemas(deployment(), { binary })).rejects.toThrow(/failed with exit code 3: boom/);
  });

  it('turns exit 1 without a JSON report (refused arguments) into an ExitError', async () => {
    const binary = fakeKubeconform('echo "failed initialising schema location registry" >&2; exit 1');
    await expect(checkSchemas(deployment(), { binary })).rejects.toThrow(/schema location registry/);
  });

  it('bounds the run with a timeout', async () => {
    const binary = fakeKubeconform('sleep 5');
    await expect(checkSchemas(deployment(), { binary, timeoutMs: 300 })).rejects.toThrow(
      'kubeconform did not finish within 0.3 s',
    );
  });

  it('never fails open: a document kubeconform says nothing about is an error', async () => {
    const binary = fakeKubeconform('echo \'{"resources": []}\'');
    expect(await checkSchemas(deployment(), { binary })).toEqual([
      {
        index: 0,
        kind: 'Deployment',
        name: 'web',
        status: 'error',
        message: 'kubeconform reported no result for this document',
        errors: [],
      },
    ]);
  });
});

describe('findKubeconform', () => {
  it('explains how to get kubeconform when it is nowhere', async () => {
    const dir = emptyDir();
    const error = await findKubeconform({ env: { PATH: dir }, cwd: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExitError);
    expect((error as ExitError).code).toBe(2);
    expect((error as ExitError).message).toBe(
      'kubeconform v0.7.0 not found (looked at $KUBECONFORM, PATH and .tools/bin/kubeconform): run `npm run setup` ' +
        '(installs it into .tools/bin), or set KUBECONFORM=/path/to/kubeconform',
    );
  });

  it('prefers $KUBECONFORM and rejects one that is not executable', async () => {
    const dir = emptyDir();
    await expect(
      findKubeconform({ env: { KUBECONFORM: join(dir, 'nope'), PATH: '' }, cwd: dir }),
    ).rejects.toThrow(/KUBECONFORM=.*nope is not an executable file/);
  });

  it('finds it on PATH before .tools/bin', async () => {
    const fake = fakeKubeconform('echo v0.7.0');
    const dir = fake.replace(/\/kubeconform$/, '');
    expect(await findKubeconform({ env: { PATH: dir }, cwd: emptyDir() })).toBe(fake);
  });

  it('rejects another version than the pinned one', async () => {
    const fake = fakeKubeconform('echo v0.6.7');
    await expect(findKubeconform({ env: { KUBECONFORM: fake }, cwd: emptyDir() })).rejects.toThrow(
      /is kubeconform v0\.6\.7, this repository pins v0\.7\.0/,
    );
  });

  it('remembers the version per file: the next run starts at once, a replaced file is asked again', async () => {
    const cwd = emptyDir();
    const fake = fakeKubeconform('echo v0.7.0');
    const env = { KUBECONFORM: fake, PATH: '' };
    expect(knownKubeconform({ env, cwd })).toBeUndefined();
    expect(await findKubeconform({ env, cwd })).toBe(fake);
    expect(knownKubeconform({ env, cwd })).toBe(fake);
    // Replaced by another version: its size and time differ, so its -v is asked again, and refused.
    writeFileSync(fake, '#!/bin/sh\necho v0.6.7 # another build\n');
    expect(knownKubeconform({ env, cwd })).toBeUndefined();
    await expect(findKubeconform({ env: { ...env, PATH: '/nowhere' }, cwd })).rejects.toThrow(
      /is kubeconform v0\.6\.7/,
    );
  });
});
