import { knownRuleIds, ruleSettings, severityFor, type ValidateConfig } from '../config/load.js';
import type { Finding, SourceLocation } from '../core/finding.js';
import type { FieldPath, Resource } from '../core/resource.js';
import { displayPath, hideKeysInText } from '../core/secret-keys.js';
import { createPolicyContext, withOptions } from '../policies/context.js';
import { policies, ruleCatalogue } from '../policies/index.js';
import type { Policy, RawFinding } from '../policies/types.js';
import type { RuleMeta } from '../report/types.js';
import { formatMessage } from './messages.js';

/** The rule an exception inside a check turns into: a check that crashes never passes. */
export const POLICY_ERROR_RULE: RuleMeta = {
  id: 'policy-error',
  description: 'A policy check failed to run on an object; the object is treated as not passing.',
  remediation: 'Report the message to the tooling owners; meanwhile check the object by hand.',
  defaultSeverity: 'error',
};

export interface PolicyRunOptions {
  overlay: string;
  env: string;
  config: ValidateConfig;
  controllers: readonly Resource[];
  locate(resource: Resource, path: FieldPath, valueLine?: number): SourceLocation;
}

export function policyRules(): RuleMeta[] {
  return [
    ...policies.map(({ id, description, remediation, defaultSeverity }) => ({
      id,
      description,
      remediation,
      defaultSeverity,
    })),
    POLICY_ERROR_RULE,
  ];
}

/**
 * Each enabled policy's option-only work for these environments (see Policy.prepare), run while
 * kustomize renders. A failure here is left for the check to report on its objects.
 */
export function preparePolicies(config: ValidateConfig, envs: readonly string[]): void {
  for (const env of new Set(envs)) {
    for (const policy of policies) {
      const settings = ruleSettings(config, policy, env);
      if (settings.severity === 'off' || !policy.prepare) continue;
      try {
        policy.prepare(settings.options);
      } catch {
        // The same work fails again inside check, where it becomes a finding on an object.
      }
    }
  }
}

/** Runs every enabled policy on the objects of its kinds and turns what it reports into Findings. */
export async function runPolicies(
  resources: readonly Resource[],
  options: PolicyRunOptions,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  // One index of the overlay's objects for every policy; each sees it with its own options.
  const overlay = createPolicyContext(resources, {
    env: options.env,
    overlay: options.overlay,
    controllers: options.controllers,
    ruleIds: knownRuleIds(ruleCatalogue),
  });
  for (const policy of policies) {
    const settings = ruleSettings(options.config, policy, options.env);
    if (settings.severity === 'off') continue;
    const ctx = withOptions(overlay, settings.options);
    for (const resource of resources) {
      if (!appliesTo(policy, resource)) continue;
      let raw: RawFinding[];
      try {
        const checked = policy.check(resource, ctx);
        // Most checks are synchronous: awaiting only the promises saves a microtask per object and policy.
        raw = checked instanceof Promise ? await checked : checked;
      } catch (error) {
        findings.push(crashFinding(policy, resource, error, options));
        continue;
      }
      for (const each of raw) {
        const path = each.path ?? [];
        const message = formatMessage(policy.messages[each.messageId] ?? each.messageId, each.data);
        findings.push({
          ruleId: policy.id,
          messageId: each.messageId,
          severity: severityFor(policy, each.messageId, settings.severity),
          // The policies show invalid Secret/ConfigMap keys as markers; this holds for any that forgets.
          message: hideKeysInText(resource.body, message),
          remediation: policy.remediation,
          overlay: options.overlay,
          env: options.env,
          object: objectRef(resource),
          field: path.length > 0 ? displayPath(resource.body, path).join('.') : undefined,
          // Located with the real path: the marker names no field of the source.
          location: options.locate(resource, path, each.valueLine),
        });
      }
    }
  }
  return findings;
}

function appliesTo(policy: Policy, resource: Resource): boolean {
  return policy.kinds.includes('*') || policy.kinds.includes(resource.kind);
}

function objectRef(resource: Resource) {
  return {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    namespace: resource.namespace,
    name: resource.name,
  };
}

function crashFinding(
  policy: Policy,
  resource: Resource,
  error: unknown,
  options: PolicyRunOptions,
): Finding {
  const reason = error instanceof Error ? error.message : String(error);
  return {
    ruleId: POLICY_ERROR_RULE.id,
    messageId: 'crashed',
    severity: 'error',
    message: hideKeysInText(
      resource.body,
      `${policy.id} could not check this object: ${reason.split('\n')[0]}`,
    ),
    remediation: POLICY_ERROR_RULE.remediation,
    overlay: options.overlay,
    env: options.env,
    object: objectRef(resource),
    location: options.locate(resource, []),
  };
}
