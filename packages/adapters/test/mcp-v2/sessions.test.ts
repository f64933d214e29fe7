import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { memoryAuditSink, OptionsError } from '@valet/core';
import { createTestIssuer, type TestIssuer } from '@valet/testing';
import type { McpHttpHandler } from '@valet/adapters/mcp-v2';
import { adapterFixture, listen } from '../support/fixture.js';
import { fileToolsets, fileValet } from '../mcp/support/file-toolsets.js';
import { raw, toolCall } from '../mcp/support/mcp-http.js';
import { connectV2, modernRequest, v2Endpoint } from './support/v2-http.js';

/** The v2 binding in stateful mode on 127.0.0.1, with an issuer minting tokens for any caller. */
let stateful: { issuer: TestIssuer; stop: () => Promise<void> };
let url: string;
let handler: McpHttpHandler;

const token = (subject: string, clientId = 'app') =>
  stateful.issuer.mint({ subject, clientId, scopes: ['files:read'], audience: url });

beforeAll(async () => {
  // Requests only come once `handler` is set, below.
  const running = await listen(createServer((req, res) => void handler(req, res)));
  const endpoint = `${running.baseUrl}/mcp`;
  const issuer = await createTestIssuer({ audience: endpoint });
  const { valet, toolsets } = fileValet(endpoint, issuer);
  handler = v2Endpoint({ mode: 'stateful', maxSessions: 3 })(valet, toolsets);
  const stop = async () => {
    await handler.close();
    await running.close();
    await issuer.close();
  };
  stateful = { issuer, stop };
  url = endpoint;
});

afterAll(() => stateful.stop());

/** The SDK v1 client (2025 era) in a session of its own on `endpoint`. */
async function v1Session(bearer: string, endpoint = url): Promise<{ client: V1Client; id: string }> {
  const transport = new V1Transport(new URL(endpoint), {
    requestInit: { headers: { authorization: `Bearer ${bearer}` } },
  });
  const client = new V1Client({ name: 'v1', version: '1.0.0' });
  await client.connect(transport);
  expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
  return { client, id: transport.sessionId! };
}

/** A raw 2025 request in session `id`. */
const inSession = (
  id: string,
  bearer: string,
  method = 'POST',
  body: unknown = toolCall(7, 'read_file', { path: 'x' }),
) =>
  raw(url, {
    method,
    token: bearer,
    headers: { 'mcp-session-id': id, accept: 'text/event-stream, application/json' },
    ...(method === 'POST' ? { body } : {}),
  });

describe('stateful mode on SDK v2: 2025 sessions beside 2026-07-28 serving', () => {
  it('the SDK v1 client opens a session and calls tools in it; DELETE ends it', async () => {
    const before = handler.sessions;
    const alice = await token('alice');
    const { client, id } = await v1Session(alice);
    expect(handler.sessions).toBe(before + 1);
    const called = await client.callTool({ name: 'read_file', arguments: { path: 'a' } });
    expect(called.content).toEqual([{ type: 'text', text: 'contents of a for alice' }]);
    expect((await inSession(id, alice, 'DELETE')).status).toBe(200);
    expect(handler.sessions).toBe(before);
    await client.close();
  });

  it('a 2026-07-28 client is still served on the same endpoint, without a session', async () => {
    const open = handler.sessions;
    const client = await connectV2(url, await token('alice'));
    expect(client.getProtocolEra()).toBe('modern');
    const result = await client.callTool({ name: 'read_file', arguments: { path: 'b' } });
    expect(result.content).toEqual([{ type: 'text', text: 'contents of b for alice' }]);
    expect(handler.sessions).toBe(open);
    await client.close();
  });

  it('a 2026-07-28 request is still refused with 403 insufficient_scope before the SDK sees it', async () => {
    const { headers, body } = modernRequest(3, 'tools/call', { name: 'write_file', arguments: {} });
    const res = await raw(url, { token: await token('alice'), headers, body });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });
});

describe('Security: session hijacking with a stolen Mcp-Session-Id (SDK v2)', () => {
  let alice: { client: V1Client; id: string };

  beforeAll(async () => {
    alice = await v1Session(await token('alice'));
  });

  afterAll(() => alice.client.close());

  it.each([
    ['another user lists tools in it', 'POST', () => token('mallory')],
    ['the same user through another client lists tools in it', 'POST', () => token('alice', 'other-app')],
    ['another user reads its SSE stream', 'GET', () => token('mallory')],
    ['another user ends it', 'DELETE', () => token('mallory')],
  ])('%s: 403 access_denied, and the session lives on', async (_, method, thief) => {
    const res = await inSession(alice.id, await thief(), method);
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text)).toMatchObject({ error: 'access_denied' });
    expect((await alice.client.listTools()).tools.map((tool) => tool.name)).toContain('read_file');
  });

  it('each call in it still passes the policy: write_file is 403 insufficient_scope', async () => {
    const res = await inSession(
      alice.id,
      await token('alice'),
      'POST',
      toolCall(2, 'write_file', { path: 'a' }),
    );
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toContain('scope="files:read files:write"');
  });

  it('the owner ends it with DELETE; its id is then unknown (404)', async () => {
    const owner = await token('alice');
    expect((await inSession(alice.id, owner, 'DELETE')).status).toBe(200);
    expect((await inSession(alice.id, owner)).status).toBe(404);
  });
});

describe('stateful edges (SDK v2)', () => {
  it.each(['GET', 'DELETE'])(
    '%s of a session without a token: 401, before the session is looked up',
    async (method) => {
      const res = await raw(url, {
        method,
        headers: { 'mcp-session-id': 'any', accept: 'text/event-stream' },
      });
      expect([res.status, res.headers.get('www-authenticate')]).toEqual([
        401,
        expect.stringContaining('resource_metadata='),
      ]);
    },
  );

  it('an id no session has: 404, so the client starts over', async () => {
    expect((await inSession(crypto.randomUUID(), await token('alice'))).status).toBe(404);
  });

  it('more sessions than maxSessions: 503 with Retry-After instead of unbounded memory', async () => {
    const bearer = await token('bob');
    const opened: V1Client[] = [];
    while (handler.sessions < 3) opened.push((await v1Session(bearer)).client);
    const refused = new V1Client({ name: 'v1', version: '1.0.0' }).connect(
      new V1Transport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${bearer}` } } }),
    );
    await expect(refused).rejects.toMatchObject({ code: 503 });
    const res = await raw(url, {
      token: bearer,
      body: { jsonrpc: '2.0', id: 1, method: 'initialize', params: {} },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('60');
    await Promise.all(opened.map((client) => client.close()));
    await handler.close();
    expect(handler.sessions).toBe(0);
  });

  it('an unknown mode is refused at set-up', () => {
    const { valet, toolsets } = fileValet(url, stateful.issuer);
    const mode = 'sticky' as 'stateful';
    expect(() => v2Endpoint({ mode })(valet, toolsets)).toThrow(OptionsError);
  });
});

describe('Audit: a call in a session recorded once, by the flow', () => {
  it('the bound handler sees the request as admitted and does not record it again', async () => {
    const fixture = await adapterFixture();
    const audit = memoryAuditSink();
    const files = fileToolsets();
    const valet = fixture.valet({ registry: files.registry, audit });
    const stateful = v2Endpoint({ mode: 'stateful' })(valet, files.toolsets);
    const running = await listen(createServer((req, res) => void stateful(req, res)));
    const endpoint = `${running.baseUrl}/api`;
    const bearer = await fixture.token(['files:read']);
    const { client } = await v1Session(bearer, endpoint);
    audit.clear();
    await client.callTool({ name: 'read_file', arguments: { path: 'a' } });
    expect(audit.events.filter((e) => e.operationId === 'read_file')).toHaveLength(1);
    await client.close();
    await stateful.close();
    await running.close();
    await fixture.close();
  });
});
