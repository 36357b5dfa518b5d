import { describe, expect, it } from 'vitest';
import type { Resource } from '../../scripts/core/resource.js';
import { createPolicyContext } from '../../scripts/policies/context.js';

/** `count` Services whose `name` reads are counted: a lookup that scans the kind reads every one. */
function countedServices(count: number): { resources: Resource[]; reads: { name: number } } {
  const reads = { name: 0 };
  const resources = Array.from({ length: count }, (_, index) => {
    const name = `svc-${index}`;
    return {
      apiVersion: 'v1',
      kind: 'Service',
      get name() {
        reads.name += 1;
        return name;
      },
      namespace: 'app',
      body: { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'app' } },
      index,
    } as Resource;
  });
  return { resources, reads };
}

describe('createPolicyContext', () => {
  it('finds an object by kind and name without scanning the kind (indexed once)', () => {
    const { resources, reads } = countedServices(2000);
    const ctx = createPolicyContext(resources, { env: 'dev', overlay: 'overlays/dev' });
    reads.name = 0;
    for (let index = 0; index < 2000; index++) {
      expect(ctx.find('Service', `svc-${index}`, 'app')).toBe(resources[index]);
    }
    // A scan per lookup would read 2000 × 2000 names.
    expect(reads.name).toBe(0);
  });

  it('prefers the exact namespace, then a namespace-less object, in rendering order', () => {
    const make = (namespace: string | undefined, index: number): Resource => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'settings',
      ...(namespace === undefined ? {} : { namespace }),
      body: {},
      index,
    });
    const loose = make(undefined, 0);
    const other = make('other', 1);
    const exact = make('app', 2);
    const ctx = createPolicyContext([loose, other, exact], { env: 'dev', overlay: 'o' });
    expect(ctx.find('ConfigMap', 'settings', 'app')).toBe(exact);
    expect(ctx.find('ConfigMap', 'settings', 'third')).toBe(loose);
    expect(ctx.find('ConfigMap', 'settings', undefined)).toBe(loose);
    expect(ctx.find('ConfigMap', 'missing', 'app')).toBeUndefined();
    expect(ctx.find('Secret', 'settings', 'app')).toBeUndefined();
  });
});
