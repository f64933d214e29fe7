import { OptionsError, type AuthenticateRequest, type Policy, type Principal, type Valet } from '@valet/core';
import type { ControllerClass, ControllerDefinition } from '@valet/decorators';
import type { ErrorRequestHandler, IRouter, Request, RequestHandler, Response } from 'express';
import { authorizationHeader } from '../internal/authorization-header.js';
import { contentTypeHeader } from '../internal/content-type-header.js';
import { isFormContentType } from '../internal/form-content-type.js';
import { METADATA_HEADERS, METADATA_PREFLIGHT_HEADERS, metadataBody } from '../internal/metadata-response.js';
import { givenPolicy, makeGuard, scopePolicy, unregisteredGuardError } from '../internal/route-guard.js';
import { requestPrincipal, setRequestPrincipal } from '../internal/express-principal.js';
import { urlQuery } from '../internal/url-query.js';
import { mountControllers, type ControllersOptions } from './controllers.js';
import {
  protectedRoutes,
  type ProtectedRoutes,
  type ProtectedRoutesOptions,
  type RouteFlow,
  type RouteGuard,
  type RouteMethod,
} from './protected-routes.js';

declare global {
  // Declaration merging is how Express types request extensions (express-oauth2-jwt-bearer does the same).
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The verified caller, set by Valet; `undefined` when the request carried no credentials (optional authentication). */
      auth?: Principal;
    }
  }
}

/** Options of {@link ValetExpress.authenticate}. Give at most one of `optional` and `authRequired`. */
export interface AuthenticateOptions {
  /**
   * `true` lets a request without credentials through with `req.auth` undefined. A request with
   * a bad token is refused either way. Default `false`.
   */
  readonly optional?: boolean;
  /** The same switch under express-oauth2-jwt-bearer's name: `authRequired: false` is `optional: true`. */
  readonly authRequired?: boolean;
}

/** The Express side of a {@link Valet}: middleware, guards, route declarations, metadata and errors. */
export interface ValetExpress {
  /** The Valet every middleware here uses. */
  readonly valet: Valet;
  /** Middleware that verifies the bearer token and sets `req.auth`; refusals go to `next(err)`. */
  authenticate(options?: AuthenticateOptions): RequestHandler;
  /** A guard requiring every one of `scopes` (`allOf`). */
  requireScopes(scope: string, ...more: string[]): RouteGuard;
  /** A guard requiring at least one of `scopes` (`anyOf`). */
  requireAnyScope(scope: string, ...more: string[]): RouteGuard;
  /** A guard requiring any policy (`and`, `or`, `check`, `publicAccess()`, ...). */
  requirePolicy(policy: Policy): RouteGuard;
  /** Declares guarded routes on an app or router; each lands in the registry as `METHOD /path`. */
  routes(router: Pick<IRouter, RouteMethod>, options?: ProtectedRoutesOptions): ProtectedRoutes;
  /**
   * Mounts `@Controller()` classes on an app or router: each `@Get`/`@Post`/... method becomes a
   * route registered as `METHOD /path` and guarded as in {@link ValetExpress.routes}.
   */
  controllers(
    router: Pick<IRouter, RouteMethod>,
    classes: readonly ControllerClass[],
    options?: ControllersOptions,
  ): readonly ControllerDefinition[];
  /** Serves the RFC 9728 metadata at `valet.metadataPaths` (GET, HEAD; CORS preflight). Mount it at the root. */
  metadataRouter(): RequestHandler;
  /** Renders every Valet error (status, `WWW-Authenticate`, JSON body); passes other errors on. Mount it last. */
  errorHandler(): ErrorRequestHandler;
}

const UNREGISTERED =
  'Declare the route with valetExpress(valet).routes(app).get(path, guard, handler), so that its policy is registered and checked at start-up.';

/**
 * Express middleware for a {@link Valet}. Core never imports a framework, so where one might
 * expect `valet.express()`, this is a function taking the Valet. Works with Express 5 and 4.
 *
 * Routes are declared through {@link ValetExpress.routes}: Express cannot tell a middleware which
 * route it guards, so the declaration is what names the operation (`GET /files/:id`) and puts
 * it in the registry, where it is validated at start-up and listed in the manifest.
 *
 * @example
 * ```ts
 * const api = valetExpress(valet);
 * app.use(express.json(), api.metadataRouter());
 * api.routes(app)
 *   .get('/files/:id', api.requireScopes('files:read'), (req, res) => res.json({ owner: req.auth?.subject }))
 *   .get('/health', publicAccess(), (req, res) => res.send('ok'));
 * app.use(api.errorHandler());
 * ```
 */
export function valetExpress(valet: Valet): ValetExpress {
  if (typeof valet?.authenticate !== 'function' || typeof valet.enforce !== 'function') {
    throw new OptionsError('valet', 'valetExpress() needs a Valet made by createValet().');
  }
  // At once for a request authenticated earlier or a token the verifier holds verified (no
  // promise); else when the promise `valet.authenticateNow` returns settles.
  const principalOf: RouteFlow['principalOf'] = (req, res, optional, then, fail) => {
    const known = requestPrincipal(req, res);
    if (known !== undefined) return then(known);
    const now = valet.authenticateNow(bearerRequest(req, optional));
    if (!(now instanceof Promise)) {
      setRequestPrincipal(req, res, now);
      return then(now);
    }
    now.then((principal) => {
      setRequestPrincipal(req, res, principal);
      then(principal);
    }, fail);
  };
  const guard = (policy: Policy): RouteGuard =>
    makeGuard<RequestHandler>(
      (_req, _res, next) => next(unregisteredGuardError(policy, UNREGISTERED)),
      policy,
    );

  return Object.freeze({
    valet,
    authenticate(options: AuthenticateOptions = {}): RequestHandler {
      const optional = optionalFrom(options);
      return (req, res, next) => principalOf(req, res, optional, () => next(), next);
    },
    requireScopes: (...scopes: string[]) => guard(scopePolicy('allOf', scopes)),
    requireAnyScope: (...scopes: string[]) => guard(scopePolicy('anyOf', scopes)),
    requirePolicy: (policy: Policy) => guard(givenPolicy(policy)),
    routes: (router: Pick<IRouter, RouteMethod>, options: ProtectedRoutesOptions = {}) =>
      protectedRoutes(router, options, { valet, principalOf }),
    controllers: (
      router: Pick<IRouter, RouteMethod>,
      classes: readonly ControllerClass[],
      options: ControllersOptions = {},
    ) => mountControllers(router, classes, options, { valet, principalOf }),
    metadataRouter(): RequestHandler {
      const paths = new Set(valet.metadataPaths);
      const body = metadataBody(valet);
      return (req, res, next) => {
        if (!paths.has(req.path)) return next();
        if (req.method === 'GET' || req.method === 'HEAD') return send(res, 200, METADATA_HEADERS, body());
        if (req.method === 'OPTIONS') return send(res, 204, METADATA_PREFLIGHT_HEADERS);
        next();
      };
    },
    errorHandler(): ErrorRequestHandler {
      return (err: unknown, _req: Request, res: Response, next: (err?: unknown) => void) => {
        const response = valet.errorResponse(err);
        if (response === undefined || res.headersSent) return next(err);
        send(res, response.status, response.headers, JSON.stringify(response.body));
      };
    },
  });
}

/**
 * What `valet.authenticate` reads of the request. Each property read costs more than usual on an
 * Express request (see express-principal.ts): one of each, and the body only when it is
 * form-encoded, the one kind that may carry a token (RFC 6750 section 2.2).
 */
function bearerRequest(req: Request, optional: boolean): AuthenticateRequest {
  const { rawHeaders, url } = req;
  const contentType = contentTypeHeader(rawHeaders);
  return {
    authorization: authorizationHeader(rawHeaders),
    query: urlQuery(url),
    body: isFormContentType(contentType) ? (req.body as unknown) : undefined,
    contentType,
    optional,
  };
}

/** Writes a whole response; Node leaves the body out of a HEAD response. */
function send(res: Response, status: number, headers: Readonly<Record<string, string>>, body?: string): void {
  res.writeHead(
    status,
    body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
  );
  res.end(body);
}

/** `optional` from either spelling, refusing a non-boolean and the two given together. */
function optionalFrom(options: AuthenticateOptions): boolean {
  for (const field of ['optional', 'authRequired'] as const) {
    if (options[field] !== undefined && typeof options[field] !== 'boolean') {
      throw new OptionsError(field, `${field} must be true or false.`);
    }
  }
  if (options.optional !== undefined && options.authRequired !== undefined) {
    throw new OptionsError(
      'authRequired',
      'Give optional or authRequired (its express-oauth2-jwt-bearer spelling), not both.',
    );
  }
  return options.optional ?? options.authRequired === false;
}
