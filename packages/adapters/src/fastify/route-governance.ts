import { PolicyConfigError, type Policy, type Valet } from '@valet/core';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { admitRequest, type AdmitFlow } from '../internal/node-request.js';
import { usesChecks } from '../internal/policy-checks.js';
import { registerRoute } from '../internal/register-route.js';
import { routeDetailsOf } from '../internal/route-details.js';
import { routeDelegateFor, type RouteDelegate } from '../internal/route-downstream.js';
import { guardDetails, guardPolicy } from '../internal/route-guard.js';

type Hook = (request: FastifyRequest) => Promise<void>;
type ErrorHandler = NonNullable<RouteOptions['errorHandler']>;

/**
 * The `onRoute` hook: a route with a policy (`config: { valet: policy }` or a guard in its
 * `preHandler`) is registered as an operation (`GET /files/:id`, kind `route`), gets the shared
 * flow as its first `preValidation` hook, and Valet errors rendered by its error handler. A
 * controller route's handler carries its title, description, source, meta and `@Downstream`
 * needs, and a guard its `describe()` text and `downstream()` needs, registered with it; a route
 * with downstream needs gets its tokens into `request.downstream` once admitted (through
 * `delegate`, the plugin's exchanger: without one, declaring such a route fails).
 * Routes without a policy, or with `config: { valet: false }`, are left alone.
 *
 * `preValidation` is the one place: the body is parsed (a check may read it, and a form body
 * may carry a token, which core refuses), and nothing of the route's schema validation or
 * handlers has run, so a refused caller learns nothing from them.
 */
export function governRoutes(
  valet: Valet,
  delegate: RouteDelegate | undefined,
): (route: RouteOptions) => void {
  const { registry } = valet;
  const operationFor = (method: string, route: RouteOptions, policy: Policy, guard: unknown): string => {
    // Fastify adds a HEAD route for every GET route: it is the same operation.
    const get = method === 'HEAD' ? registry.get(`GET ${route.url}`) : undefined;
    return get !== undefined && get.policy === policy
      ? get.id
      : registerRoute(
          registry,
          method,
          route.url,
          policy,
          routeDetailsOf(route.handler) ?? guardDetails(guard),
        );
  };
  return (route) => {
    const configured = route.config?.valet;
    if (configured === false) return;
    const preHandlers = hookList(route.preHandler);
    const guards = preHandlers.filter((hook) => guardPolicy(hook) !== undefined);
    const methods = [route.method].flat();
    const where = `Route "${methods.join(',')} ${route.url}"`;
    if (guards.length + (configured === undefined ? 0 : 1) > 1) {
      throw new PolicyConfigError(
        `${where} declares more than one Valet policy (config.valet and preHandler guards). Give one, combining policies with and(...).`,
      );
    }
    // config.valet may be a guard itself: its policy and details, as in preHandler.
    const guard = guardPolicy(configured) === undefined ? guards[0] : configured;
    const policy = guardPolicy(guard) ?? configured;
    if (policy === undefined) return;
    if (typeof policy !== 'object' || policy === null || typeof policy.kind !== 'string') {
      throw new PolicyConfigError(
        `${where}: config.valet must be a Policy (allOf(...), publicAccess(), ...), a guard from fastify.valet, or false.`,
      );
    }
    const ids = new Map(methods.map((method) => [method, operationFor(method, route, policy, guard)]));
    const delegates = [...ids.values()].some(
      (id) => routeDelegateFor(registry.get(id)!, delegate, 'the Valet Fastify plugin') !== undefined,
    );
    route.preValidation = [
      admitter(valet, ids, usesChecks(policy), delegates ? delegate : undefined),
      ...hookList(route.preValidation),
    ];
    route.preHandler = preHandlers.filter((hook) => guardPolicy(hook) === undefined);
    route.errorHandler = renderValetErrors(valet, route.errorHandler);
  };
}

function hookList<T>(hooks: T | readonly T[] | undefined): T[] {
  return hooks === undefined ? [] : Array.isArray(hooks) ? [...(hooks as readonly T[])] : [hooks as T];
}

/**
 * The route's flow: `valet.admit` for the request's operation (anonymous callers too: the policy
 * decides), setting `request.auth`, then with `delegate` the operation's downstream tokens into
 * `request.downstream`; a refusal is thrown to the route's error handler.
 */
function admitter(
  valet: Valet,
  ids: ReadonlyMap<string, string>,
  withContext: boolean,
  delegate: RouteDelegate | undefined,
): Hook {
  // A scope-only route needs no context built per request.
  const scopeOnly = new Map<string, AdmitFlow>(
    [...ids].map(([method, id]) => [method, { optional: true, operations: [{ id }] }]),
  );
  return async (request) => {
    const id = ids.get(request.method)!;
    const flow = withContext
      ? {
          optional: true,
          operations: [
            {
              id,
              context: {
                arguments: { params: request.params, query: request.query, body: request.body },
                request,
              },
            },
          ],
        }
      : scopeOnly.get(request.method)!;
    request.auth = await valet.admit(admitRequest(request.raw, request.body, flow));
    if (delegate !== undefined) request.downstream = await delegate(request.auth, valet.registry.get(id)!);
  };
}

/** The route's error handler: Valet errors get their status, headers and body; others go to the route's own handler, else up. */
function renderValetErrors(valet: Valet, own: ErrorHandler | undefined): ErrorHandler {
  return function (this: FastifyInstance, error, request, reply) {
    const response = valet.errorResponse(error);
    if (response === undefined) {
      if (own === undefined) throw error;
      return own.call(this, error, request, reply);
    }
    reply.code(response.status).headers(response.headers).send(JSON.stringify(response.body));
  };
}
