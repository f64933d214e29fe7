import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  OptionsError,
  PolicyConfigError,
  PolicyRegistry,
  buildManifest,
  defineScopes,
  renderManifestHtml,
  renderManifestMarkdown,
} from '@valet/core';
import { valetExpress } from '@valet/adapters/express';
import express from 'express';
import { createServer } from 'node:http';
import { exchange } from '../conformance/http-exchange.js';
import { adapterFixture, listen, type AdapterFixture } from '../support/fixture.js';
import { notes } from '../support/notes-scopes.js';

let fixture: AdapterFixture;

beforeAll(async () => {
  fixture = await adapterFixture();
});

afterAll(() => fixture.close());

describe('valetExpress(valet, { catalog }): guards typed to the catalog', () => {
  it('accepts the catalog of the Valet registry and its scope names', () => {
    const api = valetExpress(fixture.valet({ registry: new PolicyRegistry({ catalog: notes }) }), {
      catalog: notes,
    });
    api.routes(express()).get('/notes', api.requireScopes('notes:read'), (_req, res) => res.end());
    // @ts-expect-error a misspelt scope does not compile when the catalog is given
    expect(() => api.requireScopes('notes:raed')).not.toThrow(); // start-up (freeze) refuses it
    // @ts-expect-error nor in requireAnyScope
    api.requireAnyScope('notes:read', 'admin');
    expect(api.registry.get('GET /notes')?.policy).toEqual(api.requireScopes('notes:read').policy);
  });

  it('keeps plain strings without a catalog', () => {
    const api = valetExpress(fixture.valet());
    const scope: string = 'files:read';
    expect(api.requireScopes(scope).policy).toEqual({ kind: 'allOf', scopes: ['files:read'] });
  });

  it('refuses a catalog that is not the registry one: the types would promise other scopes', () => {
    const other = defineScopes({ 'notes:read': {} });
    const valet = fixture.valet({ registry: new PolicyRegistry({ catalog: notes }) });
    expect(() => valetExpress(valet, { catalog: other })).toThrow(OptionsError);
    expect(() => valetExpress(fixture.valet(), { catalog: notes })).toThrow(
      "catalog must be the ScopeCatalog of the Valet's registry",
    );
  });
});

describe('guard.describe(): a route description that reaches the manifest', () => {
  it('registers the description, in JSON, Markdown and HTML', () => {
    const api = valetExpress(fixture.valet({ registry: new PolicyRegistry({ catalog: notes }) }));
    const read = api.requireScopes('notes:read');
    api
      .routes(express())
      .get('/notes', read.describe('List notes'), (_req, res) => res.end())
      .get('/notes/:id', read, (_req, res) => res.end());
    expect(read.description).toBeUndefined(); // describe() makes a new guard; the shared one is unchanged
    expect(api.registry.get('GET /notes')?.description).toBe('List notes');
    expect(api.registry.get('GET /notes/:id')?.description).toBeUndefined();
    const manifest = buildManifest(api.registry);
    expect(manifest.operations.find((op) => op.id === 'GET /notes')).toMatchObject({
      description: 'List notes',
    });
    expect(renderManifestMarkdown(manifest)).toContain('List notes');
    expect(renderManifestHtml(manifest)).toContain('List notes');
  });

  it('refuses an empty description at set-up', () => {
    const api = valetExpress(fixture.valet());
    expect(() => api.requireScopes('files:read').describe('  ')).toThrow(OptionsError);
  });
});

describe('valetExpress(registry): routes declared without a Valet (for valet manifest)', () => {
  it('declares routes in the registry, with no verifier and no issuer', () => {
    const registry = new PolicyRegistry({ catalog: notes });
    const api = valetExpress(registry, { catalog: notes });
    const app = express();
    app.use(api.metadataRouter());
    api
      .routes(app)
      .get('/notes', api.requireScopes('notes:read').describe('List notes'), (_req, res) => res.end());
    app.use(api.errorHandler());
    expect(api.valet).toBeUndefined();
    registry.freeze();
    expect(registry.operations().map((op) => [op.id, op.description])).toEqual([
      ['GET /notes', 'List notes'],
    ]);
  });

  it('Security: fails closed: a request to an app built from a registry is refused, never served', async () => {
    const registry = new PolicyRegistry({ catalog: notes });
    const api = valetExpress(registry);
    const app = express();
    let served = false;
    api.routes(app).get('/notes', api.requireScopes('notes:read'), (_req, res) => {
      served = true;
      res.end();
    });
    let refusal: unknown;
    app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      refusal = err;
      res.status(500).end();
    });
    const server = await listen(createServer(app));
    try {
      const response = await exchange(server.baseUrl, { method: 'GET', path: '/notes', headers: [] });
      expect(response.status).toBe(500);
    } finally {
      await server.close();
    }
    expect(served).toBe(false);
    expect(refusal).toBeInstanceOf(PolicyConfigError);
    expect((refusal as Error).message).toContain('was given a PolicyRegistry, not a Valet');
  });
});
