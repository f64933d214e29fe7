import { OptionsError, type PolicyRegistry } from '@valet/core';
import {
  collectControllers,
  resolveController,
  type ControllerClass,
  type ControllerDefinition,
  type RouteDeclaration,
} from '@valet/decorators';
import type { RouteDetails } from './register-route.js';

/** The inversify container controllers are resolved from (the type `resolveController` takes). */
export type ControllerContainer = NonNullable<Parameters<typeof resolveController>[1]>;

/** One controller route, ready for an adapter to declare. */
export interface ControllerRoute {
  readonly route: RouteDeclaration;
  /** The route's method, called on its built controller with the adapter's route context. */
  readonly call: (context: object) => unknown;
  /** What the route is registered with besides its policy: title, description, source, meta. */
  readonly details: RouteDetails;
}

/** What `controllerRoutes` hands an adapter: the validated prefix, the definitions, every route. */
export interface CollectedControllers {
  readonly prefix: string;
  readonly definitions: readonly ControllerDefinition[];
  readonly routes: readonly ControllerRoute[];
}

/**
 * The set-up both adapters' `controllers()` share: checks the options (`{ container?, prefix? }`),
 * collects the classes (scopes checked against the registry's catalog), and builds every
 * controller and finds every method before the adapter declares its first route, so that a
 * failure leaves no route half-declared.
 */
export function controllerRoutes(
  classes: readonly ControllerClass[],
  options: { readonly container?: ControllerContainer; readonly prefix?: string },
  registry: PolicyRegistry,
): CollectedControllers {
  if (typeof options !== 'object' || options === null) {
    throw new OptionsError('options', 'controllers() options must be an object: { container?, prefix? }.');
  }
  const prefix = routePrefix(options.prefix);
  const { catalog } = registry;
  const definitions = collectControllers(classes, catalog === undefined ? {} : { catalog });
  const routes = definitions.flatMap((definition) => {
    const instance = resolveController(definition.target, options.container);
    return definition.routes.map((route) => controllerRoute(instance, definition, route));
  });
  return { prefix, definitions, routes };
}

function controllerRoute(
  instance: object,
  definition: ControllerDefinition,
  route: RouteDeclaration,
): ControllerRoute {
  const method = (instance as Record<string, unknown>)[route.handler];
  if (typeof method !== 'function') {
    throw new OptionsError(
      'container',
      `The container built ${definition.name} without a method "${route.handler}"; bind the controller to itself.`,
    );
  }
  return {
    route,
    call: (context) => method.call(instance, context) as unknown,
    details: {
      ...(route.title === undefined ? {} : { title: route.title }),
      ...(route.description === undefined ? {} : { description: route.description }),
      source: route.source,
      meta: { controller: definition.name, handler: route.handler },
      ...(route.downstream.length === 0 ? {} : { downstream: route.downstream }),
    },
  };
}

/** The validated `prefix` option of `routes()` and `controllers()`: `""` or a path like `/v1`. */
export function routePrefix(prefix: unknown = ''): string {
  if (typeof prefix !== 'string' || (prefix !== '' && (!prefix.startsWith('/') || prefix.endsWith('/')))) {
    throw new OptionsError(
      'prefix',
      'prefix must be "" or a path like "/v1" (leading "/", no trailing "/").',
    );
  }
  return prefix;
}
