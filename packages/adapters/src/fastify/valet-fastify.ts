import { OptionsError, ScopeCatalog, type Policy, type Principal, type Valet } from '@valet/core';
import type { ControllerClass, ControllerDefinition } from '@valet/decorators';
import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { assertValet } from '../internal/assert-valet.js';
import type { DownstreamContext } from '../internal/downstream-context.js';
import { exchangerOption, type TokenExchanger } from '../internal/downstream-grants.js';
import { metadataReplies } from '../internal/metadata-response.js';
import { routeDelegate } from '../internal/route-downstream.js';
import { givenPolicy, makeGuard, scopePolicy, unregisteredGuardError } from '../internal/route-guard.js';
import { mountControllers, type ControllersOptions } from './controllers.js';
import { governRoutes } from './route-governance.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Valet's guards, from {@link valetFastify}. */
    valet: ValetFastify;
  }
  interface FastifyRequest {
    /** The verified caller on a route with a Valet policy; `null` without credentials (or on other routes). */
    auth: Principal | null;
    /**
     * On a route declaring `@Downstream` (or a guard's `downstream()`), once admitted: tokens for
     * exactly its declared audiences, obtained by token exchange, and a `fetch` reaching only
     * them; `null` on other routes.
     */
    downstream: DownstreamContext | null;
  }
  interface FastifyContextConfig {
    /**
     * The route's policy (registered as `METHOD /url`), or a guard from `fastify.valet` (its
     * description, rate limit and downstream needs with it), or `false` to keep Valet off the route.
     */
    valet?: Policy | RouteGuard | false;
  }
}

/** Options of {@link valetFastify}. */
export interface ValetFastifyOptions {
  /** The Valet whose registry the routes land in. */
  readonly valet: Valet;
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
 * A `preHandler` hook carrying a policy: the route it is declared on is registered with that
 * policy. `guard.describe('List notes')` is the same guard with a description for its route,
 * shown in the manifest; `guard.limit('60/m')` the same guard with a rate limit per caller.
 */
export type RouteGuard = ((request: FastifyRequest, reply: FastifyReply) => Promise<void>) & {
  /** The policy the route is registered with. */
  readonly policy: Policy;
  /** The route's description, from `describe()`. */
  readonly description?: string;
  /** This guard with `description` registered for the route it guards. */
  describe(description: string): RouteGuard;
  /**
   * This guard with a rate limit on the route it guards (`'60/m'`, `'100/30s'`, `'10/60'`; see
   * `rateLimited()` in `@valet/core`): counted per caller, 429 with `Retry-After` past it.
   */
  limit(spec: string): RouteGuard;
  /**
   * This guard with a downstream need on the route it guards, as `@Downstream(audience, scopes,
   * options)` declares one on a controller method: once admitted, `request.downstream` has a
   * token for `audience` with `scopes`, obtained with the plugin's `exchanger`. Once per audience.
   *
   * @example
   * ```ts
   * app.post('/files/:id/backup', {
   *   preHandler: app.valet.requireScopes('files:read').downstream('https://backup.example.com', ['backup:write']),
   * }, async (request) => (await request.downstream!.fetch('https://backup.example.com/blobs', { method: 'PUT' })).status);
   * ```
   */
  downstream(audience: string, scopes: readonly string[], options?: { stepUpScope?: string }): RouteGuard;
};

/**
 * What the plugin decorates the instance with: `fastify.valet`. `S` is the scope names its guards
 * accept: any string, or a catalog's names through {@link ValetFastify.withCatalog}.
 */
export interface ValetFastify<S extends string = string> {
  /** The Valet the plugin was registered with. */
  readonly valet: Valet;
  /**
   * The same guards typed to `catalog`'s scope names, so that a misspelt scope is a compile error.
   * `catalog` must be the one the Valet's registry was made with (`new PolicyRegistry({ catalog })`).
   *
   * @example
   * ```ts
   * const api = app.valet.withCatalog(scopes);
   * app.get('/notes', { preHandler: api.requireScopes('notes:read').describe('List notes') }, list);
   * api.requireScopes('notes:raed'); // compile error: not a scope of the catalog
   * ```
   */
  withCatalog<C extends string>(catalog: ScopeCatalog<C>): ValetFastify<C>;
  /** A guard requiring every one of `scopes` (`allOf`), for a route's `preHandler`. */
  requireScopes(scope: S, ...more: S[]): RouteGuard;
  /** A guard requiring at least one of `scopes` (`anyOf`). */
  requireAnyScope(scope: S, ...more: S[]): RouteGuard;
  /** A guard requiring any policy. */
  requirePolicy(policy: Policy): RouteGuard;
  /**
   * Declares the routes of `@Controller()` classes on the instance `valet` was read from (in a
   * `register(plugin, { prefix })` scope, under its prefix): each `@Get`/`@Post`/... method becomes
   * a route governed as one with `config: { valet: policy }`, registered as `METHOD /url` with its
   * title, description and source (`FilesController.read`). Returns the definitions.
   *
   * @example
   * ```ts
   * app.valet.controllers([FilesController, HealthController], { container });
   * await app.register(
   *   async (v2) => {
   *     v2.valet.controllers([FilesV2Controller]); // GET /v2/files/:id, ...
   *   },
   *   { prefix: '/v2' },
   * );
   * ```
   */
  controllers(
    classes: readonly ControllerClass[],
    options?: ControllersOptions,
  ): readonly ControllerDefinition[];
}

const UNREGISTERED =
  "Give the guard in the route's preHandler option (or the policy as config: { valet }) and register the Valet plugin before the route, so that the route is registered and checked at start-up.";

const plugin: FastifyPluginCallback<ValetFastifyOptions> = (fastify, options, done) => {
  const valet = options?.valet;
  let exchanger: TokenExchanger | undefined;
  try {
    assertValet(valet, 'The Valet Fastify plugin ({ valet })');
    exchanger = exchangerOption(options?.exchanger);
  } catch (error) {
    return done(error as Error);
  }
  const guard = (policy: Policy): RouteGuard =>
    makeGuard(
      () => async () => {
        throw unregisteredGuardError(policy, UNREGISTERED);
      },
      policy,
    );
  const common = {
    valet,
    requireScopes: (...scopes: string[]) => guard(scopePolicy('allOf', scopes)),
    requireAnyScope: (...scopes: string[]) => guard(scopePolicy('anyOf', scopes)),
    requirePolicy: (policy: Policy) => guard(givenPolicy(policy)),
  };
  const views = new WeakMap<FastifyInstance, ValetFastify>();
  fastify.decorateRequest('auth', null);
  fastify.decorateRequest('downstream', null);
  // A getter, so that controllers() declares routes on the instance it is read from: an
  // encapsulated plugin's instance inherits it, and its routes keep the plugin's prefix.
  fastify.decorate('valet', {
    getter(this: FastifyInstance): ValetFastify {
      let view = views.get(this);
      if (view === undefined) {
        view = Object.freeze({
          ...common,
          controllers: (classes: readonly ControllerClass[], options: ControllersOptions = {}) =>
            mountControllers(this, valet, classes, options),
          withCatalog: <C extends string>(catalog: ScopeCatalog<C>): ValetFastify<C> => {
            if (!(catalog instanceof ScopeCatalog) || catalog !== valet.registry.catalog) {
              throw new OptionsError(
                'catalog',
                "withCatalog() needs the ScopeCatalog of the Valet's registry (new PolicyRegistry({ catalog })), so that the scopes the guards accept are the ones checked at start-up.",
              );
            }
            // Only the types narrow: the guards are the same.
            return view as ValetFastify<C>;
          },
        });
        views.set(this, view);
      }
      return view;
    },
  });
  fastify.addHook(
    'onRoute',
    governRoutes(valet, exchanger === undefined ? undefined : routeDelegate(valet, exchanger)),
  );
  // Validates every policy when the server starts, not at the first request.
  fastify.addHook('onReady', async () => valet.freeze());
  serveMetadata(fastify, valet);
  done();
};

function serveMetadata(fastify: FastifyInstance, valet: Valet): void {
  const reply = metadataReplies(valet);
  const config = { valet: false } as const;
  for (const url of valet.metadataPaths) {
    fastify.route({
      method: ['GET', 'OPTIONS'],
      url,
      config,
      handler: async (request, response) => {
        const { status, headers, body } = reply(request.method);
        return response.code(status).headers(headers).send(body);
      },
    });
  }
}

/**
 * The Valet plugin for Fastify 5 (wrapped with fastify-plugin, so it applies to the instance it
 * is registered on). Register it before the routes it should govern: it sees routes through the
 * `onRoute` hook. A route with `config: { valet: policy }` or a guard from `fastify.valet` in its
 * `preHandler` is registered in `valet.registry` as `METHOD /url` (kind `route`), is admitted by the
 * shared flow in its first `preValidation` hook (setting `request.auth`), and answers refusals
 * with their status, `WWW-Authenticate` and JSON body. The registry is frozen (every policy
 * validated) when the server is ready. The RFC 9728 metadata is served at `valet.metadataPaths`.
 * Decorated controllers are declared with `app.valet.controllers([...])`.
 *
 * @example
 * ```ts
 * const app = Fastify();
 * await app.register(valetFastify, { valet });
 * app.get('/files/:id', { config: { valet: allOf('files:read') } }, async (request) => ({ owner: request.auth?.subject }));
 * app.delete('/files/:id', { preHandler: app.valet.requireScopes('files:write') }, async () => ({ deleted: true }));
 * await app.listen({ port: 3000 });
 * ```
 */
export const valetFastify = fp(plugin, { fastify: '5.x', name: '@valet/adapters/fastify' });
