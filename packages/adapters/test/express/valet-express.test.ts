import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DPOP_ALGORITHMS, OptionsError, type Valet } from '@valet/core';
import { valetExpress, type ValetExpress } from '@valet/adapters/express';
import express, { type Express } from 'express';
import { exchange } from '../conformance/http-exchange.js';
import { adapterFixture, listen, type AdapterFixture } from '../support/fixture.js';

let fixture: AdapterFixture;

beforeAll(async () => {
  fixture = await adapterFixture();
});

afterAll(() => fixture.close());

/** Serves `app` for one test body. */
async function serve<T>(app: Express, body: (baseUrl: string) => Promise<T>): Promise<T> {
  const server = await listen(createServer(app));
  try {
    return await body(server.baseUrl);
  } finally {
    await server.close();
  }
}

const bearer = (token: string): [string, string][] => [['Authorization', `Bearer ${token}`]];

describe('valetExpress', () => {
  it('refuses anything but a Valet', () => {
    expect(() => valetExpress({} as Valet)).toThrow(OptionsError);
  });

  it('refuses guards without scopes or with a non-policy, at creation', () => {
    const api = valetExpress(fixture.valet());
    const noScopes = api.requireScopes as (...scopes: string[]) => unknown;
    expect(() => noScopes()).toThrow(expect.objectContaining({ field: 'scopes' }));
    expect(() => api.requireAnyScope('files:read', '')).toThrow(expect.objectContaining({ field: 'scopes' }));
    expect(() => api.requirePolicy('files:read' as never)).toThrow(
      expect.objectContaining({ field: 'policy' }),
    );
  });

  it('exposes the policy a guard carries', () => {
    const api = valetExpress(fixture.valet());
    expect(api.requireAnyScope('files:read', 'admin').policy).toEqual({
      kind: 'anyOf',
      scopes: ['files:read', 'admin'],
    });
  });
});

describe('authenticate()', () => {
  function app(api: ValetExpress, options?: Parameters<ValetExpress['authenticate']>[0]): Express {
    const app = express();
    app.use(api.authenticate(options));
    app.get('/me', (req, res) => {
      res.json({ subject: req.auth?.subject ?? null, scopes: [...(req.auth?.scopes ?? [])] });
    });
    app.use(api.errorHandler());
    return app;
  }

  it('sets a typed req.auth from a valid token', async () => {
    const api = valetExpress(fixture.valet());
    const token = await fixture.token(['files:read'], 'alice');
    const res = await serve(app(api), (url) =>
      exchange(url, { method: 'GET', path: '/me', headers: bearer(token) }),
    );
    expect(JSON.parse(res.body)).toEqual({ subject: 'alice', scopes: ['files:read'] });
  });

  it('requires a token by default, challenging with the basic scopes', async () => {
    const api = valetExpress(fixture.valet());
    const res = await serve(app(api), (url) => exchange(url, { method: 'GET', path: '/me' }));
    expect(res.status).toBe(401);
    expect(res.challenges).toEqual([
      'Bearer scope="files:read", resource_metadata="https://files.example.test/.well-known/oauth-protected-resource/api", ' +
        `DPoP scope="files:read", algs="${DPOP_ALGORITHMS.join(' ')}", resource_metadata="https://files.example.test/.well-known/oauth-protected-resource/api"`,
    ]);
  });

  it.each([[{ optional: true }], [{ authRequired: false }]] as const)(
    'lets a request without credentials through with %j, but not a bad token',
    async (options) => {
      const api = valetExpress(fixture.valet());
      const expired = await fixture.issuer.expired({ audience: api.valet.resource });
      const [anonymous, refused] = await serve(app(api, options), (url) =>
        Promise.all([
          exchange(url, { method: 'GET', path: '/me' }),
          exchange(url, { method: 'GET', path: '/me', headers: bearer(expired) }),
        ]),
      );
      expect(JSON.parse(anonymous.body)).toEqual({ subject: null, scopes: [] });
      expect(refused.status).toBe(401);
    },
  );

  it('requires a token with optional: false and with authRequired: true', async () => {
    const api = valetExpress(fixture.valet());
    for (const options of [{ optional: false }, { authRequired: true }]) {
      const res = await serve(app(api, options), (url) => exchange(url, { method: 'GET', path: '/me' }));
      expect(res.status).toBe(401);
    }
  });

  it('refuses a non-boolean optional or authRequired, and both given together', () => {
    const api = valetExpress(fixture.valet());
    expect(() => api.authenticate({ authRequired: 'no' as never })).toThrow(
      expect.objectContaining({ field: 'authRequired' }),
    );
    expect(() => api.authenticate({ optional: 1 as never })).toThrow(
      expect.objectContaining({ field: 'optional' }),
    );
    expect(() => api.authenticate({ optional: true, authRequired: false })).toThrow(
      expect.objectContaining({ field: 'authRequired' }),
    );
  });

  it('verifies a request once when authenticate() runs before a declared route', async () => {
    const verifier = fixture.countingVerifier();
    const api = valetExpress(fixture.valet({ verifier }));
    const server = express();
    server.use(api.authenticate());
    api.routes(server).get('/files/:id', api.requireScopes('files:read'), (req, res) => {
      res.send(req.auth?.subject);
    });
    const token = await fixture.token(['files:read']);
    const res = await serve(server, (url) =>
      exchange(url, { method: 'GET', path: '/files/1', headers: bearer(token) }),
    );
    expect(res.body).toBe('test-user');
    expect(verifier.calls).toBe(1);
  });

  it('Attack: a req.auth set by another middleware is never taken for a verified caller', async () => {
    const api = valetExpress(fixture.valet());
    const server = express();
    server.use((req, _res, next) => {
      req.auth = { subject: 'mallory', scopes: new Set(['files:read']) } as unknown as typeof req.auth;
      next();
    });
    api.routes(server).get('/files/:id', api.requireScopes('files:read'), (req, res) => {
      res.send(req.auth?.subject);
    });
    server.use(api.errorHandler());
    const [anonymous, verified] = await serve(server, async (url) =>
      Promise.all([
        exchange(url, { method: 'GET', path: '/files/1' }),
        exchange(url, {
          method: 'GET',
          path: '/files/1',
          headers: bearer(await fixture.token(['files:read'])),
        }),
      ]),
    );
    expect(anonymous.status).toBe(401);
    expect(verified.status).toBe(200);
  });

  it('sets req.auth on its own request only: another app and a later request see their own', async () => {
    const api = valetExpress(fixture.valet());
    const seen: unknown[] = [];
    const server = express();
    server.use(api.authenticate({ optional: true }));
    server.get('/me', (req, res) => {
      seen.push(req.auth?.subject, req.auth === undefined);
      res.end();
    });
    const token = await fixture.token(['files:read'], 'alice');
    await serve(server, async (url) => {
      await exchange(url, { method: 'GET', path: '/me', headers: bearer(token) });
      await exchange(url, { method: 'GET', path: '/me' });
    });
    expect(seen).toEqual(['alice', false, undefined, true]);
    const plain = express();
    plain.get('/', (req, res) => res.json({ auth: req.auth ?? null }));
    const res = await serve(plain, (url) => exchange(url, { method: 'GET', path: '/' }));
    expect(JSON.parse(res.body)).toEqual({ auth: null });
  });

  it('keeps the principal out of res.locals keys, and works where res.locals is gone', async () => {
    const api = valetExpress(fixture.valet());
    const seen: unknown[] = [];
    const server = express();
    server.use((req, res, next) => {
      if (req.path === '/bare') (res as { locals?: unknown }).locals = undefined;
      next();
    });
    server.use(api.authenticate());
    server.get(['/me', '/bare'], (req, res) => {
      seen.push(req.auth?.subject, res.locals === undefined ? 'no locals' : JSON.stringify(res.locals));
      res.end();
    });
    const token = await fixture.token(['files:read'], 'alice');
    await serve(server, async (url) => {
      await exchange(url, { method: 'GET', path: '/me', headers: bearer(token) });
      await exchange(url, { method: 'GET', path: '/bare', headers: bearer(token) });
    });
    expect(seen).toEqual(['alice', '{}', 'alice', 'no locals']);
  });

  it('reads an access_token in the body only from a form-encoded request (RFC 6750 §2.2)', async () => {
    const api = valetExpress(fixture.valet());
    const server = express();
    // A body parser that takes any request's body, whatever its Content-Type says.
    server.use(express.urlencoded({ type: () => true }));
    server.use(api.authenticate());
    server.post('/notes', (req, res) => {
      res.send(req.auth?.subject);
    });
    server.use(api.errorHandler());
    const token = await fixture.token(['files:read'], 'alice');
    const [form, plain, untyped] = await serve(server, (url) =>
      Promise.all(
        [['application/x-www-form-urlencoded'], ['text/plain'], []].map((type) =>
          exchange(url, {
            method: 'POST',
            path: '/notes',
            headers: [...bearer(token), ...type.map((value): [string, string] => ['Content-Type', value])],
            body: `access_token=${token}`,
          }),
        ),
      ),
    );
    expect([form?.status, plain?.status, untyped?.status]).toEqual([400, 200, 200]);
    expect(form?.body).not.toContain(token);
    expect([plain?.body, untyped?.body]).toEqual(['alice', 'alice']);
  });
});

describe('metadataRouter()', () => {
  it('serves the document at every metadata path and passes other requests on', async () => {
    const valet = fixture.valet();
    const api = valetExpress(valet);
    const server = express();
    server.use(api.metadataRouter());
    server.use((_req, res) => {
      res.status(404).send('next');
    });
    const [pathAware, root, other, post] = await serve(server, (url) =>
      Promise.all([
        exchange(url, { method: 'GET', path: valet.metadataPaths[0]! }),
        exchange(url, { method: 'GET', path: '/.well-known/oauth-protected-resource' }),
        exchange(url, { method: 'GET', path: '/elsewhere' }),
        exchange(url, { method: 'POST', path: valet.metadataPaths[0]! }),
      ]),
    );
    expect(JSON.parse(pathAware.body)).toEqual(valet.metadata());
    expect(JSON.parse(root.body)).toEqual(valet.metadata());
    expect(pathAware.headers['access-control-allow-origin']).toBe('*');
    expect([other.body, post.body]).toEqual(['next', 'next']);
  });
});

describe('errorHandler()', () => {
  it('passes errors that are not Valet errors to the next error handler', async () => {
    const api = valetExpress(fixture.valet());
    const server = express();
    server.get('/boom', () => {
      throw new Error('boom');
    });
    server.use(api.errorHandler());
    server.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(599).send(`handled ${err.message}`);
    });
    const res = await serve(server, (url) => exchange(url, { method: 'GET', path: '/boom' }));
    expect([res.status, res.body]).toEqual([599, 'handled boom']);
  });
});
