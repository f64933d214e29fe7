import { PolicyConfigError, type Policy, type Valet } from '@valet/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { authorizationHeader } from '../internal/authorization-header.js';
import { contentTypeHeader } from '../internal/content-type-header.js';
import { isFormContentType } from '../internal/form-content-type.js';
import { usesChecks } from '../internal/policy-checks.js';
import { registerRoute } from '../internal/register-route.js';
import { routeDetailsOf } from '../internal/route-details.js';
import { guardPolicy } from '../internal/route-guard.js';
import { urlQuery } from '../internal/url-query.js';

/** Callback-style hooks: `done` is called from the promise core returns, with no async function's promise and await on top. */
type Hook = (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => void;
type ErrorHandler = NonNullable<RouteOptions['errorHandler']>;

/**
 * The `onRoute` hook: a route with a policy (`config: { valet: policy }` or a guard in its
 * `preHandler`) is registered as an operation (`GET /files/:id`, kind `route`) and gets the
 * shared flow as its own hooks: authenticate in `onRequest` (before the body is read), enforce
 * where the guard was (or first in `preHandler`), and Valet errors rendered by its error handler.
 * A controller route's handler carries its title, description, source and meta, registered with it.
 * Routes without a policy, or with `config: { valet: false }`, are left alone.
 */
export function governRoutes(valet: Valet): (route: RouteOptions) => void {
  const { registry } = valet;
  const authenticate = authenticator(valet);
  const operationFor = (method: string, route: RouteOptions, policy: Policy): string => {
    // Fastify adds a HEAD route for every GET route: it is the same operation.
    const get = method === 'HEAD' ? registry.get(`GET ${route.url}`) : undefined;
    return get !== undefined && get.policy === policy
      ? get.id
      : registerRoute(registry, method, route.url, policy, routeDetailsOf(route.handler));
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
    const policy = configured ?? guardPolicy(guards[0]);
    if (policy === undefined) return;
    if (typeof policy !== 'object' || policy === null || typeof policy.kind !== 'string') {
      throw new PolicyConfigError(
        `${where}: config.valet must be a Policy (allOf(...), publicAccess(), ...) or false.`,
      );
    }
    const ids = new Map(methods.map((method) => [method, operationFor(method, route, policy)]));
    const enforce = enforcer(valet, ids, policy);
    route.onRequest = [authenticate, ...hookList(route.onRequest)];
    route.preHandler =
      guards.length > 0
        ? preHandlers.map((hook) => (guardPolicy(hook) === undefined ? hook : enforce))
        : [enforce, ...preHandlers];
    route.errorHandler = renderValetErrors(valet, route.errorHandler);
  };
}

function hookList<T>(hooks: T | readonly T[] | undefined): T[] {
  return hooks === undefined ? [] : Array.isArray(hooks) ? [...(hooks as readonly T[])] : [hooks as T];
}

/**
 * Verifies the token before the body is read, so a refused caller never makes the server parse
 * its upload. A form-encoded request waits for its body: RFC 6750 section 2.2 lets a token ride
 * in it, and core must see it to refuse it.
 */
function authenticator(valet: Valet): Hook {
  return (request, _reply, done) => {
    const { rawHeaders, url } = request.raw;
    if (isFormContentType(contentTypeHeader(rawHeaders))) return done();
    valet
      .authenticate({ authorization: authorizationHeader(rawHeaders), query: urlQuery(url), optional: true })
      .then((principal) => {
        request.auth = principal;
        done();
      }, done);
  };
}

function enforcer(valet: Valet, ids: ReadonlyMap<string, string>, policy: Policy): Hook {
  const single = ids.size === 1 ? [...ids.values()][0] : undefined;
  const withContext = usesChecks(policy);
  const enforce = (request: FastifyRequest): Promise<unknown> =>
    valet.enforce(
      request.auth,
      single ?? ids.get(request.method)!,
      withContext
        ? { arguments: { params: request.params, query: request.query, body: request.body }, request }
        : undefined,
    );
  return (request, _reply, done) => {
    const { rawHeaders, url } = request.raw;
    const contentType = contentTypeHeader(rawHeaders);
    if (!isFormContentType(contentType)) {
      enforce(request).then(() => done(), done);
      return;
    }
    valet
      .authenticate({
        authorization: authorizationHeader(rawHeaders),
        query: urlQuery(url),
        body: request.body,
        contentType,
        optional: true,
      })
      .then((principal) => {
        request.auth = principal;
        return enforce(request);
      })
      .then(() => done(), done);
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
