import { describe, expect, it } from 'vitest';
import { runMeasured } from '../../scripts/bench/measure.js';
import { tempTrees } from '../helpers/temp-trees.js';
import { WIDGET_CRD } from './helpers.js';

/** Custom resources are checked against the CRDs the validated tree renders; a kind with no schema is "not checked". */

const temp = tempTrees('triage-tree-crds');

const WIDGETS = `apiVersion: example.com/v1
kind: Widget
metadata:
  name: good
spec:
  size: 3
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: bad
spec:
  size: large
---
apiVersion: other.example.org/v2
kind: Gadget
metadata:
  name: unknown
spec: {}
`;

interface Report {
  findings: {
    ruleId: string;
    messageId: string;
    severity: string;
    message: string;
    object?: { name: string };
  }[];
}

async function run(config?: string) {
  const root = temp.tree({
    'kustomization.yaml': 'resources:\n- crd.yaml\n- widgets.yaml\n',
    'crd.yaml': WIDGET_CRD,
    'widgets.yaml': WIDGETS,
    ...(config ? { 'validate.config.yaml': config } : {}),
  });
  const result = await runMeasured('validate', root, ['--format', 'json', '.']);
  return (JSON.parse(result.stdout) as Report).findings.filter((finding) => finding.ruleId === 'schema');
}

describe('schemas from the CRDs the tree renders', () => {
  it('checks custom resources against them, and a kind with no schema is a warning that names where it looked', async () => {
    const schema = await run();
    const bad = schema.filter((finding) => finding.object?.name === 'bad');
    expect(bad).toEqual([expect.objectContaining({ messageId: 'invalid', severity: 'error' })]);
    expect(schema.filter((finding) => finding.object?.name === 'good')).toEqual([]);
    const unknown = schema.filter((finding) => finding.object?.name === 'unknown');
    expect(unknown).toEqual([expect.objectContaining({ messageId: 'missingSchema', severity: 'warning' })]);
    expect(unknown[0]?.message).toMatch(
      /^no schema for other\.example\.org\/v2 Gadget, so it was not checked/,
    );
    expect(unknown[0]?.message).toContain('other.example.org/gadget_v2.json');
    expect(unknown[0]?.message).not.toContain('{{');
  });

  it('a kind with no schema is an error when the config says so', async () => {
    const schema = await run('rules:\n  schema:\n    options:\n      missingSchema: error\n');
    const unknown = schema.filter((finding) => finding.object?.name === 'unknown');
    expect(unknown).toEqual([expect.objectContaining({ messageId: 'missingSchema', severity: 'error' })]);
  });
});
