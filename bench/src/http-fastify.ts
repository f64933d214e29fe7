/**
 * Fastify 5: a route requiring scope files:read, with Valet (token cache off and on), with
 * @fastify/jwt plus a scope check in preHandler, and without auth. Goal: cache on >= 0.9x no
 * auth; cache off is compared with @fastify/jwt, without a goal.
 *
 *   pnpm --filter @valet/core --filter @valet/testing --filter @valet/adapters build
 *   pnpm --filter ./bench build && pnpm --filter ./bench http:fastify
 */
import { comparePairs } from './http-harness.js';

await comparePairs('Fastify 5, GET /files/:id with scope files:read', [
  {
    server: 'fastify/valet-cache',
    label: 'Valet, cache on (CachingVerifier)',
    against: 'fastify/none',
    againstLabel: 'no auth',
    goal: 0.9,
  },
  {
    server: 'fastify/valet',
    label: 'Valet, cache off (JwtVerifier)',
    against: 'fastify/fastify-jwt',
    againstLabel: '@fastify/jwt + scope check',
  },
]);
