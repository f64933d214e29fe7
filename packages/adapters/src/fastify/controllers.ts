import type { Valet } from '@valet/core';
import type { ControllerClass, ControllerDefinition } from '@valet/decorators';
import type { FastifyInstance, RouteHandlerMethod } from 'fastify';
import {
  controllerRoutes,
  type ControllerContainer,
  type ControllerRoute,
} from '../internal/controller-routes.js';
import { withRouteDetails } from '../internal/route-details.js';
import type { RouteContext } from './route-context.js';

export type { ControllerContainer } from '../internal/controller-routes.js';

/** Options of `fastify.valet.controllers()`. */
export interface ControllersOptions {
  /**
   * Builds the controllers, injecting their constructors' services (the container's binding of a
   * controller when it has one, else the class itself). Without it, controllers are built with
   * `new`, and one whose constructor takes arguments is refused.
   */
  readonly container?: ControllerContainer;
  /**
   * A path put before every route (`'/v1'`: `@Get('/:id')` of `@Controller('/files')` becomes
   * `/v1/files/:id`), after the prefix of the plugin scope the routes are declared in. Default `''`.
   */
  readonly prefix?: string;
}

/**
 * Declares the routes of decorated controllers on `fastify`: collects them (scopes checked against
 * the registry's catalog), builds each once, and declares each route with `config: { valet:
 * policy }` and a handler carrying its title, description, source and meta, so that the `onRoute`
 * governance registers it as `METHOD /url` and guards it. Returns the definitions.
 */
export function mountControllers(
  fastify: FastifyInstance,
  valet: Valet,
  classes: readonly ControllerClass[],
  options: ControllersOptions,
): readonly ControllerDefinition[] {
  const { prefix, definitions, routes } = controllerRoutes(classes, options, valet.registry);
  for (const controllerRoute of routes) {
    const { route } = controllerRoute;
    fastify.route({
      method: route.method,
      url: joinPath(prefix, route.path),
      config: { valet: route.policy },
      handler: handlerFor(controllerRoute),
    });
  }
  return definitions;
}

/**
 * Calls the route's method with a {@link RouteContext}. A value it returns (or resolves to) is
 * sent with the route's status; nothing, and Fastify answers as for any async handler.
 */
function handlerFor({ route, call, details }: ControllerRoute): RouteHandlerMethod {
  const { status } = route;
  const handler: RouteHandlerMethod = async (request, reply) => {
    const value: unknown = await call({
      principal: request.auth,
      downstream: request.downstream ?? undefined,
      params: request.params as RouteContext['params'],
      query: request.query as RouteContext['query'],
      body: request.body,
      request,
      reply,
    } satisfies RouteContext);
    if (value !== undefined) reply.code(status);
    return value;
  };
  return withRouteDetails(handler, details);
}

/** `/v1` + `/files` -> `/v1/files`; `/v1` + `/` -> `/v1`; `''` + `/` -> `/`. */
function joinPath(prefix: string, path: string): string {
  return prefix !== '' && path === '/' ? prefix : `${prefix}${path}`;
}
