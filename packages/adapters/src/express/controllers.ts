import type { RouteDeclaration, ControllerClass, ControllerDefinition } from '@valet/decorators';
import type { IRouter, RequestHandler, Response } from 'express';
import {
  controllerRoutes,
  type ControllerContainer,
  type ControllerRoute,
} from '../internal/controller-routes.js';
import { registerRoute } from '../internal/register-route.js';
import {
  enforcer,
  type ProtectedRoutesOptions,
  type RouteFlow,
  type RouteMethod,
} from './protected-routes.js';
import type { RouteContext } from './route-context.js';

export type { ControllerContainer } from '../internal/controller-routes.js';

/** Options of `controllers()`. */
export interface ControllersOptions extends ProtectedRoutesOptions {
  /**
   * Builds the controllers, injecting their constructors' services (the container's binding of a
   * controller when it has one, else the class itself). Without it, controllers are built with
   * `new`, and one whose constructor takes arguments is refused.
   */
  readonly container?: ControllerContainer;
}

const LOWER: Readonly<Record<RouteDeclaration['method'], RouteMethod>> = Object.freeze({
  GET: 'get',
  POST: 'post',
  PUT: 'put',
  PATCH: 'patch',
  DELETE: 'delete',
});

/**
 * Mounts decorated controllers on `router`: collects them (scopes checked against the registry's
 * catalog), builds each once, and for each route registers the operation `METHOD /path` (kind
 * `route`, with its title, description and source) and mounts the shared enforcer of `routes()`
 * in front of a handler calling the method. Returns the definitions.
 */
export function mountControllers(
  router: Pick<IRouter, RouteMethod>,
  classes: readonly ControllerClass[],
  options: ControllersOptions,
  flow: RouteFlow,
): readonly ControllerDefinition[] {
  const { registry } = flow;
  const { prefix, definitions, routes } = controllerRoutes(classes, options, registry);
  for (const controllerRoute of routes) {
    const { route, details } = controllerRoute;
    const id = registerRoute(registry, route.method, `${prefix}${route.path}`, route.policy, details);
    router[LOWER[route.method]](route.path, enforcer(flow, id, route.policy), handler(controllerRoute));
  }
  return definitions;
}

/** Calls the route's method with a {@link RouteContext}; a value it returns (or resolves to) is sent as JSON. */
function handler({ route, call }: ControllerRoute): RequestHandler {
  const { status } = route;
  const reply = (res: Response, value: unknown): void => {
    if (value !== undefined && !res.headersSent) res.status(status).json(value);
  };
  return (req, res, next) => {
    try {
      const result: unknown = call({
        principal: req.auth ?? null,
        downstream: req.downstream,
        params: req.params,
        query: req.query,
        body: req.body as unknown,
        req,
        res,
      } satisfies RouteContext);
      if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
        Promise.resolve(result)
          .then((value) => reply(res, value))
          .catch(next);
      } else reply(res, result);
    } catch (error) {
      next(error);
    }
  };
}
