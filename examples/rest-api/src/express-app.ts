import { valetExpress } from '@valet/adapters/express';
import type { PolicyRegistry, Valet } from '@valet/core';
import express, { type ErrorRequestHandler, type Express, type Request } from 'express';
import type { AppOptions } from './app-options.js';
import { fileRoutes } from './file-routes.js';
import { createFileStore } from './file-store.js';
import { scopes } from './scopes.js';

/** Options of {@link createExpressApp}: those of both apps, and the Valet may be a registry alone. */
export interface ExpressAppOptions extends Omit<AppOptions, 'valet'> {
  /**
   * The Valet to enforce with; or, to document the routes without serving them (`valet
   * manifest`), a `PolicyRegistry` alone: no verifier, so no issuer is needed.
   */
  readonly valet: Valet | PolicyRegistry;
}

/**
 * The files API on Express: every route of {@link fileRoutes} declared through Valet with the
 * scope it needs, the RFC 9728 metadata served, refusals answered by Valet's error handler
 * (401/403 with their `WWW-Authenticate` challenge). Freezes the Valet's registry, so a route
 * naming an unknown scope fails here rather than at the first request. Given a registry instead
 * of a Valet, it declares the same routes there, for `valet manifest` (see `manifest.ts`).
 *
 * @example
 * ```ts
 * const valet = createValet({ registry: new PolicyRegistry({ catalog: scopes }), resource, idp });
 * createExpressApp({ valet }).listen(3001, '127.0.0.1');
 * ```
 */
export function createExpressApp(options: ExpressAppOptions): Express {
  const { valet } = options;
  // The catalog types the guards: api.requireScopes('files:raed') would not compile.
  const api = valetExpress(valet, { catalog: scopes });
  const app = express();
  app.use(express.json(), api.metadataRouter());

  const routes = api.routes(app);
  for (const route of fileRoutes(options.store ?? createFileStore())) {
    const guard = api.requirePolicy(route.policy).describe(route.description);
    routes[route.method](route.path, guard, (req, res) => {
      const { status, body } = route.answer({ name: fileName(req), body: req.body as unknown });
      if (body === undefined) return void res.status(status).end();
      res.status(status).json(body);
    });
  }

  app.use(api.errorHandler(), otherErrors);
  valet.freeze();
  return app;
}

/** The `:name` route parameter (a string for a `:name` segment; typed wider by Express for wildcards). */
const fileName = (req: Request): string => (typeof req.params.name === 'string' ? req.params.name : '');

/** What Valet's handler passes on (a malformed JSON body, a bug): JSON, without a stack trace. */
const otherErrors: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return void res
      .status(status)
      .json({ error: 'invalid_request', error_description: 'The request body could not be read.' });
  }
  console.error(err);
  res.status(500).json({ error: 'server_error' });
};
