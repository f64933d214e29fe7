import type { OperationDefinition, Policy, PolicyRegistry } from '@valet/core';

/**
 * What a declaration adds to a route's registration: a decorated route's title, description,
 * source, meta and `@Downstream` needs (a guard's `describe()` and `downstream()`).
 */
export type RouteDetails = Pick<
  OperationDefinition,
  'title' | 'description' | 'source' | 'meta' | 'downstream'
>;

/**
 * Registers an HTTP route as an operation of kind `route`, id `GET /files/:id` (method in upper
 * case, path as declared), and returns the id. `details` are registered with it (their `meta`
 * next to `method` and `path`). A duplicate, or a registry already frozen, throws
 * `PolicyConfigError` while the app is being set up.
 */
export function registerRoute(
  registry: PolicyRegistry,
  method: string,
  path: string,
  policy: Policy,
  details: RouteDetails = {},
): string {
  const upper = method.toUpperCase();
  const id = `${upper} ${path}`;
  registry.register({
    ...details,
    id,
    kind: 'route',
    policy,
    meta: { method: upper, path, ...details.meta },
  });
  return id;
}
