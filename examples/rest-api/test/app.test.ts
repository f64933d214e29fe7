import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JwtVerifier, PolicyRegistry, createValet, type Valet } from '@valet/core';
import { createTestIssuer, type TestIssuer } from '@valet/testing';
import type { AppOptions } from '../src/app-options.js';
import { createExpressApp } from '../src/express-app.js';
import { createFastifyApp } from '../src/fastify-app.js';
import { createFileStore } from '../src/file-store.js';
import { scopes } from '../src/scopes.js';

const RESOURCE = 'https://files.example.test/api';
const DPOP_ALGS = 'ES256 ES384 ES512 PS256 PS384 PS512 RS256 RS384 RS512 EdDSA';
const METADATA = 'https://files.example.test/.well-known/oauth-protected-resource/api';

/** An app listening on 127.0.0.1. */
interface Served {
  readonly baseUrl: string;
  close(): Promise<void>;
}

/** A framework under test, and where its answers differ from the other's. */
interface Framework {
  readonly name: string;
  /** Builds the app with `options` and listens on 127.0.0.1, on a free port. */
  serve(options: AppOptions): Promise<Served>;
  /**
   * A body that is not JSON: the grant it is sent with (Express parses the body before the token
   * is checked, so it answers 400 even without one) and what the 400's body holds.
   */
  readonly unreadableBody: { readonly grant?: readonly string[]; readonly answer: Record<string, unknown> };
}

const urlOf = (address: AddressInfo | string | null) => `http://127.0.0.1:${(address as AddressInfo).port}`;

const express: Framework = {
  name: 'Express',
  serve: async (options) => {
    const server = createServer(createExpressApp(options));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      baseUrl: urlOf(server.address()),
      close: async () => {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      },
    };
  },
  unreadableBody: { answer: { error: 'invalid_request' } },
};

const fastify: Framework = {
  name: 'Fastify',
  serve: async (options) => {
    const app = await createFastifyApp(options);
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { baseUrl: urlOf(app.server.address()), close: () => app.close() };
  },
  unreadableBody: { grant: ['files:write'], answer: { code: 'FST_ERR_CTP_INVALID_JSON_BODY' } },
};

let issuer: TestIssuer;

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: RESOURCE });
});

afterAll(async () => {
  await issuer.close();
});

describe.each([express, fastify])('files API on $name', (framework) => {
  let valet: Valet;
  let served: Served;

  beforeAll(async () => {
    valet = createValet({
      registry: new PolicyRegistry({ catalog: scopes }),
      resource: RESOURCE,
      verifier: new JwtVerifier({ issuer: issuer.url, audience: RESOURCE, jwksUri: issuer.jwksUri }),
      authorizationServers: [issuer.url],
    });
    served = await framework.serve({ valet, store: createFileStore({ 'welcome.txt': 'Hello' }) });
  });

  afterAll(async () => {
    await served.close();
  });

  /** A request with a token granting `grant` (no token when undefined); `body` is sent as is. */
  async function send(
    method: string,
    path: string,
    grant?: readonly string[],
    body?: string,
  ): Promise<Response> {
    const headers: Record<string, string> = {};
    if (grant !== undefined) headers.authorization = `Bearer ${await issuer.mint({ scopes: grant })}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${served.baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  }

  /** {@link send} with `body` as JSON. */
  const call = (method: string, path: string, grant?: readonly string[], body?: unknown) =>
    send(method, path, grant, body === undefined ? undefined : JSON.stringify(body));

  it('refuses a request without a token with 401 and the resource metadata URL', async () => {
    const res = await call('GET', '/files');
    expect(res.status).toBe(401);
    // Bearer first, then DPoP (accepted too, by default): RFC 9449 section 7.1.
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer scope="files:read", resource_metadata="${METADATA}", ` +
        `DPoP scope="files:read", algs="${DPOP_ALGS}", resource_metadata="${METADATA}"`,
    );
  });

  it('serves the RFC 9728 metadata with the four scopes', async () => {
    const res = await call('GET', '/.well-known/oauth-protected-resource/api');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      resource: RESOURCE,
      authorization_servers: [issuer.url],
      scopes_supported: ['files:admin', 'files:delete', 'files:read', 'files:write'],
    });
  });

  it('refuses a token signed by a foreign key with 401 invalid_token', async () => {
    const token = await issuer.foreignKey({ scopes: ['files:read'] });
    const res = await fetch(`${served.baseUrl}/files`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('answers /health without a token', async () => {
    const res = await call('GET', '/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('lets files:read list and read', async () => {
    const list = await call('GET', '/files', ['files:read']);
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual({ files: [expect.objectContaining({ name: 'welcome.txt', size: 5 })] });
    const read = await call('GET', '/files/welcome.txt', ['files:read']);
    expect(await read.json()).toMatchObject({ name: 'welcome.txt', content: 'Hello' });
  });

  it('refuses a write with files:read only: 403 insufficient_scope naming files:write', async () => {
    const res = await call('PUT', '/files/notes.txt', ['files:read'], { content: 'x' });
    expect(res.status).toBe(403);
    const challenge = res.headers.get('www-authenticate');
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="files:write"');
    expect((await call('GET', '/files/notes.txt', ['files:read'])).status).toBe(404);
  });

  it('writes with files:write, which also reads (files:write implies files:read)', async () => {
    const created = await call('PUT', '/files/notes.txt', ['files:write'], { content: 'Buy milk' });
    expect(created.status).toBe(201);
    const replaced = await call('PUT', '/files/notes.txt', ['files:write'], { content: 'Buy bread' });
    expect(replaced.status).toBe(200);
    const read = await call('GET', '/files/notes.txt', ['files:write']);
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ content: 'Buy bread' });
  });

  it('refuses a malformed write with 400', async () => {
    expect((await call('PUT', '/files/bad.txt', ['files:write'], { text: 'x' })).status).toBe(400);
    expect((await call('PUT', '/files/.hidden', ['files:write'], { content: 'x' })).status).toBe(400);
    const { grant, answer } = framework.unreadableBody;
    const unreadable = await send('PUT', '/files/bad.txt', grant, '{"content":');
    expect(unreadable.status).toBe(400);
    expect(await unreadable.json()).toMatchObject(answer);
    expect((await call('GET', '/files/bad.txt', ['files:read'])).status).toBe(404);
  });

  it('deletes only with files:delete', async () => {
    await call('PUT', '/files/old.txt', ['files:write'], { content: 'old' });
    const refused = await call('DELETE', '/files/old.txt', ['files:read', 'files:write']);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toContain('scope="files:delete"');
    expect((await call('DELETE', '/files/old.txt', ['files:delete'])).status).toBe(204);
    expect((await call('GET', '/files/old.txt', ['files:read'])).status).toBe(404);
  });

  it('shows the stats to files:admin only', async () => {
    const refused = await call('GET', '/admin/stats', ['files:read', 'files:write', 'files:delete']);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toContain('scope="files:admin"');
    const stats = await call('GET', '/admin/stats', ['files:admin']);
    expect(stats.status).toBe(200);
    expect(await stats.json()).toEqual({ files: expect.any(Number), bytes: expect.any(Number) });
  });

  it('lists every route in the registry with its policy', () => {
    const routes = valet.registry.operations('route').map((op) => [op.id, op.kind, op.policy]);
    expect(routes).toEqual([
      ['GET /health', 'route', { kind: 'public' }],
      ['GET /files', 'route', { kind: 'allOf', scopes: ['files:read'] }],
      ['GET /files/:name', 'route', { kind: 'allOf', scopes: ['files:read'] }],
      ['PUT /files/:name', 'route', { kind: 'allOf', scopes: ['files:write'] }],
      ['DELETE /files/:name', 'route', { kind: 'allOf', scopes: ['files:delete'] }],
      ['GET /admin/stats', 'route', { kind: 'allOf', scopes: ['files:admin'] }],
    ]);
  });
});
