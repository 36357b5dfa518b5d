import { describe, expect, it } from 'vitest';
import {
  fromValidationErrors,
  hideSchemaKeys,
  parseValidationMessage,
  pointerToPath,
} from '../../scripts/schema/errors.js';

// Messages exactly as kubeconform v0.7.0 prints them (captured from the real binary).
const PREFIX =
  "problem validating schema. Check JSON formatting: jsonschema validation failed with 'file:///s.json#'";

describe('parseValidationMessage', () => {
  it('keeps the leaves of a nested tree and drops the "validation failed" aggregates', () => {
    const msg =
      `${PREFIX} - at '/metadata/annotations/azure.workload.identity~1client-id': got number, want null or string` +
      " - at '/spec': validation failed   - at '/spec/replicas': got string, want null or integer" +
      "   - at '/spec/template/spec/containers/0': validation failed" +
      "     - at '/spec/template/spec/containers/0/ports/0/containerPort': got string, want integer" +
      "     - at '/spec/template/spec/containers/0': additional properties 'foo', 'imagePullPolicyy' not allowed";
    const body = {
      metadata: { annotations: { 'azure.workload.identity/client-id': 5 } },
      spec: { replicas: 'two', template: { spec: { containers: [{ ports: [{ containerPort: '80' }] }] } } },
    };
    expect(parseValidationMessage(msg, body)).toEqual([
      {
        path: ['metadata', 'annotations', 'azure.workload.identity/client-id'],
        message: 'got number, want null or string',
      },
      { path: ['spec', 'replicas'], message: 'got string, want null or integer' },
      {
        path: ['spec', 'template', 'spec', 'containers', 0, 'foo'],
        message: "unknown field 'foo' (additional property not allowed)",
      },
      {
        path: ['spec', 'template', 'spec', 'containers', 0, 'imagePullPolicyy'],
        message: "unknown field 'imagePullPolicyy' (additional property not allowed)",
      },
      {
        path: ['spec', 'template', 'spec', 'containers', 0, 'ports', 0, 'containerPort'],
        message: 'got string, want integer',
      },
    ]);
  });

  it('reports a oneOf once, at the field, with the alternatives as detail', () => {
    const msg =
      `${PREFIX} - at '/spec/ports/0/targetPort': oneOf failed, none matched` +
      "   - at '/spec/ports/0/targetPort': got boolean, want null or string" +
      "   - at '/spec/ports/0/targetPort': got boolean, want null or integer";
    expect(parseValidationMessage(msg, { spec: { ports: [{ targetPort: true }] } })).toEqual([
      {
        path: ['spec', 'ports', 0, 'targetPort'],
        message:
          'oneOf failed, none matched (got boolean, want null or string; got boolean, want null or integer)',
      },
    ]);
  });

  it('reads flat trees (draft-4 CRD schemas) too', () => {
    const msg =
      `${PREFIX} - at '/spec/secretObjects/0/data/0': additional properties 'extra' not allowed` +
      " - at '/spec/parameters/usePodIdentity': got boolean, want string" +
      " - at '/spec': additional properties 'rotation' not allowed";
    expect(parseValidationMessage(msg).map((error) => error.path)).toEqual([
      ['spec', 'parameters', 'usePodIdentity'],
      ['spec', 'rotation'],
      ['spec', 'secretObjects', 0, 'data', 0, 'extra'],
    ]);
  });

  it('returns nothing for a message without a tree', () => {
    expect(parseValidationMessage('could not find schema for Widget')).toEqual([]);
  });
});

describe('pointerToPath', () => {
  it('unescapes ~1 and ~0', () => {
    expect(pointerToPath('/a~1b/c~0d')).toEqual(['a/b', 'c~d']);
  });

  it('makes a segment a number only where the document has a list', () => {
    const body = { data: { '0': 'x' }, items: ['a'] };
    expect(pointerToPath('/data/0', body)).toEqual(['data', '0']);
    expect(pointerToPath('/items/0', body)).toEqual(['items', 0]);
  });

  it('is the root for an empty pointer', () => {
    expect(pointerToPath('')).toEqual([]);
  });
});

describe('fromValidationErrors', () => {
  it('rejoins keys that contain a slash, as kubeconform does not escape them there', () => {
    const body = { metadata: { annotations: { 'azure.workload.identity/client-id': 5 } } };
    expect(
      fromValidationErrors(
        [{ path: '/metadata/annotations/azure.workload.identity/client-id', msg: 'got number, want string' }],
        body,
      ),
    ).toEqual([
      {
        path: ['metadata', 'annotations', 'azure.workload.identity/client-id'],
        message: 'got number, want string',
      },
    ]);
  });
});

describe('Secret keys the API server would refuse (they may carry a value)', () => {
  // One key holds `': `, which ends a pointer in kubeconform's text; one is `KEY=value` written as a key.
  const quoted = "A': planted-Qw1Rt";
  const assigned = 'DB_PASS=planted-Zx2Vb';
  const secret = { apiVersion: 'v1', kind: 'Secret', data: { [quoted]: 1, [assigned]: 2, ok: 3 } };

  it('never quotes them in a message, and keeps the real key in the path the finding is located by', () => {
    const msg =
      `${PREFIX} - at '/data': validation failed` +
      `   - at '/data/${quoted}': got number, want null or string` +
      `   - at '/data/${assigned}': got number, want null or string` +
      "   - at '/data/ok': got number, want null or string";
    const errors = parseValidationMessage(msg, secret);
    expect(errors.map((error) => error.path).sort()).toEqual(
      [
        ['data', assigned],
        ['data', quoted],
        ['data', 'ok'],
      ].sort(),
    );
    for (const error of errors) expect(error.message).toBe('got number, want null or string');
    expect(JSON.stringify(errors.map((error) => error.message))).not.toContain('planted');
  });

  it('hides them in validationErrors too, and gives the path its real key back', () => {
    const errors = fromValidationErrors(
      [{ path: `/data/${assigned}`, msg: `'/data/${assigned}' got number, want string` }],
      secret,
    );
    expect(errors).toEqual([
      { path: ['data', assigned], message: "'/data/<redacted: invalid key 2>' got number, want string" },
    ]);
  });

  it('hides them in any kubeconform text, a short key too inside a pointer', () => {
    const short = { kind: 'Secret', stringData: { 'a b': 'x' } };
    expect(hideSchemaKeys("- at '/stringData/a b': got number; a b", short)).toBe(
      "- at '/stringData/<redacted: invalid key 1>': got number; a b",
    );
    expect(hideSchemaKeys(`error near ${assigned}`, secret)).toBe('error near <redacted: invalid key 2>');
    // A Deployment has no data keys: nothing to hide.
    expect(hideSchemaKeys("at '/data/a b'", { kind: 'Deployment', data: { 'a b': 1 } })).toBe(
      "at '/data/a b'",
    );
  });
});
