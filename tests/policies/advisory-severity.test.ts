import { describe, expect, it } from 'vitest';
import { deploymentPatch, kustomization, runEngine } from './harness.js';

/**
 * The findings issue 13 turned from errors into warnings on trees this repository never saw,
 * checked end to end (the engine applies the severity): the rule stays an error for the rest.
 */
describe('advisory findings are warnings while the rule stays an error', () => {
  it('probes: readiness of a container nothing routes to is a warning; liveness stays an error', async () => {
    const findings = await runEngine('probes', {
      name: 'load generator',
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ resources: ['../../base', 'worker.yaml'] }),
        'overlays/dev/worker.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: loadgen
spec:
  selector:
    matchLabels: {app: loadgen}
  template:
    metadata:
      labels: {app: loadgen}
    spec:
      containers:
        - name: main
          image: triageacr.azurecr.io/loadgen:1.0.0
`,
      },
    });
    expect(findings.map((each) => `${each.severity} ${each.messageId}`).sort()).toEqual([
      'error livenessMissing',
      'warning readinessUnrouted',
    ]);
  });

  it('resources: an init container is a warning, an app container in the same pod an error', async () => {
    const findings = await runEngine('resources', {
      name: 'init and app',
      files: {
        'overlays/dev/kustomization.yaml': kustomization({ patches: ['res.yaml'] }),
        'overlays/dev/res.yaml': deploymentPatch(
          'initContainers:\n  - name: wait\n    image: busybox:1.36.1\n    resources:\n      requests: {cpu: 10m, memory: 16Mi}\ncontainers:\n  - name: backend\n    resources:\n      limits:\n        memory: null',
        ),
      },
    });
    expect(findings.map((each) => `${each.severity} ${each.messageId}`).sort()).toEqual([
      'error memoryLimitMissing',
      'warning initMemoryLimitMissing',
    ]);
    const init = findings.find((each) => each.messageId === 'initMemoryLimitMissing');
    expect(init?.message).toMatch(/^init container wait has no memory limit.*ends\.$/);
  });
});
