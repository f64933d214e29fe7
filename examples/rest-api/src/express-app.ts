import { valetExpress } from '@valet/adapters/express';
import express, { type ErrorRequestHandler, type Express, type Request } from 'express';
import type { AppOptions } from './app-options.js';
import { fileRoutes } from './file-routes.js';
import { createFileStore } from './file-store.js';

/**
 * The files API on Express: every route of {@link fileRoutes} declared through Valet with the
 * scope it needs, the RFC 9728 metadata served, refusals answered by Valet's error handler
 * (401/403 with their `WWW-Authenticate` challenge). Freezes the Valet's registry, so a route
 * naming an unknown scope fails here rather than at the first request.
 *
 * @example
 * ```ts
 * const valet = createValet({ registry: new PolicyRegistry({ catalog: scopes }), resource, idp });
 * createExpressApp({ valet }).listen(3001, '127.0.0.1');
 * ```
 */
export function createExpressApp(options: AppOptions): Express {
  const { valet } = options;
  const api = valetExpress(valet);
  const app = express();
  app.use(express.json(), api.metadataRouter());

  const routes = api.routes(app);
  for (const route of fileRoutes(options.store ?? createFileStore())) {
    routes[route.method](route.path, route.policy, (req, res) => {
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
