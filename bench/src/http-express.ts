/**
 * Express 5: a route requiring scope files:read, with Valet (token cache off: JwtVerifier; on:
 * CachingVerifier), with express-oauth2-jwt-bearer, and without auth. Goals: cache on >= 0.9x
 * no auth; cache off >= express-oauth2-jwt-bearer.
 *
 *   pnpm --filter @valet/core --filter @valet/testing --filter @valet/adapters build
 *   pnpm --filter ./bench build && pnpm --filter ./bench http:express
 */
import { compareServers } from './http-harness.js';

await compareServers('Express 5, GET /files/:id with scope files:read', [
  { server: 'express/none', label: 'no auth' },
  { server: 'express/oauth2-jwt-bearer', label: 'express-oauth2-jwt-bearer' },
  {
    server: 'express/valet',
    label: 'Valet, cache off (JwtVerifier)',
    goal: { against: 'express/oauth2-jwt-bearer', ratio: 1 },
  },
  {
    server: 'express/valet-cache',
    label: 'Valet, cache on (CachingVerifier)',
    goal: { against: 'express/none', ratio: 0.9 },
  },
]);
