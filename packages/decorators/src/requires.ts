import { describePolicy, type Policy } from '@valet/core';
import { requirementDecorator } from './internal/requirement-decorator.js';
import type { PolicyDecorator } from './policy-decorator.js';

/**
 * Requires any core {@link Policy}: `or`, `not`, attribute `check`s that see the call's
 * arguments, ... AND-ed with every other requirement of the operation. `@Requires(publicAccess())`
 * is the same as {@link Public}.
 *
 * @example
 * ```ts
 * const ownsPath = check('owner-of-path', (p, ctx) =>
 *   String((ctx.arguments as { path?: unknown })?.path).startsWith(`/home/${p.subject}/`));
 *
 * @Tool({ description: 'Delete a file' })
 * @Requires(or(allOf('admin'), ownsPath))
 * delete(input: DeleteFileInput) { ... }
 * ```
 */
export function Requires(policy: Policy): PolicyDecorator {
  const written = `@Requires(${isPolicyLike(policy) ? describePolicy(policy) : String(policy)})`;
  return requirementDecorator(
    isPolicyLike(policy) && policy.kind === 'public'
      ? { kind: 'public', written }
      : { kind: 'policy', policy, written },
  );
}

function isPolicyLike(value: unknown): value is Policy {
  return typeof value === 'object' && value !== null && typeof (value as Policy).kind === 'string';
}
