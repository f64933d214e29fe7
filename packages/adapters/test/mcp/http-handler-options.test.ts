import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { OptionsError, Valet } from '@valet/core';
import { createMcpHttpHandler, type McpHttpHandlerOptions } from '@valet/adapters/mcp';
import express from 'express';
import { listen } from '../support/fixture.js';
import { challenge, raw, startMcpHttp, toolCall, type McpHttpFixture } from './support/mcp-http.js';

let mcp: McpHttpFixture;
let readToken: string;

beforeAll(async () => {
  mcp = await startMcpHttp();
  readToken = await mcp.token(['files:read']);
});

afterAll(() => mcp.close());

describe('allowAnonymous: public operations without a token', () => {
  let open: McpHttpFixture;

  beforeAll(async () => {
    open = await startMcpHttp({ allowAnonymous: true, enableJsonResponse: true });
  });

  afterAll(() => open.close());

  it('an anonymous caller lists and calls only public tools', async () => {
    const list = await raw(open.url, { body: { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} } });
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toMatch(/^application\/json/);
    expect((list.messages[0]!['result'] as { tools: { name: string }[] }).tools.map((t) => t.name)).toEqual([
      'ping',
    ]);
    const ping = await raw(open.url, { body: toolCall(2, 'ping') });
    expect(ping.messages[0]).toMatchObject({
      result: { content: [{ type: 'text', text: 'pong to anonymous' }] },
    });
  });

  it('an anonymous call to a protected tool is a 401 naming the scopes that tool needs', async () => {
    const res = await raw(open.url, { body: toolCall(1, 'purge') });
    expect(res.status).toBe(401);
    expect(challenge(res.headers.get('www-authenticate'))).toEqual({
      scope: 'files:read admin',
      resource_metadata: `${open.baseUrl}/.well-known/oauth-protected-resource/mcp`,
    });
  });

  it('a bad token is still refused: a token sent is a token checked', async () => {
    const res = await raw(open.url, { token: 'abc.def', body: toolCall(1, 'ping') });
    expect(res.status).toBe(401);
    expect(challenge(res.headers.get('www-authenticate')).error).toBe('invalid_token');
  });
});

describe('as Express middleware', () => {
  it('serves the endpoint after express.json() and passes other paths on with next()', async () => {
    const app = express();
    app.use(express.json(), mcp.handler);
    app.get('/health', (_req, res) => {
      res.send('ok');
    });
    const server = await listen(createServer(app));
    try {
      const call = await raw(`${server.baseUrl}/mcp`, {
        token: readToken,
        body: toolCall(1, 'read_file', { path: 'a' }),
      });
      expect(call.status).toBe(200);
      expect(call.messages[0]).toMatchObject({
        result: { content: [{ text: 'contents of a for dev-client' }] },
      });
      expect(await (await fetch(`${server.baseUrl}/health`)).text()).toBe('ok');
    } finally {
      await server.close();
    }
  });
});

describe('createMcpHttpHandler options', () => {
  it('refuses bad options at construction, naming the field', () => {
    const server = () => new McpServer({ name: 'x', version: '1' });
    const field = (options: Partial<McpHttpHandlerOptions>): string | undefined => {
      try {
        createMcpHttpHandler({ valet: mcp.valet, server, ...options } as McpHttpHandlerOptions);
      } catch (error) {
        return (error as OptionsError).field;
      }
      return undefined;
    };
    expect(field({ valet: {} as Valet })).toBe('valet');
    expect(field({ server: 'nope' as unknown as () => McpServer })).toBe('server');
    expect(field({ mode: 'sticky' as 'stateful' })).toBe('mode');
    expect(field({ path: 'mcp' })).toBe('path');
    expect(field({ maxBodyBytes: 0 })).toBe('maxBodyBytes');
    expect(field({ maxBodyBytes: null as unknown as number })).toBe('maxBodyBytes');
    expect(field({ sessionIdleTimeout: 0 })).toBe('sessionIdleTimeout');
    expect(field({ maxSessions: 1.5 })).toBe('maxSessions');
    expect(field({})).toBeUndefined();
  });
});
