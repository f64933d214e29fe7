import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JwtVerifier, PolicyRegistry, createValet, type Valet } from '@valet/core';
import { createTestIssuer, type TestIssuer } from '@valet/testing';
import { createApp } from '../src/app.js';
import { createFileStore } from '../src/file-store.js';
import { scopes } from '../src/scopes.js';

const RESOURCE = 'https://files.example.test/api';
const METADATA = 'https://files.example.test/.well-known/oauth-protected-resource/api';

let issuer: TestIssuer;
let valet: Valet;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: RESOURCE });
  valet = createValet({
    registry: new PolicyRegistry({ catalog: scopes }),
    resource: RESOURCE,
    verifier: new JwtVerifier({ issuer: issuer.url, audience: RESOURCE, jwksUri: issuer.jwksUri }),
    authorizationServers: [issuer.url],
  });
  server = createServer(createApp({ valet, store: createFileStore({ 'welcome.txt': 'Hello' }) }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await issuer.close();
});

/** A request with a token granting `grant` (no token when undefined). */
async function call(
  method: string,
  path: string,
  grant?: readonly string[],
  body?: unknown,
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (grant !== undefined) headers.authorization = `Bearer ${await issuer.mint({ scopes: grant })}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${baseUrl}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

describe('files API on Express', () => {
  it('refuses a request without a token with 401 and the resource metadata URL', async () => {
    const res = await call('GET', '/files');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer scope="files:read", resource_metadata="${METADATA}"`,
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
    const res = await fetch(`${baseUrl}/files`, { headers: { authorization: `Bearer ${token}` } });
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
    const unreadable = await fetch(`${baseUrl}/files/bad.txt`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"content":',
    });
    expect(unreadable.status).toBe(400);
    expect(await unreadable.json()).toMatchObject({ error: 'invalid_request' });
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
