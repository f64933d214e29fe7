import type { Policy } from './policy.js';
import { describeRateLimit } from './rate-limit.js';

type Context = 'top' | 'and' | 'or';

/**
 * A policy in words, for manifests, logs and denial reasons: scopes and check names joined by
 * `and` / `or`, parentheses where `and` and `or` meet, `not (...)` for negation.
 *
 * @example
 * ```ts
 * describePolicy(and(allOf('files:write'), or(allOf('admin'), check('owner-of-path', isOwner))));
 * // 'files:write and (admin or owner-of-path)'
 * describePolicy(publicAccess());   // 'public'
 * describePolicy(authenticated());  // 'any valid token'
 * describePolicy(rateLimited(allOf('search:read'), '60/m'));
 * // 'search:read, at most 60 per minute per caller'
 * ```
 */
export function describePolicy(policy: Policy): string {
  return words(policy, 'top');
}

function words(policy: Policy, context: Context): string {
  switch (policy.kind) {
    case 'public':
      return 'public';
    case 'authenticated':
      return 'any valid token';
    case 'check':
      return policy.name;
    case 'not':
      return `not (${words(policy.policy, 'top')})`;
    case 'rateLimit': {
      const text = `${words(policy.policy, 'top')}, ${describeRateLimit(policy.rateLimit)}`;
      return context === 'top' ? text : `(${text})`;
    }
    case 'allOf':
      return join(policy.scopes, 'and', context);
    case 'anyOf':
      return join(policy.scopes, 'or', context);
    case 'and':
      return join(
        policy.policies.map((child) => words(child, 'and')),
        'and',
        context,
      );
    case 'or':
      return join(
        policy.policies.map((child) => words(child, 'or')),
        'or',
        context,
      );
  }
}

function join(parts: readonly string[], operator: 'and' | 'or', context: Context): string {
  if (parts.length === 0) return operator === 'and' ? 'any valid token' : 'nothing';
  const text = parts.join(` ${operator} `);
  return parts.length > 1 && context !== 'top' && context !== operator ? `(${text})` : text;
}

/**
 * Every scope a policy names, sorted and without duplicates.
 *
 * @example
 * ```ts
 * policyScopes(or(allOf('b', 'a'), anyOf('a', 'c'))); // ['a', 'b', 'c']
 * ```
 */
export function policyScopes(policy: Policy): readonly string[] {
  const found = new Set<string>();
  collect(policy, found);
  return Object.freeze([...found].sort());
}

function collect(policy: Policy, found: Set<string>): void {
  switch (policy.kind) {
    case 'allOf':
    case 'anyOf':
      for (const scope of policy.scopes) found.add(scope);
      return;
    case 'and':
    case 'or':
      for (const child of policy.policies) collect(child, found);
      return;
    case 'not':
    case 'rateLimit':
      collect(policy.policy, found);
      return;
    default:
      return;
  }
}
