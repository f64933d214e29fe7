import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DPOP_ALGORITHMS, OptionsError, allOf, publicAccess, type Valet } from '@valet/core';
import { valetFastify } from '@valet/adapters/fastify';
import Fastify from 'fastify';
import { fastifyWithValet } from '../support/fastify.js';
import { adapterFixture, type AdapterFixture } from '../support/fixture.js';

let fixture: AdapterFixture;

beforeAll(async () => {
  fixture = await adapterFixture();
});

afterAll(() => fixture.close());

describe('valetFastify', () => {
  it('refuses to load without a Valet', async () => {
    const app = Fastify();
    await expect(app.register(valetFastify, {} as { valet: Valet })).rejects.toBeInstanceOf(OptionsError);
  });

  it('works with inject(): 401 with its challenge, then 200 with request.auth', async () => {
    const app = await fastifyWithValet(fixture.valet());
    app.get('/files/:id', { config: { valet: allOf('files:read') } }, async (request) => ({
      subject: request.auth?.subject,
    }));
    const refused = await app.inject({ method: 'GET', url: '/files/1' });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['www-authenticate']).toBe(
      'Bearer scope="files:read", resource_metadata="https://files.example.test/.well-known/oauth-protected-resource/api", ' +
        `DPoP scope="files:read", algs="${DPOP_ALGORITHMS.join(' ')}", resource_metadata="https://files.example.test/.well-known/oauth-protected-resource/api"`,
    );
    const allowed = await app.inject({
      method: 'GET',
      url: '/files/1',
      headers: { authorization: `Bearer ${await fixture.token(['files:read'], 'alice')}` },
    });
    expect(allowed.json()).toEqual({ subject: 'alice' });
    await app.close();
  });

  it('sees repeated Authorization headers through inject() too', async () => {
    const app = await fastifyWithValet(fixture.valet());
    app.get('/files', { config: { valet: publicAccess() } }, async () => 'ok');
    const token = await fixture.token(['files:read']);
    const res = await app.inject({
      method: 'GET',
      url: '/files',
      headers: { authorization: [`Bearer ${token}`, `Bearer ${token}`] as unknown as string },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_request' });
    await app.close();
  });

  it('freezes the registry when ready, failing start-up on a policy problem', async () => {
    const valet = fixture.valet();
    const app = await fastifyWithValet(valet);
    app.get('/files', { preHandler: app.valet.requireScopes('file:read') }, async () => 'ok');
    await expect(app.ready()).rejects.toThrow(/Did you mean "files:read"/);
    const good = await fastifyWithValet(fixture.valet());
    good.get('/files', { preHandler: good.valet.requireScopes('files:read') }, async () => 'ok');
    await good.ready();
    expect(good.valet.valet.registry.frozen).toBe(true);
    await good.close();
  });

  it('serves the metadata document, with CORS, at every metadata path', async () => {
    const valet = fixture.valet();
    const app = await fastifyWithValet(valet);
    for (const url of valet.metadataPaths) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.json()).toEqual(valet.metadata());
      expect(res.headers['access-control-allow-origin']).toBe('*');
    }
    expect(valet.registry.operations()).toEqual([]);
    await app.close();
  });

  it('refuses guards without scopes or with a non-policy, at creation', async () => {
    const app = await fastifyWithValet(fixture.valet());
    const noScopes = app.valet.requireScopes as (...scopes: string[]) => unknown;
    expect(() => noScopes()).toThrow(expect.objectContaining({ field: 'scopes' }));
    expect(() => app.valet.requirePolicy(null as never)).toThrow(
      expect.objectContaining({ field: 'policy' }),
    );
    await app.close();
  });
});
