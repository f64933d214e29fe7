import type { Policy, PolicyRegistry } from '@valet/core';

/**
 * Registers an HTTP route as an operation of kind `route`, id `GET /files/:id` (method in upper
 * case, path as declared), and returns the id. A duplicate, or a registry already frozen, throws
 * `PolicyConfigError` while the app is being set up.
 */
export function registerRoute(
  registry: PolicyRegistry,
  method: string,
  path: string,
  policy: Policy,
): string {
  const upper = method.toUpperCase();
  const id = `${upper} ${path}`;
  registry.register({ id, kind: 'route', policy, meta: { method: upper, path } });
  return id;
}
