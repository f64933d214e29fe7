/**
 * The servers the HTTP benchmarks measure, one per process: `node dist/http-servers.js <name>`
 * builds the named server, listens on 127.0.0.1:0 and prints `READY <port>`. Every server
 * answers `GET /files/:id` with `{ id, subject }`, requiring scope `files:read` when it checks.
 * The issuer, its JWKS URL and the audience come from the environment (see http-harness.ts).
 */
import { createPublicKey } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { valetExpress } from '@valet/adapters/express';
import { valetFastify } from '@valet/adapters/fastify';
import {
  CachingVerifier,
  JwtVerifier,
  PolicyRegistry,
  allOf,
  createValet,
  type TokenVerifier,
  type Valet,
} from '@valet/core';
import fastifyJwt from '@fastify/jwt';
import express from 'express';
import { auth, requiredScopes } from 'express-oauth2-jwt-bearer';
import Fastify, { type FastifyInstance } from 'fastify';
import type { JSONWebKeySet } from 'jose';

const ISSUER = process.env.BENCH_ISSUER!;
const JWKS_URI = process.env.BENCH_JWKS_URI!;
const AUDIENCE = process.env.BENCH_AUDIENCE!;
const SCOPE = 'files:read';

function valet(cache: boolean): Valet {
  const jwt = new JwtVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwksUri: JWKS_URI,
    algorithms: ['RS256'],
  });
  const verifier: TokenVerifier = cache ? new CachingVerifier(jwt) : jwt;
  return createValet({
    registry: new PolicyRegistry(),
    resource: AUDIENCE,
    verifier,
    authorizationServers: [ISSUER],
  });
}

function expressApp(kind: 'none' | 'valet' | 'valet-cache' | 'oauth2-jwt-bearer'): express.Express {
  const app = express();
  const answer = (req: express.Request, res: express.Response, subject: unknown) => {
    res.json({ id: req.params.id, subject });
  };
  if (kind === 'none') {
    app.get('/files/:id', (req, res) => answer(req, res, null));
  } else if (kind === 'oauth2-jwt-bearer') {
    app.use(auth({ issuer: ISSUER, jwksUri: JWKS_URI, audience: AUDIENCE, tokenSigningAlg: 'RS256' }));
    app.get('/files/:id', requiredScopes(SCOPE), (req, res) => answer(req, res, null));
  } else {
    const api = valetExpress(valet(kind === 'valet-cache'));
    api
      .routes(app)
      .get('/files/:id', api.requireScopes(SCOPE), (req, res) => answer(req, res, req.auth?.subject));
    app.use(api.errorHandler());
    api.valet.freeze();
  }
  return app;
}

/** @fastify/jwt with the issuer's public key, and the scope check a user would write. */
async function fastifyJwtApp(app: FastifyInstance): Promise<void> {
  const { keys } = (await (await fetch(JWKS_URI)).json()) as JSONWebKeySet;
  const pem = createPublicKey({ key: keys[0]!, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  await app.register(fastifyJwt, {
    secret: { public: pem.toString(), private: '' },
    verify: { allowedIss: ISSUER, allowedAud: AUDIENCE, algorithms: ['RS256'] },
  });
  app.get(
    '/files/:id',
    {
      preHandler: async (request, reply) => {
        const claims = await request.jwtVerify<{ scope?: string; sub?: string }>();
        if (!(claims.scope ?? '').split(' ').includes(SCOPE))
          return reply.code(403).send({ error: 'insufficient_scope' });
      },
    },
    async (request) => ({ id: (request.params as { id: string }).id, subject: null }),
  );
}

async function fastifyApp(kind: 'none' | 'valet' | 'valet-cache' | 'fastify-jwt'): Promise<FastifyInstance> {
  const app = Fastify();
  if (kind === 'fastify-jwt') {
    await fastifyJwtApp(app);
    return app;
  }
  if (kind !== 'none') await app.register(valetFastify, { valet: valet(kind === 'valet-cache') });
  const config = { valet: kind === 'none' ? false : allOf(SCOPE) } as const;
  app.get('/files/:id', { config }, async (request) => ({
    id: (request.params as { id: string }).id,
    subject: request.auth?.subject ?? null,
  }));
  return app;
}

/** The server names the harness may ask for. */
export const SERVERS = {
  'express/none': () => listenExpress(expressApp('none')),
  'express/valet': () => listenExpress(expressApp('valet')),
  'express/valet-cache': () => listenExpress(expressApp('valet-cache')),
  'express/oauth2-jwt-bearer': () => listenExpress(expressApp('oauth2-jwt-bearer')),
  'fastify/none': async () => listenFastify(await fastifyApp('none')),
  'fastify/valet': async () => listenFastify(await fastifyApp('valet')),
  'fastify/valet-cache': async () => listenFastify(await fastifyApp('valet-cache')),
  'fastify/fastify-jwt': async () => listenFastify(await fastifyApp('fastify-jwt')),
} as const;

/** One of {@link SERVERS}. */
export type ServerName = keyof typeof SERVERS;

function listenExpress(app: express.Express): Promise<number> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

async function listenFastify(app: FastifyInstance): Promise<number> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as AddressInfo).port;
}

const name = process.argv[2];
if (name !== undefined) {
  if (!(name in SERVERS))
    throw new Error(`unknown server "${name}"; one of ${Object.keys(SERVERS).join(', ')}`);
  const port = await SERVERS[name as ServerName]();
  // The harness asks for this process's CPU time around a run: cost per request, whatever else the machine runs.
  process.on('message', () => process.send!(process.cpuUsage()));
  console.log(`READY ${port}`);
}
