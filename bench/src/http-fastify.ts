/**
 * Fastify 5: a route requiring scope files:read, with Valet (token cache off and on), with
 * @fastify/jwt plus a scope check in preHandler, and without auth. Goal: cache on >= 0.9x no auth.
 *
 *   pnpm --filter @valet/core --filter @valet/testing --filter @valet/adapters build
 *   pnpm --filter ./bench build && pnpm --filter ./bench http:fastify
 */
import { compareServers } from './http-harness.js';

await compareServers('Fastify 5, GET /files/:id with scope files:read', [
  { server: 'fastify/none', label: 'no auth' },
  { server: 'fastify/fastify-jwt', label: '@fastify/jwt + scope check' },
  { server: 'fastify/valet', label: 'Valet, cache off (JwtVerifier)' },
  {
    server: 'fastify/valet-cache',
    label: 'Valet, cache on (CachingVerifier)',
    goal: { against: 'fastify/none', ratio: 0.9 },
  },
]);
