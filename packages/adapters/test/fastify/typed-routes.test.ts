import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OptionsError, PolicyRegistry, buildManifest } from '@valet/core';
import { fastifyWithValet } from '../support/fastify.js';
import { adapterFixture, type AdapterFixture } from '../support/fixture.js';
import { notes } from '../support/notes-scopes.js';

let fixture: AdapterFixture;

beforeAll(async () => {
  fixture = await adapterFixture();
});

afterAll(() => fixture.close());

describe('app.valet.withCatalog(scopes): guards typed to the catalog', () => {
  it('accepts the scope names of the registry catalog, and refuses a misspelt one at compile time', async () => {
    const valet = fixture.valet({ registry: new PolicyRegistry({ catalog: notes }) });
    const app = await fastifyWithValet(valet);
    const api = app.valet.withCatalog(notes);
    app.get('/notes', { preHandler: api.requireScopes('notes:read') }, async () => 'notes');
    // @ts-expect-error a misspelt scope does not compile
    api.requireScopes('notes:raed');
    // @ts-expect-error nor in requireAnyScope
    api.requireAnyScope('notes:write', 'admin');
    app.valet.requireScopes('any:string'); // untyped without withCatalog()
    await app.ready();
    expect(valet.registry.get('GET /notes')?.policy).toEqual({ kind: 'allOf', scopes: ['notes:read'] });
    await app.close();
  });

  it('refuses a catalog that is not the registry one', async () => {
    const app = await fastifyWithValet(fixture.valet());
    expect(() => app.valet.withCatalog(notes)).toThrow(OptionsError);
    await app.close();
  });
});

describe('guard.describe(): a route description that reaches the manifest', () => {
  it('registers the description of the guard in the preHandler, under GET (HEAD shares it)', async () => {
    const valet = fixture.valet({ registry: new PolicyRegistry({ catalog: notes }) });
    const app = await fastifyWithValet(valet);
    const read = app.valet.withCatalog(notes).requireScopes('notes:read');
    app.get('/notes', { preHandler: read.describe('List notes') }, async () => 'notes');
    app.get('/notes/:id', { preHandler: read }, async () => 'note');
    await app.ready();
    expect(valet.registry.get('GET /notes')?.description).toBe('List notes');
    expect(valet.registry.get('GET /notes/:id')?.description).toBeUndefined();
    expect(buildManifest(valet.registry).operations.find((op) => op.id === 'GET /notes')).toMatchObject({
      description: 'List notes',
    });
    await app.close();
  });
});
