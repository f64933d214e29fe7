import {
  PolicyConfigError,
  type AuthenticateRequest,
  type Policy,
  type Principal,
  type Valet,
} from '@valet/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { authorizationHeader } from '../internal/authorization-header.js';
import { contentTypeHeader } from '../internal/content-type-header.js';
import { isFormContentType } from '../internal/form-content-type.js';
import { usesChecks } from '../internal/policy-checks.js';
import { registerRoute } from '../internal/register-route.js';
import { routeDetailsOf } from '../internal/route-details.js';
import { settleDecision } from '../internal/settle-decision.js';
import { guardPolicy } from '../internal/route-guard.js';
import { urlQuery } from '../internal/url-query.js';

/** A hook's callback: an error refuses the request. */
type Done = (error?: Error) => void;
/** Callback-style hooks: `done` is called at once on a cache hit, else from the promise core returns, with no async function on top. */
type Hook = (request: FastifyRequest, reply: FastifyReply, done: Done) => void;
type ErrorHandler = NonNullable<RouteOptions['errorHandler']>;

/**
 * The `onRoute` hook: a route with a policy (`config: { valet: policy }` or a guard in its
 * `preHandler`) is registered as an operation (`GET /files/:id`, kind `route`) and gets the
 * shared flow as its own hooks, and Valet errors rendered by its error handler. A controller
 * route's handler carries its title, description, source and meta, registered with it.
 * Routes without a policy, or with `config: { valet: false }`, are left alone.
 *
 * Where the flow runs: a policy that needs nothing of the body (no checks) and comes first
 * (`config.valet`, or a guard before any other `preHandler`) is enforced in `onRequest`, so a
 * refused caller costs no body parsing or validation and learns nothing from them; any other
 * policy is authenticated in `onRequest` and enforced where its guard stands in `preHandler`
 * (first, for `config.valet`). A form-encoded body may carry the token (RFC 6750 section 2.2),
 * so such a request waits for its body and runs the whole flow first in `preHandler`.
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
    const enforce = enforcement(valet, ids, policy);
    const userOnRequest = hookList(route.onRequest);
    if (!usesChecks(policy) && (guards.length === 0 || preHandlers[0] === guards[0])) {
      const others = preHandlers.filter((hook) => guardPolicy(hook) === undefined);
      route.onRequest = [authenticator(valet, enforce), ...userOnRequest];
      route.preHandler = methods.every(isBodyless) ? others : [enforcer(valet, enforce, true), ...others];
    } else {
      const late = enforcer(valet, enforce, false);
      route.onRequest = [authenticate, ...userOnRequest];
      route.preHandler =
        guards.length > 0
          ? preHandlers.map((hook) => (guardPolicy(hook) === undefined ? hook : late))
          : [late, ...preHandlers];
    }
    route.errorHandler = renderValetErrors(valet, route.errorHandler);
  };
}

function hookList<T>(hooks: T | readonly T[] | undefined): T[] {
  return hooks === undefined ? [] : Array.isArray(hooks) ? [...(hooks as readonly T[])] : [hooks as T];
}

/** GET and HEAD carry no body Fastify would parse, and RFC 6750 section 2.2 forbids a body token with GET. */
function isBodyless(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

/** True when the token may be in the body: a form-encoded request of a method with one. */
function awaitsBody(request: FastifyRequest): boolean {
  return !isBodyless(request.method) && isFormContentType(contentTypeHeader(request.raw.rawHeaders));
}

/**
 * What `valet.authenticate` reads of the request: its headers and query, plus its parsed body
 * when `withBody` (a form-encoded request, where core sees and refuses a token in it).
 * `optional`: the policy decides about anonymous callers.
 */
function bearerRequest(request: FastifyRequest, withBody: boolean): AuthenticateRequest {
  const { rawHeaders, url } = request.raw;
  const authorization = authorizationHeader(rawHeaders);
  const query = urlQuery(url);
  return withBody
    ? { authorization, query, body: request.body, contentType: contentTypeHeader(rawHeaders), optional: true }
    : { authorization, query, optional: true };
}

/**
 * The `onRequest` step: verifies the token before the body is read, setting `request.auth`, and
 * with `enforce` decides the policy too (one hook). A token the verifier holds verified, on a
 * policy decided at once, is allowed without a promise. A request whose body may carry the
 * token is left to the `preHandler` step.
 */
function authenticator(valet: Valet, enforce?: Enforcement): Hook {
  const next = (request: FastifyRequest, principal: Principal | null, done: Done) => {
    request.auth = principal;
    if (enforce === undefined) done();
    else enforce(request, done);
  };
  return (request, _reply, done) => {
    if (awaitsBody(request)) return done();
    const now = valet.authenticateNow(bearerRequest(request, false));
    if (!(now instanceof Promise)) return next(request, now, done);
    now.then((principal) => next(request, principal, done), done);
  };
}

/** Decides the route's policy for `request.auth`, calling `done` with the refusal or nothing. */
type Enforcement = (request: FastifyRequest, done: Done) => void;

function enforcement(valet: Valet, ids: ReadonlyMap<string, string>, policy: Policy): Enforcement {
  const single = ids.size === 1 ? [...ids.values()][0] : undefined;
  const withContext = usesChecks(policy);
  return (request, done) =>
    settleDecision(
      valet,
      request.auth ?? null,
      single ?? ids.get(request.method)!,
      withContext
        ? { arguments: { params: request.params, query: request.query, body: request.body }, request }
        : undefined,
      done,
    );
}

/**
 * The `preHandler` step: a request that waited for its body is authenticated with it and
 * enforced; any other is enforced here, unless `onRequest` did it already (`early`).
 */
function enforcer(valet: Valet, enforce: Enforcement, early: boolean): Hook {
  return (request, _reply, done) => {
    if (awaitsBody(request)) {
      valet.authenticate(bearerRequest(request, true)).then((principal) => {
        request.auth = principal;
        enforce(request, done);
      }, done);
    } else if (early) {
      done();
    } else {
      enforce(request, done);
    }
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
