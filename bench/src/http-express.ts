/**
 * Express 5: a route requiring scope files:read, with Valet (token cache off: JwtVerifier; on:
 * CachingVerifier), with express-oauth2-jwt-bearer, and without auth. Goals: cache on >= 0.9x
 * no auth; cache off >= express-oauth2-jwt-bearer.
 *
 *   pnpm --filter @valet/core --filter @valet/testing --filter @valet/adapters build
 *   pnpm --filter ./bench build && pnpm --filter ./bench http:express
 */
import { comparePairs } from './http-harness.js';

await comparePairs('Express 5, GET /files/:id with scope files:read', [
  {
    server: 'express/valet-cache',
    label: 'Valet, cache on (CachingVerifier)',
    against: 'express/none',
    againstLabel: 'no auth',
    goal: 0.9,
  },
  {
    server: 'express/valet',
    label: 'Valet, cache off (JwtVerifier)',
    against: 'express/oauth2-jwt-bearer',
    againstLabel: 'express-oauth2-jwt-bearer',
    goal: 1,
  },
]);
