import { expectKind, type Json, list, text } from './json.js';

export interface IngressState {
  name: string;
  /** status.loadBalancer.ingress[0]: where the controller listens, once it has an address. */
  address?: { ip?: string; hostname?: string };
  /** The host of the rule that routes /api, when the rule has one (virtual hosting). */
  ruleHost?: string;
  /** True when spec.tls covers the rule host. */
  tls: boolean;
}

export interface IngressTarget {
  /** Where to send `POST /api/triage`. */
  url: string;
  /** Host header to send when connecting to the address rather than the host name. */
  hostHeader?: string;
}

export function readIngress(ingress: Json): IngressState {
  expectKind(ingress, 'Ingress');
  const first = list(ingress, 'status', 'loadBalancer', 'ingress')[0];
  const ip = text(first, 'ip');
  const hostname = text(first, 'hostname');
  const rules = list(ingress, 'spec', 'rules');
  const apiRule =
    rules.find((rule) =>
      list(rule, 'http', 'paths').some((path) => (text(path, 'path') ?? '/').startsWith('/api')),
    ) ?? rules[0];
  const ruleHost = text(apiRule, 'host');
  const tls =
    ruleHost !== undefined &&
    list(ingress, 'spec', 'tls').some((entry) => list(entry, 'hosts').includes(ruleHost));
  return {
    name: text(ingress, 'metadata', 'name') ?? '?',
    address: ip || hostname ? { ...(ip ? { ip } : {}), ...(hostname ? { hostname } : {}) } : undefined,
    ruleHost,
    tls,
  };
}

/**
 * The URL to load: the load balancer's address, with the rule's host as Host header when the rule
 * has one (the name may not resolve yet, or may resolve elsewhere). Undefined while the ingress
 * has no address.
 */
export function ingressTarget(state: IngressState, path = '/api/triage'): IngressTarget | undefined {
  const address = state.address?.ip ?? state.address?.hostname;
  if (!address) return undefined;
  const scheme = state.tls ? 'https' : 'http';
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `${scheme}://${host}${path}`,
    ...(state.ruleHost && state.ruleHost !== address ? { hostHeader: state.ruleHost } : {}),
  };
}
