import type { Resource } from '../core/resource.js';
import type { PolicyContext, PolicyOptions } from './types.js';

export interface PolicyContextInit {
  env: string;
  overlay: string;
  /** The policy's resolved options (see `ruleSettings`); `withOptions` swaps them per policy. */
  options?: PolicyOptions;
  /** The Argo CD Applications and Flux Kustomizations that sync this overlay. */
  controllers?: readonly Resource[];
  /**
   * Every rule id known to the run (the engine passes `knownRuleIds(ruleCatalogue)`), for
   * suppression-reason. Without it no rule id is known: this layer reads no global catalogue.
   */
  ruleIds?: Iterable<string>;
}

/**
 * Builds the context once per overlay: an index of the rendered objects by kind, and by kind and
 * name, so that a policy looking up the object another one names does not scan the kind per object.
 */
export function createPolicyContext(resources: readonly Resource[], init: PolicyContextInit): PolicyContext {
  const byKind = new Map<string, Resource[]>();
  const byKindAndName = new Map<string, Map<string, Resource[]>>();
  for (const resource of resources) {
    const list = byKind.get(resource.kind) ?? [];
    list.push(resource);
    byKind.set(resource.kind, list);
    const names = byKindAndName.get(resource.kind) ?? new Map<string, Resource[]>();
    byKindAndName.set(resource.kind, names);
    const named = names.get(resource.name) ?? [];
    named.push(resource);
    names.set(resource.name, named);
  }
  const inNamespace = (resource: Resource, namespace: string | undefined) =>
    namespace === undefined || resource.namespace === undefined || resource.namespace === namespace;
  return {
    env: init.env,
    overlay: init.overlay,
    options: init.options ?? {},
    resources,
    controllers: init.controllers ?? [],
    ruleIds: new Set(init.ruleIds ?? []),
    find(kind, name, namespace) {
      // In rendering order, as a scan of the kind would find them.
      const candidates = byKindAndName.get(kind)?.get(name) ?? [];
      // An exact namespace match wins over a namespace-less object of the same name.
      return (
        candidates.find((each) => each.namespace === namespace) ??
        candidates.find((each) => inNamespace(each, namespace))
      );
    },
    findAll(kind, namespace) {
      return (byKind.get(kind) ?? []).filter((each) => inNamespace(each, namespace));
    },
  };
}

/** The same overlay context with another policy's options. */
export function withOptions<O extends PolicyOptions>(ctx: PolicyContext, options: O): PolicyContext<O> {
  return { ...ctx, options };
}
