import { publicAccess, type ScopeOf, type Valet } from '@valet/core';
import { valetExpress } from '@valet/adapters/express';
import express, { type ErrorRequestHandler, type Express, type Request } from 'express';
import { createFileStore, type FileStore } from './file-store.js';
import type { scopes } from './scopes.js';

/** Options of {@link createApp}. */
export interface AppOptions {
  /** The Valet to enforce with; its registry should carry the catalog of `scopes.ts`. */
  readonly valet: Valet;
  /** The files served. Default an empty store. */
  readonly store?: FileStore;
}

/** Letters, digits, `.`, `_`, `-`, up to 100 characters, not starting with `.`. */
const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/;

/**
 * The files API on Express: every route declared through Valet with the scope it needs, the
 * RFC 9728 metadata served, refusals answered by Valet's error handler (401/403 with their
 * `WWW-Authenticate` challenge). Freezes the Valet's registry, so a route naming an unknown scope
 * fails here rather than at the first request.
 *
 * @example
 * ```ts
 * const valet = createValet({ registry: new PolicyRegistry({ catalog: scopes }), resource, idp });
 * createApp({ valet }).listen(3001, '127.0.0.1');
 * ```
 */
export function createApp(options: AppOptions): Express {
  const { valet } = options;
  const store = options.store ?? createFileStore();
  const api = valetExpress(valet);
  // Typed to the catalog: a misspelt scope does not compile.
  const requires = (scope: ScopeOf<typeof scopes>) => api.requireScopes(scope);
  const app = express();
  app.use(express.json(), api.metadataRouter());

  api
    .routes(app)
    .get('/health', publicAccess(), (_req, res) => {
      res.json({ status: 'ok' });
    })
    .get('/files', requires('files:read'), (_req, res) => {
      res.json({ files: store.list() });
    })
    .get('/files/:name', requires('files:read'), (req, res) => {
      const file = store.get(fileName(req));
      if (file === undefined) return void res.status(404).json(notFound());
      res.json(file);
    })
    .put('/files/:name', requires('files:write'), (req, res) => {
      const name = fileName(req);
      const content = (req.body as { content?: unknown } | undefined)?.content;
      if (!FILE_NAME.test(name) || typeof content !== 'string') {
        return void res.status(400).json(invalidFile());
      }
      const created = store.put(name, content);
      res.status(created ? 201 : 200).json(store.get(name));
    })
    .delete('/files/:name', requires('files:delete'), (req, res) => {
      if (!store.delete(fileName(req))) return void res.status(404).json(notFound());
      res.status(204).end();
    })
    .get('/admin/stats', requires('files:admin'), (_req, res) => {
      res.json(store.stats());
    });

  app.use(api.errorHandler(), otherErrors);
  valet.freeze();
  return app;
}

/** The `:name` route parameter (a string for a `:name` segment; typed wider by Express for wildcards). */
const fileName = (req: Request): string => (typeof req.params.name === 'string' ? req.params.name : '');

const notFound = () => ({ error: 'not_found', error_description: 'No file by that name.' });

const invalidFile = () => ({
  error: 'invalid_request',
  error_description:
    'Send JSON {"content": "<text>"} to a name of letters, digits, ".", "_" and "-" (up to 100, not starting with ".").',
});

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
