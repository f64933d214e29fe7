import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { OptionsError } from '@valet/core';
import { createMcpHttpHandler, type McpHttpHandler } from '@valet/adapters/mcp-v2';
import { listen } from '../support/fixture.js';
import { challenge, raw, startMcpHttp, toolCall, type McpHttpFixture } from '../mcp/support/mcp-http.js';
import { modernRequest, v2Endpoint } from './support/v2-http.js';

let mcp: McpHttpFixture<McpHttpHandler>;
let open: McpHttpFixture<McpHttpHandler>;

beforeAll(async () => {
  mcp = await startMcpHttp({ endpoint: v2Endpoint() });
  open = await startMcpHttp({ endpoint: v2Endpoint({ allowAnonymous: true, responseMode: 'sse' }) });
});

afterAll(async () => {
  await mcp.close();
  await open.close();
});

describe('createMcpHttpHandler (SDK v2) set-up', () => {
  it('refuses options it cannot serve, naming the option', () => {
    const valet = mcp.valet;
    expect(() => createMcpHttpHandler({ valet, server: undefined as never })).toThrow(OptionsError);
    expect(() => createMcpHttpHandler({ valet, server: () => null as never, path: 'mcp' })).toThrow(
      /path must start with "\/"/,
    );
    expect(() => createMcpHttpHandler({ valet, server: () => null as never, maxBodyBytes: 0 })).toThrow(
      /maxBodyBytes/,
    );
    // Set but not a number (from a JavaScript caller or a config file): refused, not defaulted.
    expect(() =>
      createMcpHttpHandler({ valet, server: () => null as never, maxBodyBytes: null as never }),
    ).toThrow(/maxBodyBytes must be a positive integer/);
    expect(() => createMcpHttpHandler({ valet: {} as never, server: () => null as never })).toThrow(
      /needs a Valet/,
    );
  });
});

describe('allowAnonymous', () => {
  it('lets a modern client discover and call public tools without a token', async () => {
    const discover = modernRequest(1, 'server/discover');
    expect((await raw(open.url, discover)).status).toBe(200);
    const ping = modernRequest(2, 'tools/call', { name: 'ping', arguments: {} });
    const res = await raw(open.url, ping);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/); // responseMode reaches the SDK
    expect(res.messages[0]).toMatchObject({ result: { content: [{ text: 'pong to anonymous' }] } });
  });

  it('lists only public tools to an anonymous caller', async () => {
    const res = await raw(open.url, modernRequest(1, 'tools/list'));
    expect(res.messages[0]).toMatchObject({ result: { tools: [{ name: 'ping' }], cacheScope: 'private' } });
  });

  it('answers a protected call without a token with 401 naming its scopes', async () => {
    const res = await raw(
      open.url,
      modernRequest(1, 'tools/call', { name: 'read_file', arguments: { path: 'a' } }),
    );
    expect(res.status).toBe(401);
    expect(challenge(res.headers.get('www-authenticate'))).toMatchObject({ scope: 'files:read' });
  });
});

describe('behind Express with express.json() (the body parsed before Valet)', () => {
  it('authorizes and serves both eras from the parsed body', async () => {
    const app = express();
    app.use(express.json(), mcp.handler);
    const running = await listen(createServer(app));
    const url = `${running.baseUrl}/mcp`;
    const token = await mcp.token(['files:read']);
    const modern = modernRequest(1, 'tools/call', { name: 'read_file', arguments: { path: 'e' } });
    const res = await raw(url, { token, ...modern });
    expect(res.messages[0]).toMatchObject({
      result: { content: [{ text: 'contents of e for dev-client' }] },
    });
    const legacy = await raw(url, { token, body: toolCall(2, 'purge') });
    expect(legacy.status).toBe(403);
    expect((await raw(`${running.baseUrl}/elsewhere`, { token, method: 'GET' })).status).toBe(404);
    await running.close();
  });
});

describe('Security: credentials where RFC 6750 forbids them', () => {
  it('a token in a form body is refused 400 invalid_request, never handed to the SDK', async () => {
    const token = await mcp.token(['files:read']);
    const res = await raw(mcp.url, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `access_token=${token}`,
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ error: 'invalid_request' });
  });
});

describe('Security: DNS rebinding through the shared flow', () => {
  it('a request from an Origin that is not allowed is refused 403 whatever its token', async () => {
    const token = await mcp.token(['files:read']);
    const { headers, body } = modernRequest(1, 'tools/list');
    const res = await raw(mcp.url, { token, headers: { ...headers, origin: 'https://evil.example' }, body });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text)).toMatchObject({ error: 'access_denied' });
  });
});
