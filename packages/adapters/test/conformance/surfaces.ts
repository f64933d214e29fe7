import { createServer } from 'node:http';
import { allOf, publicAccess, type OperationKind, type Principal, type Valet } from '@valet/core';
import { valetExpress } from '@valet/adapters/express';
import { valetFastify } from '@valet/adapters/fastify';
import express from 'express';
import express4 from 'express4';
import Fastify from 'fastify';
import { listen } from '../support/fixture.js';
import type { ConformanceCase, Expectation } from './cases.js';
import type { WireRequest } from './http-exchange.js';
import { mcpV1Surface, mcpV2Surface } from './mcp-surface.js';

/** The operations every surface serves for the suite. */
export type Target = 'read' | 'write' | 'public';

/** What a handler answers when a request reaches it: the suite checks the flow got there, as whom. */
export interface Reached {
  readonly target: Target;
  readonly subject: string | null;
}

/** A running server of one surface. */
export interface RunningSurface {
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  close(): Promise<void>;
}

/**
 * One way of serving a Valet over HTTP (Express, Fastify, the MCP handler, ...). To plug in a
 * surface: start a server for the given Valet on 127.0.0.1:0 whose operations are
 * - `read`: requires `files:read` (`allOf`),
 * - `write`: requires `files:read` and `files:write` (`allOf`), accepts a JSON or form body,
 * - `public`: `publicAccess()`,
 * each answering a {@link Reached} when allowed, plus the RFC 9728 metadata; then say how a
 * request reaches each operation and how the surface's sentences name it.
 */
export interface Surface {
  readonly name: string;
  start(valet: Valet): Promise<RunningSurface>;
  /** The request that reaches `target`, without credentials. */
  request(target: Target): WireRequest;
  /** The {@link Reached} in a 2xx body, or `undefined` when the body is not a handler's answer. */
  reached(body: string): Reached | undefined;
  /** How decision reasons name the operation: `Route "GET /files/:id"`. */
  label(target: Target): string;
  /**
   * The expectation for a case whose answer the surface's protocol fixes differently (MCP: HEAD
   * is 405, a message must be JSON); `undefined` keeps the case's own.
   */
  adapt?(c: ConformanceCase): Expectation | undefined;
  /** The operations `start` registers. Default: the three routes, as kind `route`. */
  readonly operations?: { readonly kind: OperationKind; readonly ids: readonly string[] };
}

const reached = (target: Target, auth: Principal | null | undefined): Reached => ({
  target,
  subject: auth?.subject ?? null,
});

/** Express and Fastify serve the operations as the same three routes. */
const ROUTES: Record<Target, { readonly method: string; readonly path: string; readonly id: string }> = {
  read: { method: 'GET', path: '/files/42', id: 'GET /files/:id' },
  write: { method: 'POST', path: '/files', id: 'POST /files' },
  public: { method: 'GET', path: '/health', id: 'GET /health' },
};

const httpRoutes: Pick<Surface, 'request' | 'reached' | 'label'> = {
  request(target) {
    const { method, path } = ROUTES[target];
    return method === 'POST'
      ? { method, path, headers: [['Content-Type', 'application/json']], body: '{"name":"notes.txt"}' }
      : { method, path };
  },
  reached(body) {
    const parsed = JSON.parse(body) as Partial<Reached>;
    return typeof parsed.target === 'string' ? (parsed as Reached) : undefined;
  },
  label: (target) => `Route "${ROUTES[target].id}"`,
};

function expressSurface(name: string, framework: typeof express): Surface {
  return {
    name,
    ...httpRoutes,
    start(valet) {
      const app = framework();
      const api = valetExpress(valet);
      app.use(framework.urlencoded({ extended: false }), framework.json(), api.metadataRouter());
      api
        .routes(app)
        .get('/files/:id', api.requireScopes('files:read'), (req, res) => {
          res.json(reached('read', req.auth));
        })
        .post('/files', api.requireScopes('files:read', 'files:write'), (req, res) => {
          res.json(reached('write', req.auth));
        })
        .get('/health', api.requirePolicy(publicAccess()), (req, res) => {
          res.json(reached('public', req.auth));
        });
      app.use(api.errorHandler());
      return listen(createServer(app));
    },
  };
}

const fastifySurface: Surface = {
  name: 'Fastify 5',
  ...httpRoutes,
  async start(valet) {
    const app = Fastify();
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(String(body))));
      },
    );
    await app.register(valetFastify, { valet });
    // Both ways of declaring a policy: route config, and a guard in preHandler.
    app.get('/files/:id', { config: { valet: allOf('files:read') } }, async (request) =>
      reached('read', request.auth),
    );
    app.post(
      '/files',
      { preHandler: app.valet.requireScopes('files:read', 'files:write') },
      async (request) => reached('write', request.auth),
    );
    app.get('/health', { config: { valet: publicAccess() } }, async (request) =>
      reached('public', request.auth),
    );
    const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    return { baseUrl, close: () => app.close() };
  },
};

/** Every surface the suite runs against. */
export const SURFACES: readonly Surface[] = [
  expressSurface('Express 5', express),
  expressSurface('Express 4', express4),
  fastifySurface,
  mcpV1Surface,
  mcpV2Surface,
];
