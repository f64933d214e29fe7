import { allOf, publicAccess, type ScopeOf, type Valet } from '@valet/core';
import { valetFastify } from '@valet/adapters/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { createFileStore, type FileStore } from './file-store.js';
import type { scopes } from './scopes.js';

/** Options of {@link createApp}. */
export interface AppOptions {
  /** The Valet to enforce with; its registry should carry the catalog of `scopes.ts`. */
  readonly valet: Valet;
  /** The files served. Default an empty store. */
  readonly store?: FileStore;
}

type Scope = ScopeOf<typeof scopes>;
type Named = { Params: { name: string } };

/** Letters, digits, `.`, `_`, `-`, up to 100 characters, not starting with `.`. */
const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/;

/** Route options requiring `scope` (typed to the catalog: a misspelt scope does not compile). */
const requires = (scope: Scope) => ({ config: { valet: allOf(scope) } });

/**
 * The files API on Fastify: the Valet plugin registered first, then every route with the scope it
 * needs as `config: { valet }`. The plugin serves the RFC 9728 metadata, answers refusals (401/403
 * with their `WWW-Authenticate` challenge) and freezes the registry when the server is ready, so a
 * route naming an unknown scope fails at start-up.
 *
 * @example
 * ```ts
 * const valet = createValet({ registry: new PolicyRegistry({ catalog: scopes }), resource, idp });
 * const app = await createApp({ valet });
 * await app.listen({ port: 3002, host: '127.0.0.1' });
 * ```
 */
export async function createApp(options: AppOptions): Promise<FastifyInstance> {
  const store = options.store ?? createFileStore();
  const app = Fastify();
  await app.register(valetFastify, { valet: options.valet });

  app.get('/health', { config: { valet: publicAccess() } }, async () => ({ status: 'ok' }));
  app.get('/files', requires('files:read'), async () => ({ files: store.list() }));
  app.get<Named>('/files/:name', requires('files:read'), async (request, reply) => {
    return store.get(request.params.name) ?? reply.code(404).send(notFound());
  });
  app.put<Named & { Body: unknown }>('/files/:name', requires('files:write'), async (request, reply) => {
    const { name } = request.params;
    const content = (request.body as { content?: unknown } | undefined)?.content;
    if (!FILE_NAME.test(name) || typeof content !== 'string') return reply.code(400).send(invalidFile());
    const created = store.put(name, content);
    return reply.code(created ? 201 : 200).send(store.get(name));
  });
  app.delete<Named>('/files/:name', requires('files:delete'), async (request, reply) => {
    if (!store.delete(request.params.name)) return reply.code(404).send(notFound());
    return reply.code(204).send();
  });
  app.get('/admin/stats', requires('files:admin'), async () => store.stats());
  return app;
}

const notFound = () => ({ error: 'not_found', error_description: 'No file by that name.' });

const invalidFile = () => ({
  error: 'invalid_request',
  error_description:
    'Send JSON {"content": "<text>"} to a name of letters, digits, ".", "_" and "-" (up to 100, not starting with ".").',
});
