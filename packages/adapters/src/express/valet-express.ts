import {
  OptionsError,
  PolicyConfigError,
  PolicyRegistry,
  ScopeCatalog,
  type Policy,
  type Principal,
  type Valet,
} from '@valet/core';
import type { ControllerClass, ControllerDefinition } from '@valet/decorators';
import type { ErrorRequestHandler, IRouter, Request, RequestHandler, Response } from 'express';
import { assertValet } from '../internal/assert-valet.js';
import type { DownstreamContext } from '../internal/downstream-context.js';
import { exchangerOption, type TokenExchanger } from '../internal/downstream-grants.js';
import { metadataReplies } from '../internal/metadata-response.js';
import { admitRequest } from '../internal/node-request.js';
import { routeDelegate } from '../internal/route-downstream.js';
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
      /**
       * On a route declaring `@Downstream` (or a guard's `downstream()`), once admitted: tokens for
       * exactly its declared audiences, obtained by token exchange, and a `fetch` reaching only them.
       */
      downstream?: DownstreamContext;
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

/** Options of {@link valetExpress}. */
export interface ValetExpressOptions<S extends string = string> {
  /**
   * The scope catalog of the Valet's registry (`defineScopes(...)`), to type the guards: with it,
   * `requireScopes('notes:raed')` is a compile error. Must be the registry's own catalog. Without
   * it, scopes are plain strings, still checked against the registry's catalog at start-up.
   */
  readonly catalog?: ScopeCatalog<S>;
  /**
   * Obtains the downstream tokens of routes declared with `@Downstream` (or a guard's
   * `downstream()`), exchanging the caller's token (RFC 8693) once the request is admitted and
   * before the handlers run: a refusal for want of consent or scope is answered 403
   * `insufficient_scope` naming the step-up scope, an unreachable IdP 503 with `Retry-After`, any
   * other refusal 502. Required when a route declares a downstream need.
   */
  readonly exchanger?: TokenExchanger;
}

/**
 * The Express side of a {@link Valet}: middleware, guards, route declarations, metadata and
 * errors. `S` is the scope names the guards accept (see {@link ValetExpressOptions.catalog});
 * `V` is `undefined` when it was made from a registry only.
 */
export interface ValetExpress<S extends string = string, V extends Valet | undefined = Valet> {
  /** The Valet every middleware here uses; `undefined` when made from a registry only. */
  readonly valet: V;
  /** The registry routes are declared in: the Valet's. */
  readonly registry: PolicyRegistry;
  /**
   * Middleware that verifies the bearer token and sets `req.auth`; refusals go to `next(err)`.
   * Guarded routes authenticate on their own; this is for routes and middleware that only need
   * to know the caller.
   */
  authenticate(options?: AuthenticateOptions): RequestHandler;
  /** A guard requiring every one of `scopes` (`allOf`); `.describe('List notes')` gives its route a description. */
  requireScopes(scope: S, ...more: S[]): RouteGuard;
  /** A guard requiring at least one of `scopes` (`anyOf`). */
  requireAnyScope(scope: S, ...more: S[]): RouteGuard;
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

const REGISTRY_ONLY =
  'valetExpress() was given a PolicyRegistry, not a Valet: its routes are declared (for "valet manifest") but cannot be served. Give it the Valet made by createValet() to serve them.';

/**
 * Express middleware for a {@link Valet}. Core never imports a framework, so where one might
 * expect `valet.express()`, this is a function taking the Valet. Works with Express 5 and 4.
 *
 * Routes are declared through {@link ValetExpress.routes}: Express cannot tell a middleware which
 * route it guards, so the declaration is what names the operation (`GET /files/:id`) and puts
 * it in the registry, where it is validated at start-up and listed in the manifest.
 *
 * Given a {@link PolicyRegistry} instead of a Valet, it only declares: routes land in the
 * registry, so that `valet manifest` can document an app built without a verifier (no issuer,
 * no network); every guarded request is refused with a {@link PolicyConfigError}, and the
 * metadata and error middleware pass requests on.
 *
 * @example
 * ```ts
 * const api = valetExpress(valet, { catalog: scopes }); // guards typed to the catalog's scopes
 * app.use(express.json(), api.metadataRouter());
 * api.routes(app)
 *   .get('/files/:id', api.requireScopes('files:read').describe('Read a file'), (req, res) =>
 *     res.json({ owner: req.auth?.subject }),
 *   )
 *   .get('/health', publicAccess(), (req, res) => res.send('ok'));
 * app.use(api.errorHandler());
 * ```
 */
export function valetExpress<S extends string = string, V extends Valet | PolicyRegistry = Valet>(
  valet: V,
  options?: ValetExpressOptions<S>,
): ValetExpress<S, V extends Valet ? Valet : undefined>;
export function valetExpress<S extends string>(
  valet: Valet | PolicyRegistry,
  options: ValetExpressOptions<S> = {},
): ValetExpress<S, Valet | undefined> {
  if (valet instanceof PolicyRegistry) return declaringOnly(valet, options);
  assertValet(valet, 'valetExpress()');
  const registry = checkedRegistry(valet.registry, options);
  const exchanger = exchangerOption(options.exchanger);
  const admit: RouteFlow['admit'] = (req, res, request) => {
    const admitted = res.locals as { [ADMITTED]?: Principal | null } | undefined;
    const known = admitted?.[ADMITTED];
    let admitting: Promise<Principal | null>;
    try {
      admitting = valet.admit(
        known === undefined ? admitRequest(req, req.body, request) : { ...request, principal: known },
      );
    } catch (error) {
      // admitRequest refuses a request whose header lines Node may have dropped (431).
      return Promise.reject(error);
    }
    return admitting.then((principal) => {
      if (admitted !== undefined) admitted[ADMITTED] = principal;
      req.auth = principal ?? undefined;
    });
  };
  return Object.freeze({
    ...declarations<S>({
      registry,
      admit,
      delegate: exchanger === undefined ? undefined : routeDelegate(valet, exchanger),
    }),
    valet,
    authenticate(options: AuthenticateOptions = {}): RequestHandler {
      const request = { optional: optionalFrom(options) };
      return (req, res, next) => void admit(req, res, request).then(() => next(), next);
    },
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

type Declarations<S extends string> = Pick<
  ValetExpress<S>,
  'registry' | 'requireScopes' | 'requireAnyScope' | 'requirePolicy' | 'routes' | 'controllers'
>;

/** The guards and route declarations, the same whether the flow serves requests or refuses them all. */
function declarations<S extends string>(flow: RouteFlow): Declarations<S> {
  const guard = (policy: Policy): RouteGuard =>
    makeGuard<RequestHandler>(
      () => (_req, _res, next) => next(unregisteredGuardError(policy, UNREGISTERED)),
      policy,
    );
  return {
    registry: flow.registry,
    requireScopes: (...scopes: S[]) => guard(scopePolicy('allOf', scopes)),
    requireAnyScope: (...scopes: S[]) => guard(scopePolicy('anyOf', scopes)),
    requirePolicy: (policy: Policy) => guard(givenPolicy(policy)),
    routes: (router: Pick<IRouter, RouteMethod>, options: ProtectedRoutesOptions = {}) =>
      protectedRoutes(router, options, flow),
    controllers: (
      router: Pick<IRouter, RouteMethod>,
      classes: readonly ControllerClass[],
      options: ControllersOptions = {},
    ) => mountControllers(router, classes, options, flow),
  };
}

/** {@link valetExpress} on a registry alone: routes are declared; requests are refused, or passed on. */
function declaringOnly<S extends string>(
  registry: PolicyRegistry,
  options: ValetExpressOptions<S>,
): ValetExpress<S, undefined> {
  checkedRegistry(registry, options);
  const refuse = (): Promise<never> => Promise.reject(new PolicyConfigError(REGISTRY_ONLY));
  const passOn: RequestHandler = (_req, _res, next) => next();
  return Object.freeze({
    ...declarations<S>({ registry, admit: refuse, delegate: refuse }),
    valet: undefined,
    authenticate: (): RequestHandler => (_req, _res, next) => void refuse().catch(next),
    metadataRouter: () => passOn,
    errorHandler: () => (err: unknown, _req: Request, _res: Response, next: (err?: unknown) => void) =>
      next(err),
  });
}

/** The registry, once `catalog` (when given) is checked to be its own: the types then say what start-up checks. */
function checkedRegistry(registry: PolicyRegistry, { catalog }: ValetExpressOptions<string>): PolicyRegistry {
  if (catalog !== undefined && (!(catalog instanceof ScopeCatalog) || catalog !== registry.catalog)) {
    throw new OptionsError(
      'catalog',
      "catalog must be the ScopeCatalog of the Valet's registry (new PolicyRegistry({ catalog })), so that the scopes the guards accept are the ones checked at start-up.",
    );
  }
  return registry;
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
