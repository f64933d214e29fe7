import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PolicyConfigError, allOf, and, check } from '@valet/core';
import { fastifyWithValet } from '../support/fastify.js';
import { adapterFixture, type AdapterFixture } from '../support/fixture.js';
import { ownerCheck } from '../support/owner-check.js';

let fixture: AdapterFixture;

beforeAll(async () => {
  fixture = await adapterFixture();
});

afterAll(() => fixture.close());

const withToken = (token: string) => ({ authorization: `Bearer ${token}` });

describe('onRoute: which routes Valet governs', () => {
  it('registers routes with a policy (config or guard) under METHOD url, the HEAD route under its GET', async () => {
    const valet = fixture.valet();
    const app = await fastifyWithValet(valet);
    app.get('/files/:id', { config: { valet: allOf('files:read') } }, async () => 'file');
    app.register(
      async (v1) => {
        v1.delete('/files/:id', { preHandler: app.valet.requireScopes('admin') }, async () => 'gone');
      },
      { prefix: '/v1' },
    );
    app.route({
      method: ['PUT', 'PATCH'],
      url: '/files/:id',
      config: { valet: allOf('files:write') },
      handler: async () => 'put',
    });
    app.get('/open', async () => 'not governed');
    app.get('/off', { config: { valet: false } }, async () => 'not governed');
    await app.ready();
    expect(valet.registry.operations().map((op) => [op.id, op.kind])).toEqual([
      ['GET /files/:id', 'route'],
      ['PUT /files/:id', 'route'],
      ['PATCH /files/:id', 'route'],
      ['DELETE /v1/files/:id', 'route'], // the child plugin loads after the root's own routes
    ]);
    const token = await fixture.token(['files:read']);
    const [open, off, patch] = await Promise.all([
      app.inject({ method: 'GET', url: '/open', headers: withToken('not-a-token') }),
      app.inject({ method: 'GET', url: '/off' }),
      app.inject({ method: 'PATCH', url: '/files/1', headers: withToken(token) }),
    ]);
    expect([open.body, off.body]).toEqual(['not governed', 'not governed']);
    expect(patch.json().error_description).toBe(
      'Route "PATCH /files/:id" requires scope "files:write"; the token grants "files:read".',
    );
    await app.close();
  });

  it('registers an explicit HEAD route with another policy separately', async () => {
    const valet = fixture.valet();
    const app = await fastifyWithValet(valet);
    app.head('/files', { config: { valet: allOf('admin') } }, async () => '');
    app.get('/files', { config: { valet: allOf('files:read') } }, async () => 'list');
    await app.ready();
    expect(valet.registry.operations().map((op) => op.id)).toEqual(['HEAD /files', 'GET /files']);
    await app.close();
  });

  it('takes a guard in config.valet, with its description, rate limit and downstream need', async () => {
    const valet = fixture.valet();
    const app = await fastifyWithValet(valet);
    const guard = app.valet
      .requireScopes('files:read')
      .describe('Archive a file')
      .limit('5/m')
      .downstream('https://archive.example.com', ['archive:write']);
    // A downstream need without an exchanger fails at set-up: the guard's need was read from config.valet.
    expect(() => app.post('/archive', { config: { valet: guard } }, async () => 'x')).toThrow(/exchanger/);
    app.get(
      '/files/:id',
      { config: { valet: app.valet.requireScopes('files:read').describe('Read') } },
      async () => 'file',
    );
    await app.ready();
    expect(valet.registry.get('GET /files/:id')).toMatchObject({ description: 'Read' });
    const [refused, served] = await Promise.all([
      app.inject({ method: 'GET', url: '/files/1' }),
      app.inject({ method: 'GET', url: '/files/1', headers: withToken(await fixture.token(['files:read'])) }),
    ]);
    expect([refused.statusCode, served.statusCode, served.body]).toEqual([401, 200, 'file']);
    await app.close();
  });

  it('refuses two policies on one route, and a config.valet that is not a policy', async () => {
    const app = await fastifyWithValet(fixture.valet());
    expect(() =>
      app.get(
        '/a',
        { config: { valet: allOf('files:read') }, preHandler: app.valet.requireScopes('admin') },
        async () => 'x',
      ),
    ).toThrow(PolicyConfigError);
    expect(() => app.get('/b', { config: { valet: 'files:read' as never } }, async () => 'x')).toThrow(
      /config.valet must be a Policy \(allOf\(\.\.\.\), publicAccess\(\), \.\.\.\), a guard from fastify.valet, or false/,
    );
    await app.close();
  });

  it('keeps the other preHandlers in place, and runs none of them for a refused caller', async () => {
    const app = await fastifyWithValet(fixture.valet());
    const order: string[] = [];
    const before = async () => void order.push('before');
    const after = async () => void order.push(`after:${String(order.length)}`);
    app.get(
      '/files',
      { preHandler: [before, app.valet.requireScopes('files:read'), after] },
      async () => 'ok',
    );
    const refused = await app.inject({ method: 'GET', url: '/files' });
    expect(refused.statusCode).toBe(401);
    expect(order).toEqual([]);
    await app.inject({
      method: 'GET',
      url: '/files',
      headers: withToken(await fixture.token(['files:read'])),
    });
    expect(order).toEqual(['before', 'after:1']);
    await app.close();
  });
});

describe('enforcing', () => {
  it('refuses before the body is validated or any route hook runs: 401/403, never 400', async () => {
    const app = await fastifyWithValet(fixture.valet());
    const reached: string[] = [];
    const validate = async (request: { url: string }) => void reached.push(`validate ${request.url}`);
    const schema = { body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } };
    const after = async () => void reached.push('after the guard');
    app.post(
      '/config',
      { schema, config: { valet: allOf('files:write') }, preValidation: validate },
      async () => 'written',
    );
    app.post(
      '/guard',
      { schema, preValidation: validate, preHandler: [app.valet.requireScopes('files:write'), after] },
      async () => 'written',
    );
    const reader = withToken(await fixture.token(['files:read']));
    for (const url of ['/config', '/guard']) {
      const anonymous = await app.inject({ method: 'POST', url, payload: { wrong: 1 } });
      const reading = await app.inject({ method: 'POST', url, headers: reader, payload: { wrong: 1 } });
      expect([anonymous.statusCode, anonymous.json().error]).toEqual([401, 'unauthorized']);
      expect([reading.statusCode, reading.json().error]).toEqual([403, 'insufficient_scope']);
    }
    expect(reached).toEqual([]);
    const writer = withToken(await fixture.token(['files:write']));
    const invalid = await app.inject({
      method: 'POST',
      url: '/guard',
      headers: writer,
      payload: { wrong: 1 },
    });
    const valid = await app.inject({
      method: 'POST',
      url: '/guard',
      headers: writer,
      payload: { name: 'a' },
    });
    expect(invalid.statusCode).toBe(400);
    expect(valid.body).toBe('written');
    expect(reached).toEqual(['validate /guard', 'validate /guard', 'after the guard']);
    await app.close();
  });

  it('authenticates a form-encoded GET in onRequest: a GET has no body to carry the token', async () => {
    const verifier = fixture.countingVerifier();
    const app = await fastifyWithValet(fixture.valet({ verifier }));
    app.get('/files', { config: { valet: allOf('files:read') } }, async (request) => request.auth?.subject);
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const allowed = await app.inject({
      method: 'GET',
      url: '/files',
      headers: { ...headers, ...withToken(await fixture.token(['files:read'])) },
    });
    const anonymous = await app.inject({ method: 'GET', url: '/files', headers });
    expect([allowed.statusCode, allowed.body, verifier.calls]).toEqual([200, 'test-user', 1]);
    expect(anonymous.statusCode).toBe(401);
    await app.close();
  });

  it('waits for an async check: allowed, refused, and a check that throws refused without its message', async () => {
    const app = await fastifyWithValet(fixture.valet());
    const owner = check('owner', async (principal, ctx) => {
      await new Promise((resolve) => setImmediate(resolve));
      const { user } = (ctx.arguments as { params: { user: string } }).params;
      if (user === 'broken') throw new Error('directory down');
      return user === principal.subject;
    });
    app.get('/users/:user', { config: { valet: and(allOf('files:read'), owner) } }, async () => 'mine');
    const headers = withToken(await fixture.token(['files:read'], 'alice'));
    const get = (user: string) => app.inject({ method: 'GET', url: `/users/${user}`, headers });
    const [own, other, broken] = [await get('alice'), await get('bob'), await get('broken')];
    expect([own.statusCode, own.body]).toEqual([200, 'mine']);
    expect(other.statusCode).toBe(403);
    expect(broken.statusCode).toBe(403);
    expect(broken.body).not.toContain('directory down');
    await app.close();
  });

  it('gives checks the params, query and parsed body', async () => {
    const app = await fastifyWithValet(fixture.valet());
    const { policy: owner, seen } = ownerCheck();
    app.post(
      '/users/:user/files',
      { config: { valet: and(allOf('files:write'), owner) } },
      async () => 'written',
    );
    const headers = withToken(await fixture.token(['files:write'], 'alice'));
    const post = (user: string) =>
      app.inject({
        method: 'POST',
        url: `/users/${user}/files?mode=append`,
        headers,
        payload: { name: 'a.txt' },
      });
    expect((await post('alice')).body).toBe('written');
    const refused = await post('bob');
    expect([refused.statusCode, refused.headers['www-authenticate'], refused.json().error]).toEqual([
      403,
      undefined,
      'access_denied',
    ]);
    expect(seen[0]).toEqual({ query: { mode: 'append' }, body: { name: 'a.txt' }, request: true });
    await app.close();
  });

  it('verifies a form request once, after its body is parsed', async () => {
    const verifier = fixture.countingVerifier();
    const app = await fastifyWithValet(fixture.valet({ verifier }));
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(String(body))));
      },
    );
    app.post('/files', { config: { valet: allOf('files:write') } }, async (request) => request.auth?.subject);
    const res = await app.inject({
      method: 'POST',
      url: '/files',
      headers: {
        ...withToken(await fixture.token(['files:write'])),
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: 'name=a.txt',
    });
    expect(res.body).toBe('test-user');
    expect(verifier.calls).toBe(1);
    await app.close();
  });
});

describe('errors', () => {
  it("renders Valet errors itself and hands other errors to the route's own error handler", async () => {
    const app = await fastifyWithValet(fixture.valet());
    app.get(
      '/files',
      {
        config: { valet: allOf('files:read') },
        errorHandler: (error, _request, reply) => void reply.code(418).send(`own: ${error.message}`),
      },
      async () => {
        throw new Error('boom');
      },
    );
    const [refused, failed] = await Promise.all([
      app.inject({ method: 'GET', url: '/files' }),
      app.inject({ method: 'GET', url: '/files', headers: withToken(await fixture.token(['files:read'])) }),
    ]);
    expect([refused.statusCode, refused.json().error]).toEqual([401, 'unauthorized']);
    expect([failed.statusCode, failed.body]).toEqual([418, 'own: boom']);
    await app.close();
  });

  it('hands other errors of a governed route to the instance error handler', async () => {
    const app = await fastifyWithValet(fixture.valet());
    app.setErrorHandler(
      (error: Error, _request, reply) => void reply.code(418).send(`app: ${error.message}`),
    );
    app.get('/files', { config: { valet: allOf('files:read') } }, async () => {
      throw new Error('boom');
    });
    const res = await app.inject({
      method: 'GET',
      url: '/files',
      headers: withToken(await fixture.token(['files:read'])),
    });
    expect([res.statusCode, res.body]).toEqual([418, 'app: boom']);
    await app.close();
  });

  it('Security: a guard Valet never saw (added with addHook) answers 500 instead of leaving the route open', async () => {
    const app = await fastifyWithValet(fixture.valet());
    app.get('/files', async () => 'leaked');
    app.addHook('preHandler', app.valet.requireScopes('files:read'));
    const res = await app.inject({
      method: 'GET',
      url: '/files',
      headers: withToken(await fixture.token(['files:read'])),
    });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('leaked');
    await app.close();
  });
});
