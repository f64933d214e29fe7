import type { RouteDetails } from './register-route.js';

const details = new WeakMap<object, RouteDetails>();

/**
 * Attaches a declared route's details (title, description, source, meta) to its handler, so that
 * a framework hook that only sees the route's options (Fastify's `onRoute`) registers them too.
 * The handler itself is the key: Fastify passes it unchanged to the HEAD route it adds for a GET.
 */
export function withRouteDetails<F extends object>(handler: F, routeDetails: RouteDetails): F {
  details.set(handler, routeDetails);
  return handler;
}

/** The details attached by {@link withRouteDetails}; `undefined` for any other handler. */
export function routeDetailsOf(handler: unknown): RouteDetails | undefined {
  return typeof handler === 'function' ? details.get(handler) : undefined;
}
