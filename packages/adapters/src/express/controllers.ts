import { OptionsError } from '@valet/core';
import {
  collectControllers,
  resolveController,
  type ControllerClass,
  type ControllerDefinition,
  type RouteDeclaration,
} from '@valet/decorators';
import type { IRouter, RequestHandler, Response } from 'express';
import { requestPrincipal } from '../internal/express-principal.js';
import { registerRoute } from '../internal/register-route.js';
import {
  enforcer,
  mountPrefix,
  type ProtectedRoutesOptions,
  type RouteFlow,
  type RouteMethod,
} from './protected-routes.js';
import type { RouteContext } from './route-context.js';

/** The inversify container controllers are resolved from (the type `resolveController` takes). */
export type ControllerContainer = NonNullable<Parameters<typeof resolveController>[1]>;

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
  if (typeof options !== 'object' || options === null) {
    throw new OptionsError('options', 'controllers() options must be an object: { container?, prefix? }.');
  }
  const prefix = mountPrefix(options);
  const { registry } = flow.valet;
  const definitions = collectControllers(
    classes,
    registry.catalog === undefined ? {} : { catalog: registry.catalog },
  );
  for (const definition of definitions) {
    const instance = resolveController(definition.target, options.container);
    for (const route of definition.routes) {
      const id = registerRoute(registry, route.method, `${prefix}${route.path}`, route.policy, {
        ...(route.title === undefined ? {} : { title: route.title }),
        ...(route.description === undefined ? {} : { description: route.description }),
        source: route.source,
        meta: { controller: definition.name, handler: route.handler },
      });
      router[LOWER[route.method]](route.path, enforcer(flow, id, route.policy), handler(instance, route));
    }
  }
  return definitions;
}

/** Calls the route's method with a {@link RouteContext}; a value it returns (or resolves to) is sent as JSON. */
function handler(instance: object, route: RouteDeclaration): RequestHandler {
  const method = (instance as Record<string, unknown>)[route.handler];
  if (typeof method !== 'function') {
    throw new OptionsError(
      'container',
      `The container built ${route.controller.name} without a method "${route.handler}"; bind the controller to itself.`,
    );
  }
  const { status } = route;
  const reply = (res: Response, value: unknown): void => {
    if (value !== undefined && !res.headersSent) res.status(status).json(value);
  };
  return (req, res, next) => {
    try {
      const result: unknown = method.call(instance, {
        principal: requestPrincipal(req) ?? null,
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
