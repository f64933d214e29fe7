import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PolicyConfigError, allOf, and, publicAccess } from '@valet/core';
import { valetExpress } from '@valet/adapters/express';
import express, { type Express } from 'express';
import {
  exchange,
  parseChallenge,
  type WireRequest,
  type WireResponse,
} from '../conformance/http-exchange.js';
import { adapterFixture, listen, type AdapterFixture } from '../support/fixture.js';
import { ownerCheck } from '../support/owner-check.js';

let fixture: AdapterFixture;

beforeAll(async () => {
  fixture = await adapterFixture();
});

afterAll(() => fixture.close());

/** Serves `app`, sends the requests, and closes it. */
async function call<const R extends readonly WireRequest[]>(
  app: Express,
  ...requests: R
): Promise<{ [K in keyof R]: WireResponse }> {
  const server = await listen(createServer(app));
  try {
    const responses = await Promise.all(requests.map((req) => exchange(server.baseUrl, req)));
    return responses as { [K in keyof R]: WireResponse };
  } finally {
    await server.close();
  }
}

const get = (path: string, token?: string): WireRequest => ({
  method: 'GET',
  path,
  headers: token === undefined ? [] : [['Authorization', `Bearer ${token}`]],
});

describe('routes(): declaring a route registers it', () => {
  it('as kind "route", id "METHOD path", with its policy and method/path as meta', () => {
    const api = valetExpress(fixture.valet());
    const guard = api.requireScopes('files:write');
    api
      .routes(express())
      .post('/files', guard, (_req, res) => res.end())
      .delete('/files/:id', allOf('admin'));
    expect(api.valet.registry.operations()).toEqual([
      { id: 'POST /files', kind: 'route', policy: guard.policy, meta: { method: 'POST', path: '/files' } },
      {
        id: 'DELETE /files/:id',
        kind: 'route',
        policy: allOf('admin'),
        meta: { method: 'DELETE', path: '/files/:id' },
      },
    ]);
  });

  it('prefixes ids with the mount path of a router', async () => {
    const api = valetExpress(fixture.valet());
    const router = express.Router();
    api.routes(router, { prefix: '/v1' }).get('/files/:id', api.requireScopes('files:read'), (req, res) => {
      res.send(req.params.id);
    });
    const app = express().use('/v1', router).use(api.errorHandler());
    const [allowed, refused] = await call(
      app,
      get('/v1/files/7', await fixture.token(['files:read'])),
      get('/v1/files/7'),
    );
    expect(api.valet.registry.has('GET /v1/files/:id')).toBe(true);
    expect(allowed.body).toBe('7');
    expect(JSON.parse(refused.body).error_description).toBe(
      'Route "GET /v1/files/:id" requires a bearer token with scope "files:read".',
    );
  });

  it.each([
    ['prefix', () => valetExpress(fixture.valet()).routes(express(), { prefix: 'v1/' })],
    ['path', () => valetExpress(fixture.valet()).routes(express()).get('files', publicAccess())],
    [
      'guard',
      () =>
        valetExpress(fixture.valet())
          .routes(express())
          .get('/files', (() => undefined) as never),
    ],
    [
      'guard',
      () => {
        const api = valetExpress(fixture.valet());
        api.routes(express()).get('/files', api.requireScopes('files:read'), api.requireScopes('admin'));
      },
    ],
  ])('refuses a bad declaration at set-up, naming %s', (field, declare) => {
    expect(declare).toThrow(expect.objectContaining({ field }));
  });

  it('refuses the same route twice, and a route declared after the registry froze', () => {
    const api = valetExpress(fixture.valet());
    const routes = api.routes(express()).get('/files', publicAccess());
    expect(() => routes.get('/files', publicAccess())).toThrow(PolicyConfigError);
    api.valet.freeze();
    expect(() => routes.get('/late', publicAccess())).toThrow(/frozen/);
  });

  it('reports a scope typo when the Valet is frozen at start-up', () => {
    const api = valetExpress(fixture.valet());
    api.routes(express()).get('/files', api.requireScopes('file:read'));
    expect(() => api.valet.freeze()).toThrow(/Did you mean "files:read"/);
  });
});

describe('routes(): enforcing', () => {
  it('requireAnyScope allows any one scope and asks for the first when none is granted', async () => {
    const api = valetExpress(fixture.valet());
    const app = express();
    api.routes(app).get('/reports', api.requireAnyScope('admin', 'files:read'), (_req, res) => {
      res.send('ok');
    });
    app.use(api.errorHandler());
    const [allowed, refused] = await call(
      app,
      get('/reports', await fixture.token(['files:read'])),
      get('/reports', await fixture.token(['files:write'])),
    );
    expect(allowed.body).toBe('ok');
    expect(refused.status).toBe(403);
    expect(parseChallenge(refused.challenges[0]!).params.scope).toBe('admin');
  });

  it('gives checks the params, query and parsed body, and answers their refusal with 403 access_denied, no challenge', async () => {
    const api = valetExpress(fixture.valet());
    const { policy: owner, seen } = ownerCheck();
    const app = express().use(express.json());
    api
      .routes(app)
      .post('/users/:user/files', api.requirePolicy(and(allOf('files:write'), owner)), (_req, res) => {
        res.send('written');
      });
    app.use(api.errorHandler());
    const token = await fixture.token(['files:write'], 'alice');
    const post = (user: string): WireRequest => ({
      method: 'POST',
      path: `/users/${user}/files?mode=append`,
      headers: [
        ['Authorization', `Bearer ${token}`],
        ['Content-Type', 'application/json'],
      ],
      body: '{"name":"a.txt"}',
    });
    const [own, other] = await call(app, post('alice'), post('bob'));
    expect(own.body).toBe('written');
    expect(other.status).toBe(403);
    expect(other.challenges).toEqual([]);
    expect(JSON.parse(other.body)).toEqual({
      error: 'access_denied',
      error_description: 'Route "POST /users/:user/files" was refused by check "owner".',
    });
    expect(seen[0]).toEqual({ query: { mode: 'append' }, body: { name: 'a.txt' }, request: true });
  });
});

describe('Security: a guard outside routes() cannot leave a route open', () => {
  it('answers 500 server_error without detail when the guard runs on an undeclared route', async () => {
    const api = valetExpress(fixture.valet());
    const app = express();
    app.get('/files', api.requireScopes('files:read'), (_req, res) => {
      res.send('leaked');
    });
    app.use(api.errorHandler());
    const [res] = await call(app, get('/files', await fixture.token(['files:read'])));
    expect(res.status).toBe(500);
    expect(res.challenges).toEqual([]);
    expect(JSON.parse(res.body)).toEqual({
      error: 'server_error',
      error_description: 'The server could not authorize the request.',
    });
  });

  it('answers 500 when the policies fail to validate at the first request (freeze() not called)', async () => {
    const api = valetExpress(fixture.valet());
    const app = express();
    api.routes(app).get('/files', api.requireScopes('file:read'), (_req, res) => {
      res.send('leaked');
    });
    app.use(api.errorHandler());
    const [res] = await call(app, get('/files', await fixture.token(['files:read'])));
    expect(res.status).toBe(500);
    expect(res.body).not.toContain('leaked');
  });
});
