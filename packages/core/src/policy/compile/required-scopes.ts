import type { Policy } from '../policy.js';

/**
 * The scopes one `insufficient_scope` challenge asks for: all of `allOf`, the union over `and`,
 * and for `anyOf` / `or` the first alternative that scopes alone can satisfy (else the first
 * alternative); checks and `not` add nothing. Granting the result makes every scope-only part
 * of the policy pass.
 */
export function requiredScopes(policy: Policy): readonly string[] {
  return Object.freeze([...new Set(collect(policy))]);
}

function collect(policy: Policy): readonly string[] {
  switch (policy.kind) {
    case 'allOf':
      return policy.scopes;
    case 'anyOf':
      return policy.scopes.slice(0, 1);
    case 'and':
      return policy.policies.flatMap(collect);
    case 'rateLimit':
      return collect(policy.policy);
    case 'or': {
      const chosen = policy.policies.find(scopesAlone) ?? policy.policies[0];
      return chosen === undefined ? [] : collect(chosen);
    }
    default:
      return [];
  }
}

/** True when granting the policy's required scopes is enough: no check and no `not` inside. */
function scopesAlone(policy: Policy): boolean {
  switch (policy.kind) {
    case 'check':
    case 'not':
      return false;
    case 'and':
      return policy.policies.every(scopesAlone);
    case 'rateLimit':
      return scopesAlone(policy.policy);
    case 'or':
      return policy.policies.some(scopesAlone);
    default:
      return true;
  }
}
