import { OptionsError, PolicyConfigError, allOf, anyOf, describePolicy, type Policy } from '@valet/core';

/** A guard: a framework hook that carries the policy of the route it is declared on. */
export type Guarded<F> = F & {
  /** The policy the route is registered with. */
  readonly policy: Policy;
};

const guards = new WeakMap<object, Policy>();

/** Marks `hook` as a guard for `policy`: the adapter finds it among a route's handlers and registers the route. */
export function makeGuard<F extends object>(hook: F, policy: Policy): Guarded<F> {
  Object.defineProperty(hook, 'policy', { value: policy, enumerable: true });
  guards.set(hook, policy);
  return hook as Guarded<F>;
}

/** The policy of a guard made by {@link makeGuard}; `undefined` for any other value. */
export function guardPolicy(value: unknown): Policy | undefined {
  return typeof value === 'function' ? guards.get(value) : undefined;
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
