import { OptionsError, type Valet } from '@valet/core';
import {
  collectControllers,
  resolveController,
  type ControllerClass,
  type ControllerDefinition,
  type RouteDeclaration,
} from '@valet/decorators';
import type { FastifyInstance, RouteHandlerMethod } from 'fastify';
import { withRouteDetails } from '../internal/route-details.js';
import type { RouteContext } from './route-context.js';

/** The inversify container controllers are resolved from (the type `resolveController` takes). */
export type ControllerContainer = NonNullable<Parameters<typeof resolveController>[1]>;

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
  if (typeof options !== 'object' || options === null) {
    throw new OptionsError('options', 'controllers() options must be an object: { container?, prefix? }.');
  }
  const prefix = routePrefix(options.prefix);
  const { catalog } = valet.registry;
  const definitions = collectControllers(classes, catalog === undefined ? {} : { catalog });
  // Every controller is built and every method found before the first route is declared.
  const declared = definitions.flatMap((definition) => {
    const instance = resolveController(definition.target, options.container);
    return definition.routes.map((route) => ({ route, handler: handlerFor(instance, definition, route) }));
  });
  for (const { route, handler } of declared) {
    fastify.route({
      method: route.method,
      url: joinPath(prefix, route.path),
      config: { valet: route.policy },
      handler,
    });
  }
  return definitions;
}

/**
 * Calls the route's method with a {@link RouteContext}. A value it returns (or resolves to) is
 * sent with the route's status; nothing, and Fastify answers as for any async handler.
 */
function handlerFor(
  instance: object,
  definition: ControllerDefinition,
  route: RouteDeclaration,
): RouteHandlerMethod {
  const method = (instance as Record<string, unknown>)[route.handler];
  if (typeof method !== 'function') {
    throw new OptionsError(
      'container',
      `The container built ${definition.name} without a method "${route.handler}"; bind the controller to itself.`,
    );
  }
  const { status } = route;
  const handler: RouteHandlerMethod = async (request, reply) => {
    const value: unknown = await method.call(instance, {
      principal: request.auth,
      params: request.params as RouteContext['params'],
      query: request.query as RouteContext['query'],
      body: request.body,
      request,
      reply,
    } satisfies RouteContext);
    if (value !== undefined) reply.code(status);
    return value;
  };
  return withRouteDetails(handler, {
    ...(route.title === undefined ? {} : { title: route.title }),
    ...(route.description === undefined ? {} : { description: route.description }),
    source: route.source,
    meta: { controller: definition.name, handler: route.handler },
  });
}

/** The validated `prefix` option. */
function routePrefix(prefix: unknown = ''): string {
  if (typeof prefix !== 'string' || (prefix !== '' && (!prefix.startsWith('/') || prefix.endsWith('/')))) {
    throw new OptionsError(
      'prefix',
      'prefix must be "" or a path like "/v1" (leading "/", no trailing "/").',
    );
  }
  return prefix;
}

/** `/v1` + `/files` -> `/v1/files`; `/v1` + `/` -> `/v1`; `''` + `/` -> `/`. */
function joinPath(prefix: string, path: string): string {
  return prefix !== '' && path === '/' ? prefix : `${prefix}${path}`;
}
