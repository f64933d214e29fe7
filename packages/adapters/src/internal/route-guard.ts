import {
  OptionsError,
  PolicyConfigError,
  allOf,
  anyOf,
  describePolicy,
  rateLimited,
  type OperationDownstream,
  type Policy,
} from '@valet/core';
import type { RouteDetails } from './register-route.js';

/** A guard: a framework hook that carries the policy (and description) of the route it is declared on. */
export type Guarded<F> = F & {
  /** The policy the route is registered with. */
  readonly policy: Policy;
  /** What the route does, for the manifest; set by `describe()`. */
  readonly description?: string;
  /** The same guard with `description` registered for its route (the manifest's description cell). */
  describe(description: string): Guarded<F>;
  /**
   * The same guard with a rate limit on its route: `spec` as `rateLimited()` takes it (`'60/m'`,
   * `'100/30s'`, `'10/60'`), counted per caller; past it, 429 with `Retry-After`.
   */
  limit(spec: string): Guarded<F>;
  /**
   * The same guard with a downstream need on its route, as `@Downstream(audience, scopes,
   * options)` declares it on a controller method: the route's handlers get a token for `audience`
   * with `scopes`, obtained by token exchange. Call it once per audience.
   */
  downstream(audience: string, scopes: readonly string[], options?: { stepUpScope?: string }): Guarded<F>;
};

interface GuardInfo {
  readonly policy: Policy;
  readonly details: RouteDetails;
}

const guards = new WeakMap<object, GuardInfo>();

/**
 * A guard for `policy`: a hook made by `create`, which the adapter finds among a route's handlers
 * to register the route with `details`. `describe()`, `limit()` and `downstream()` make a new
 * hook, so that a guard shared by several routes keeps its own details.
 */
export function makeGuard<F extends object>(
  create: () => F,
  policy: Policy,
  details: RouteDetails = {},
): Guarded<F> {
  const hook = create();
  Object.defineProperties(hook, {
    policy: { value: policy, enumerable: true },
    ...(details.description === undefined
      ? {}
      : { description: { value: details.description, enumerable: true } }),
    describe: {
      value: (text: unknown) =>
        makeGuard(create, policy, { ...details, description: routeDescription(text) }),
    },
    limit: {
      value: (spec: string) => makeGuard(create, rateLimited(policy, spec), details),
    },
    downstream: {
      value: (audience: string, scopes: readonly string[], options: { stepUpScope?: string } = {}) =>
        makeGuard(create, policy, {
          ...details,
          downstream: [...(details.downstream ?? []), downstreamNeed(audience, scopes, options)],
        }),
    },
  });
  guards.set(hook, { policy, details });
  return hook as Guarded<F>;
}

/** The policy of a guard made by {@link makeGuard}; `undefined` for any other value. */
export function guardPolicy(value: unknown): Policy | undefined {
  return typeof value === 'function' ? guards.get(value)?.policy : undefined;
}

/** What a guard adds to its route's registration (its description); `{}` for any other value. */
export function guardDetails(value: unknown): RouteDetails {
  return (typeof value === 'function' ? guards.get(value)?.details : undefined) ?? {};
}

/** One `downstream()` need; its audience, scopes and step-up scope are checked by the registry at start-up. */
function downstreamNeed(audience: unknown, scopes: unknown, options: unknown): OperationDownstream {
  const stepUpScope = (options as { stepUpScope?: unknown } | null)?.stepUpScope;
  if (
    !Array.isArray(scopes) ||
    typeof options !== 'object' ||
    (stepUpScope !== undefined && typeof stepUpScope !== 'string')
  ) {
    throw new OptionsError(
      'downstream',
      "downstream() needs the API's audience, its scopes and optionally { stepUpScope }, e.g. downstream('https://backup.example.com', ['backup:write']).",
    );
  }
  return Object.freeze({
    audience: audience as string,
    scopes: Object.freeze([...(scopes as string[])]),
    ...(stepUpScope === undefined ? {} : { stepUpScope }),
  });
}

function routeDescription(text: unknown): string {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new OptionsError(
      'description',
      'describe() needs the route\'s description, e.g. describe("List notes").',
    );
  }
  return text;
}

/** `allOf(...)` or `anyOf(...)` for `requireScopes` / `requireAnyScope`, refusing an empty or non-string list now. */
export function scopePolicy(kind: 'allOf' | 'anyOf', scopes: readonly unknown[]): Policy {
  const name = kind === 'allOf' ? 'requireScopes' : 'requireAnyScope';
  if (scopes.length === 0 || !scopes.every((s): s is string => typeof s === 'string' && s !== '')) {
    throw new OptionsError('scopes', `${name}() needs one or more scope names, e.g. ${name}("files:read").`);
  }
  return kind === 'allOf' ? allOf(...scopes) : anyOf(...scopes);
}

/** The policy given to `requirePolicy`, refused now when it is not one. */
export function givenPolicy(policy: unknown): Policy {
  if (typeof policy !== 'object' || policy === null || typeof (policy as Policy).kind !== 'string') {
    throw new OptionsError(
      'policy',
      'requirePolicy() needs a Policy built with allOf(), anyOf(), and(), or(), not(), check(), authenticated() or publicAccess().',
    );
  }
  return policy as Policy;
}

/**
 * The error a guard raises when it runs on a route the adapter never saw declared: its policy
 * is in no registry, so it cannot be enforced (and would be missing from the manifest).
 */
export function unregisteredGuardError(policy: Policy, how: string): PolicyConfigError {
  return new PolicyConfigError(
    `A Valet guard requiring ${describePolicy(policy)} ran on a route that is not registered. ${how}`,
  );
}
