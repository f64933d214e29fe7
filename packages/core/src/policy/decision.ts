import { ForbiddenError, InsufficientScopeError, MissingTokenError, type ValetError } from '../errors.js';
import type { Policy } from './policy.js';

/**
 * The outcome of {@link Authorizer.authorize}: frozen, and for allowed scope-only decisions
 * shared between calls (compare fields, not identity).
 */
export interface Decision {
  readonly allowed: boolean;
  readonly operationId: string;
  /** The operation's policy; undefined when no operation is registered under the id. */
  readonly policy: Policy | undefined;
  /**
   * Every scope the operation needs, as one `insufficient_scope` challenge should ask for:
   * the scopes of `allOf`, the first alternative of `anyOf` / `or` that scopes alone can
   * satisfy, the union over `and`; nothing for checks and `not`. Granting all of them makes
   * every scope-only part of the policy pass. The same for every caller.
   */
  readonly required: readonly string[];
  /**
   * A smallest set of scopes that, added to the caller's, would allow (checks that refused stay
   * refused; checks that did not run count as passing). Only scopes the policy names are
   * considered; ties go to the scope named first. Empty when allowed, when the caller is
   * anonymous and the policy needs no scope, or when no scope would help.
   */
  readonly missing: readonly string[];
  /** A sentence for people: `Tool "write_file" requires scope "files:write"; the token grants "files:read".` */
  readonly reason: string;
  /** A principal was present (false: the adapter answers 401). */
  readonly authenticated: boolean;
  /** What a check threw, when a thrown check caused the denial (for logs; never in `reason`). */
  readonly cause?: unknown;
}

/**
 * The error to answer a denied decision with, or undefined when it allows:
 * {@link MissingTokenError} for an anonymous caller (its scopes are `required`),
 * {@link InsufficientScopeError} when scopes would help, {@link ForbiddenError} otherwise
 * (a check refused, `not`, no operation registered).
 *
 * @example
 * ```ts
 * const decision = await authorizer.authorize(principal, 'write_file', { arguments: input });
 * const error = decisionError(decision);
 * if (error) throw error; // adapters render error.challenge into WWW-Authenticate
 * ```
 */
export function decisionError(decision: Decision): ValetError | undefined {
  if (decision.allowed) return undefined;
  if (!decision.authenticated) return new MissingTokenError(decision.reason, decision.required);
  if (decision.missing.length > 0) {
    return new InsufficientScopeError(decision.reason, {
      required: decision.required,
      missing: decision.missing,
      operationId: decision.operationId,
    });
  }
  return new ForbiddenError(decision.reason, decision.operationId);
}
