import type { Policy } from '@valet/core';

/** True when the policy contains a `check`: only then does authorizing need the request's arguments. */
export function usesChecks(policy: Policy): boolean {
  switch (policy.kind) {
    case 'check':
      return true;
    case 'not':
    case 'rateLimit':
      return usesChecks(policy.policy);
    case 'and':
    case 'or':
      return policy.policies.some(usesChecks);
    default:
      return false;
  }
}
