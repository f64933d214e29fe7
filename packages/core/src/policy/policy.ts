import type { Principal } from '../principal.js';
import { PolicyConfigError } from '../errors.js';
import { parseRateLimit, type RateLimit } from './rate-limit.js';

/** What an attribute check sees besides the principal. */
export interface AuthorizationContext {
  /** The operation being authorized (tool name, `resource:<uri>`, `GET /files`, ...). */
  readonly operationId: string;
  /** The call's arguments (tool input, route params), when known. */
  readonly arguments?: unknown;
  /** Anything else an adapter passes along (the request, the SDK's `extra`). */
  readonly [key: string]: unknown;
}

/** An attribute rule: sync or async, true to allow. It only runs for an authenticated principal. */
export type CheckFn = (principal: Principal, ctx: AuthorizationContext) => boolean | Promise<boolean>;

/** Anyone, with or without a token. */
export interface PublicPolicy {
  readonly kind: 'public';
}
/** Any valid token, whatever its scopes. */
export interface AuthenticatedPolicy {
  readonly kind: 'authenticated';
}
/** Every one of `scopes` must be granted. */
export interface AllOfPolicy {
  readonly kind: 'allOf';
  readonly scopes: readonly string[];
}
/** At least one of `scopes` must be granted. */
export interface AnyOfPolicy {
  readonly kind: 'anyOf';
  readonly scopes: readonly string[];
}
/** Every sub-policy must allow. */
export interface AndPolicy {
  readonly kind: 'and';
  readonly policies: readonly Policy[];
}
/** At least one sub-policy must allow. */
export interface OrPolicy {
  readonly kind: 'or';
  readonly policies: readonly Policy[];
}
/** The sub-policy must refuse (for an authenticated principal). */
export interface NotPolicy {
  readonly kind: 'not';
  readonly policy: Policy;
}
/** A named attribute rule. */
export interface CheckPolicy {
  readonly kind: 'check';
  readonly name: string;
  readonly fn: CheckFn;
}

/** Allows exactly when `policy` allows, and limits how often each caller may do so. */
export interface RateLimitPolicy {
  readonly kind: 'rateLimit';
  readonly policy: Policy;
  readonly rateLimit: RateLimit;
}

/**
 * A policy is data: a small tagged union that can be printed, compared, documented and compiled.
 * Build one with {@link publicAccess}, {@link authenticated}, {@link allOf}, {@link anyOf},
 * {@link and}, {@link or}, {@link not} and {@link check}; limit how often with {@link rateLimited}.
 */
export type Policy =
  | PublicPolicy
  | AuthenticatedPolicy
  | AllOfPolicy
  | AnyOfPolicy
  | AndPolicy
  | OrPolicy
  | NotPolicy
  | CheckPolicy
  | RateLimitPolicy;

const PUBLIC: PublicPolicy = Object.freeze({ kind: 'public' });
const AUTHENTICATED: AuthenticatedPolicy = Object.freeze({ kind: 'authenticated' });

/** Open to everyone, token or not. The only way out of default deny. */
export function publicAccess(): PublicPolicy {
  return PUBLIC;
}

/** Any valid token. */
export function authenticated(): AuthenticatedPolicy {
  return AUTHENTICATED;
}

/**
 * All of the scopes must be granted.
 *
 * @example
 * ```ts
 * allOf('files:read', 'files:write')
 * ```
 */
export function allOf<S extends string>(...scopes: S[]): AllOfPolicy {
  return Object.freeze({ kind: 'allOf', scopes: Object.freeze([...new Set(scopes)]) });
}

/** At least one of the scopes must be granted. */
export function anyOf<S extends string>(...scopes: S[]): AnyOfPolicy {
  return Object.freeze({ kind: 'anyOf', scopes: Object.freeze([...new Set(scopes)]) });
}

/** Every policy must allow. */
export function and(...policies: Policy[]): AndPolicy {
  return Object.freeze({ kind: 'and', policies: Object.freeze([...policies]) });
}

/** At least one policy must allow. */
export function or(...policies: Policy[]): OrPolicy {
  return Object.freeze({ kind: 'or', policies: Object.freeze([...policies]) });
}

/** The policy must refuse. An anonymous caller is refused by `not` too. */
export function not(policy: Policy): NotPolicy {
  return Object.freeze({ kind: 'not', policy });
}

/**
 * A named attribute rule, e.g. "the path argument is under the caller's home".
 *
 * @example
 * ```ts
 * const ownsPath = check('owner-of-path', (p, ctx) =>
 *   String((ctx.arguments as { path?: string })?.path).startsWith(`/home/${p.subject}/`));
 * ```
 */
export function check(name: string, fn: CheckFn): CheckPolicy {
  return Object.freeze({ kind: 'check', name, fn });
}

/**
 * `policy`, with a limit on how often each caller may perform the operation: `spec` is
 * `<count>/<window>` (`'60/m'`, `'100/30s'`, `'1000/1h'`, `'10/60'` for 60 seconds; see
 * `parseRateLimit`), counted in fixed windows per operation and per caller (issuer,
 * subject and client). Past the limit the request flow answers 429 with `Retry-After`.
 * With `options.shared`, every operation limited under that name counts against one limit per
 * caller (they must give the same `spec`). Anonymous callers (of a public operation) are not
 * limited. An operation has at most one limit,
 * on its policy or under `and`s from it; the registry refuses one under `or` or `not`, or two.
 * Throws `PolicyConfigError` for a bad `spec`.
 *
 * The counters live in the Valet's `store`; when the store fails, the request is let through
 * (rate limits fail open: an outage of Redis must not take the server down with it).
 *
 * @example
 * ```ts
 * registry.register({ id: 'search', kind: 'tool', policy: rateLimited(allOf('search:read'), '60/m') });
 * ```
 */
export function rateLimited(
  policy: Policy,
  spec: string,
  options: { readonly shared?: string } = {},
): RateLimitPolicy {
  const { shared } = options;
  if (shared !== undefined && (typeof shared !== 'string' || shared.trim() === '')) {
    throw new PolicyConfigError(
      `rateLimited: shared must be a non-empty name, as in { shared: 'tools/call' }.`,
    );
  }
  const rateLimit = parseRateLimit(spec);
  return Object.freeze({
    kind: 'rateLimit',
    policy,
    rateLimit: Object.freeze(shared === undefined ? rateLimit : { ...rateLimit, shared }),
  });
}
