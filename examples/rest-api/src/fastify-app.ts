import { valetFastify } from '@valet/adapters/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AppOptions } from './app-options.js';
import { fileRoutes } from './file-routes.js';
import { createFileStore } from './file-store.js';
import { scopes } from './scopes.js';

/** The request parts a route reads: the `:name` segment (absent on other routes) and the body. */
type FileRequest = { Params: { name?: string }; Body: unknown };

/**
 * The files API on Fastify: the Valet plugin registered first, then every route of
 * {@link fileRoutes} with a guard for the policy it needs (and its description) as `preHandler`. The plugin serves the RFC 9728
 * metadata, answers refusals (401/403 with their `WWW-Authenticate` challenge) and freezes the
 * registry when the server is ready, so a route naming an unknown scope fails at start-up.
 *
 * @example
 * ```ts
 * const valet = createValet({ registry: new PolicyRegistry({ catalog: scopes }), resource, idp });
 * const app = await createFastifyApp({ valet });
 * await app.listen({ port: 3002, host: '127.0.0.1' });
 * ```
 */
export async function createFastifyApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(valetFastify, { valet: options.valet });
  const api = app.valet.withCatalog(scopes);

  for (const route of fileRoutes(options.store ?? createFileStore())) {
    app.route<FileRequest>({
      method: route.method.toUpperCase() as 'GET' | 'PUT' | 'DELETE',
      url: route.path,
      preHandler: api.requirePolicy(route.policy).describe(route.description),
      handler: async (request, reply) => {
        const { status, body } = route.answer({ name: request.params.name ?? '', body: request.body });
        return reply.code(status).send(body);
      },
    });
  }
  return app;
}
