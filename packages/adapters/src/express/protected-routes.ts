import { OptionsError, type AdmitRequest, type Policy, type PolicyRegistry } from '@valet/core';
import type { IRouter, Request, RequestHandler, Response } from 'express';
import { usesChecks } from '../internal/policy-checks.js';
import { routePrefix } from '../internal/controller-routes.js';
import { registerRoute } from '../internal/register-route.js';
import { routeDelegateFor, type RouteDelegate } from '../internal/route-downstream.js';
import { guardDetails, guardPolicy } from '../internal/route-guard.js';

/**
 * An Express middleware carrying a policy: pass it to {@link ProtectedRoutes} as a route's guard.
 * `guard.describe('List notes')` is the same guard with a description for its route, shown in
 * the manifest; `guard.limit('60/m')` the same guard with a rate limit per caller.
 */
export type RouteGuard = RequestHandler & {
  /** The policy the route is registered with. */
  readonly policy: Policy;
  /** The route's description, from `describe()`. */
  readonly description?: string;
  /** This guard with `description` registered for the route it guards. */
  describe(description: string): RouteGuard;
  /**
   * This guard with a rate limit on the route it guards (`'60/m'`, `'100/30s'`, `'10/60'`; see
   * `rateLimited()` in `@valet/core`): counted per caller, 429 with `Retry-After` past it.
   */
  limit(spec: string): RouteGuard;
  /**
   * This guard with a downstream need on the route it guards, as `@Downstream(audience, scopes,
   * options)` declares one on a controller method: after admission, `req.downstream` has a token
   * for `audience` with `scopes`, obtained by token exchange (`valetExpress(valet, { exchanger })`).
   * Once per audience.
   *
   * @example
   * ```ts
   * api.routes(app).post('/files/:id/backup',
   *   api.requireScopes('files:read').downstream('https://backup.example.com', ['backup:write']),
   *   async (req, res) => {
   *     const put = await req.downstream!.fetch(`https://backup.example.com/blobs/${req.params.id}`, { method: 'PUT' });
   *     res.sendStatus(put.status);
   *   });
   * ```
   */
  downstream(audience: string, scopes: readonly string[], options?: { stepUpScope?: string }): RouteGuard;
};

/** The HTTP methods {@link ProtectedRoutes} declares routes for. */
export type RouteMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Declares a route with its guard (or policy) and handlers; returns the same {@link ProtectedRoutes}. */
export type ProtectedRoute = (
  path: string,
  guard: RouteGuard | Policy,
  ...handlers: RequestHandler[]
) => ProtectedRoutes;

/**
 * Route declarations that land in the policy registry: `routes.get('/files/:id', guard, handler)`
 * registers the operation `GET /files/:id` (kind `route`) and mounts, on the router, the shared
 * flow (authenticate, enforce) in front of the handlers. A GET route also answers HEAD, under the
 * same operation.
 */
export type ProtectedRoutes = { readonly [M in RouteMethod]: ProtectedRoute };

/** Options of `routes()`. */
export interface ProtectedRoutesOptions {
  /**
   * Where the router is mounted (`app.use('/v1', router)` -> `'/v1'`): only prefixes the
   * operation ids, so that they name the full path. Default `''` (mounted at the root).
   */
  readonly prefix?: string;
}

/** What the route enforcer needs from `valetExpress`: the registry, and the Valet's flow for an Express request. */
export interface RouteFlow {
  readonly registry: PolicyRegistry;
  /** `valet.admit` for `req` (its credentials read off it), setting `req.auth`; rejects with the refusal. */
  admit(
    req: Request,
    res: Response,
    request: Partial<Pick<AdmitRequest, 'optional' | 'operations'>>,
  ): Promise<void>;
  /** Obtains a `@Downstream` route's tokens once admitted; `undefined` without an exchanger. */
  readonly delegate: RouteDelegate | undefined;
}

const METHODS: readonly RouteMethod[] = ['get', 'post', 'put', 'patch', 'delete'];

/** Builds {@link ProtectedRoutes} on `router` (an app or a `Router`). */
export function protectedRoutes(
  router: Pick<IRouter, RouteMethod>,
  options: ProtectedRoutesOptions,
  flow: RouteFlow,
): ProtectedRoutes {
  const prefix = routePrefix(options.prefix);
  const routes = {} as Record<RouteMethod, ProtectedRoute>;
  for (const method of METHODS) {
    routes[method] = (path, guard, ...handlers) => {
      const policy = routePolicy(method, path, guard, handlers);
      const id = registerRoute(flow.registry, method, `${prefix}${path}`, policy, guardDetails(guard));
      router[method](path, enforcer(flow, id, policy), ...handlers);
      return frozen;
    };
  }
  const frozen: ProtectedRoutes = Object.freeze(routes);
  return frozen;
}

function routePolicy(
  method: RouteMethod,
  path: unknown,
  guard: unknown,
  handlers: readonly unknown[],
): Policy {
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new OptionsError(
      'path',
      `routes.${method}() needs a path string starting with "/", e.g. "/files/:id".`,
    );
  }
  const where = `routes.${method}("${path}")`;
  const policy = guardPolicy(guard) ?? (isPolicy(guard) ? guard : undefined);
  if (policy === undefined) {
    throw new OptionsError(
      'guard',
      `${where} needs a guard (requireScopes(...), requireAnyScope(...), requirePolicy(...)) or a Policy before its handlers: nothing is open by default.`,
    );
  }
  if (handlers.some((handler) => guardPolicy(handler) !== undefined)) {
    throw new OptionsError(
      'guard',
      `${where} has more than one guard; combine the policies with and(...) in one requirePolicy().`,
    );
  }
  return policy;
}

function isPolicy(value: unknown): value is Policy {
  return typeof value === 'object' && value !== null && typeof (value as Policy).kind === 'string';
}

/**
 * The middleware in front of a route's handlers: the request admitted for the route's operation
 * (anonymous callers too: the policy decides), then for a route declaring `@Downstream` its
 * tokens obtained into `req.downstream`; refusals to `next(err)`.
 */
export function enforcer(flow: RouteFlow, id: string, policy: Policy): RequestHandler {
  // Only attribute checks read the request; a scope-only route needs no context built per request.
  const scopeOnly = usesChecks(policy) ? undefined : { optional: true, operations: [{ id }] };
  const operation = flow.registry.get(id)!;
  const delegate = routeDelegateFor(operation, flow.delegate, 'valetExpress()');
  const admit: RouteFlow['admit'] =
    delegate === undefined
      ? flow.admit
      : async (req, res, request) => {
          await flow.admit(req, res, request);
          req.downstream = await delegate(req.auth ?? null, operation);
        };
  return (req, res, next) => {
    const request = scopeOnly ?? {
      optional: true,
      operations: [
        {
          id,
          context: {
            arguments: { params: req.params, query: req.query, body: req.body as unknown },
            request: req,
          },
        },
      ],
    };
    void admit(req, res, request).then(() => next(), next);
  };
}
