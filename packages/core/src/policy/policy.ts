import type { Principal } from '../principal.js';

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

/**
 * A policy is data: a small tagged union that can be printed, compared, documented and compiled.
 * Build one with {@link publicAccess}, {@link authenticated}, {@link allOf}, {@link anyOf},
 * {@link and}, {@link or}, {@link not} and {@link check}.
 */
export type Policy =
  | PublicPolicy
  | AuthenticatedPolicy
  | AllOfPolicy
  | AnyOfPolicy
  | AndPolicy
  | OrPolicy
  | NotPolicy
  | CheckPolicy;

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
