import { OptionsError, type Policy, type Principal, type Valet } from '@valet/core';
import type { ControllerClass, ControllerDefinition } from '@valet/decorators';
import type { ErrorRequestHandler, IRouter, Request, RequestHandler, Response } from 'express';
import { assertValet } from '../internal/assert-valet.js';
import { metadataReplies } from '../internal/metadata-response.js';
import { admitRequest } from '../internal/node-request.js';
import { givenPolicy, makeGuard, scopePolicy, unregisteredGuardError } from '../internal/route-guard.js';
import { send, sendRefusal } from '../internal/send.js';
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
  /**
   * Middleware that verifies the bearer token and sets `req.auth`; refusals go to `next(err)`.
   * Guarded routes authenticate on their own; this is for routes and middleware that only need
   * to know the caller.
   */
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

/**
 * Who Valet admitted a request as, kept in `res.locals` (Express's bag for the request) under a
 * symbol no other code holds: a guarded route after `authenticate()` reuses it instead of
 * verifying again, and a `req.auth` another middleware set is never taken for it.
 */
const ADMITTED = Symbol('valet.admitted');

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
  assertValet(valet, 'valetExpress()');
  const admit: RouteFlow['admit'] = async (req, res, request) => {
    const admitted = res.locals as { [ADMITTED]?: Principal | null } | undefined;
    const known = admitted?.[ADMITTED];
    const principal = await valet.admit(
      known === undefined
        ? admitRequest(req, { body: req.body, ...request })
        : { ...request, principal: known },
    );
    if (admitted !== undefined) admitted[ADMITTED] = principal;
    req.auth = principal ?? undefined;
  };
  const flow: RouteFlow = { valet, admit };
  const guard = (policy: Policy): RouteGuard =>
    makeGuard<RequestHandler>(
      (_req, _res, next) => next(unregisteredGuardError(policy, UNREGISTERED)),
      policy,
    );

  return Object.freeze({
    valet,
    authenticate(options: AuthenticateOptions = {}): RequestHandler {
      const request = { optional: optionalFrom(options) };
      return (req, res, next) => void admit(req, res, request).then(() => next(), next);
    },
    requireScopes: (...scopes: string[]) => guard(scopePolicy('allOf', scopes)),
    requireAnyScope: (...scopes: string[]) => guard(scopePolicy('anyOf', scopes)),
    requirePolicy: (policy: Policy) => guard(givenPolicy(policy)),
    routes: (router: Pick<IRouter, RouteMethod>, options: ProtectedRoutesOptions = {}) =>
      protectedRoutes(router, options, flow),
    controllers: (
      router: Pick<IRouter, RouteMethod>,
      classes: readonly ControllerClass[],
      options: ControllersOptions = {},
    ) => mountControllers(router, classes, options, flow),
    metadataRouter(): RequestHandler {
      const paths = new Set(valet.metadataPaths);
      const reply = metadataReplies(valet);
      return (req, res, next) => {
        const { status, headers, body } = reply(req.method);
        if (!paths.has(req.path) || status === 405) return next();
        send(res, status, headers, body);
      };
    },
    errorHandler(): ErrorRequestHandler {
      return (err: unknown, _req: Request, res: Response, next: (err?: unknown) => void) => {
        const response = valet.errorResponse(err);
        if (response === undefined || res.headersSent) return next(err);
        sendRefusal(res, response);
      };
    },
  });
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
