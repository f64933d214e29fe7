import { and, type Policy } from '../policy.js';
import type { RateLimit } from '../rate-limit.js';

/**
 * Where a limit may stand: the policy itself, or under `and`s (and other limits) from it, so it
 * counts exactly the calls the policy allows. Under `or` or `not` it would limit a branch, which
 * the request flow cannot tell apart, so the registry refuses it there.
 */
interface Found {
  readonly limits: RateLimit[];
  misplaced: boolean;
}

function walk(policy: Policy, onSpine: boolean, found: Found): void {
  switch (policy.kind) {
    case 'rateLimit':
      if (onSpine) found.limits.push(policy.rateLimit);
      else found.misplaced = true;
      walk(policy.policy, onSpine, found);
      return;
    case 'and':
      for (const child of policy.policies) walk(child, onSpine, found);
      return;
    case 'or':
      for (const child of policy.policies) walk(child, false, found);
      return;
    case 'not':
      walk(policy.policy, false, found);
      return;
    default:
      return;
  }
}

function find(policy: Policy): Found {
  const found: Found = { limits: [], misplaced: false };
  walk(policy, true, found);
  return found;
}

/** What is wrong with the limits of a policy (each a sentence's end), or nothing. */
export function rateLimitProblems(policy: Policy): string[] {
  const { limits, misplaced } = find(policy);
  const problems: string[] = [];
  if (misplaced) {
    problems.push(
      'a rate limit under or() or not() would limit one branch only; put rateLimited() around the whole policy.',
    );
  }
  if (limits.length > 1) {
    problems.push(
      `it has ${limits.length} rate limits (${limits.map((l) => `"${l.spec}"`).join(', ')}); an operation has at most one, so keep one.`,
    );
  }
  return problems;
}

/** The limit of a valid policy (see {@link rateLimitProblems}), if it has one. */
export function operationRateLimit(policy: Policy): RateLimit | undefined {
  return find(policy).limits[0];
}

/** The policy without its limit: who may call, for reasons and the manifest. */
export function withoutRateLimit(policy: Policy): Policy {
  switch (policy.kind) {
    case 'rateLimit':
      return withoutRateLimit(policy.policy);
    case 'and':
      return policy.policies.some(hasLimit) ? and(...policy.policies.map(withoutRateLimit)) : policy;
    default:
      return policy;
  }
}

function hasLimit(policy: Policy): boolean {
  return find(policy).limits.length > 0;
}
