import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { createTestIssuer, type TestIssuer } from '@valet/testing';
import { bindToolsets, createMcpHttpHandler, type McpHttpHandler } from '@valet/adapters/mcp';
import { listen } from '../support/fixture.js';
import { fileValet } from './support/file-toolsets.js';
import { raw, toolCall } from './support/mcp-http.js';

let issuer: TestIssuer;
let url: string;
let handler: McpHttpHandler;
let close: () => Promise<void>;

const LIST = { jsonrpc: '2.0', id: 7, method: 'tools/list', params: {} };
const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

const token = (subject: string, clientId = 'app', scopes = ['files:read']) =>
  issuer.mint({ subject, clientId, scopes, audience: url });

beforeAll(async () => {
  let handle: McpHttpHandler | undefined;
  const running = await listen(createServer((req, res) => void handle?.(req, res)));
  url = `${running.baseUrl}/mcp`;
  issuer = await createTestIssuer({ audience: url });
  const { valet, toolsets } = fileValet(url, issuer);
  handler = handle = createMcpHttpHandler({
    valet,
    mode: 'stateful',
    maxSessions: 3,
    server: () => bindToolsets(new McpServer({ name: 'files', version: '1.0.0' }), { toolsets, valet }),
  });
  close = async () => {
    await handler.close();
    await running.close();
    await issuer.close();
  };
});

afterAll(() => close());

/** Opens a session as `subject` over raw HTTP; returns its id. */
async function openSession(bearer: string): Promise<string> {
  const res = await raw(url, { token: bearer, body: INITIALIZE });
  expect(res.status).toBe(200);
  const id = res.headers.get('mcp-session-id');
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  await raw(url, {
    token: bearer,
    headers: { 'mcp-session-id': id! },
    body: { jsonrpc: '2.0', method: 'notifications/initialized' },
  });
  return id!;
}

describe('stateful sessions with the SDK client', () => {
  it('opens a session, keeps it across calls, and ends it on close', async () => {
    const alice = await token('alice');
    const transport = new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${alice}` } },
    });
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(transport);
    expect(transport.sessionId).toBeDefined();
    const open = handler.sessions;
    const result = await client.callTool({ name: 'read_file', arguments: { path: 'a' } });
    expect(result.content).toEqual([{ type: 'text', text: 'contents of a for alice' }]);
    await transport.terminateSession();
    expect(handler.sessions).toBe(open - 1);
    await client.close();
  });
});

describe('Security: session hijacking with a stolen Mcp-Session-Id', () => {
  let session: string;
  let alice: string;

  beforeAll(async () => {
    alice = await token('alice');
    session = await openSession(alice);
  });

  it('another user presenting the session id is refused with 403', async () => {
    const res = await raw(url, {
      token: await token('mallory'),
      headers: { 'mcp-session-id': session },
      body: LIST,
    });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text)).toEqual({
      error: 'access_denied',
      error_description:
        'This MCP session was started by another caller; start your own session with initialize.',
    });
  });

  it('the same user through another client is refused too (sessions bind issuer, subject and client)', async () => {
    const res = await raw(url, {
      token: await token('alice', 'other-app'),
      headers: { 'mcp-session-id': session },
      body: LIST,
    });
    expect(res.status).toBe(403);
  });

  it("the owner's fresh token (same issuer, subject, client) keeps working on the session", async () => {
    const res = await raw(url, {
      token: await token('alice'),
      headers: { 'mcp-session-id': session },
      body: LIST,
    });
    expect(res.status).toBe(200);
    expect(res.messages[0]).toMatchObject({ id: 7, result: { tools: expect.any(Array) } });
  });

  it("the owner's expired token on the live session gets 401 invalid_token", async () => {
    const expired = await issuer.expired({
      subject: 'alice',
      clientId: 'app',
      scopes: ['files:read'],
      audience: url,
    });
    const res = await raw(url, { token: expired, headers: { 'mcp-session-id': session }, body: LIST });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('the session still has to pass the policy on every call: a write tool is 403 insufficient_scope', async () => {
    const res = await raw(url, {
      token: alice,
      headers: { 'mcp-session-id': session },
      body: toolCall(2, 'write_file', { path: 'a', content: 'x' }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toContain('scope="files:read files:write"');
  });

  it('another user can neither read the SSE stream (GET) nor end the session (DELETE)', async () => {
    const mallory = await token('mallory');
    for (const method of ['GET', 'DELETE']) {
      const res = await raw(url, {
        method,
        token: mallory,
        headers: { 'mcp-session-id': session, accept: 'text/event-stream' },
      });
      expect(res.status).toBe(403);
    }
    const still = await raw(url, { token: alice, headers: { 'mcp-session-id': session }, body: LIST });
    expect(still.status).toBe(200);
  });

  it('the owner ends the session with DELETE; after that the id is unknown (404)', async () => {
    const ended = await raw(url, { method: 'DELETE', token: alice, headers: { 'mcp-session-id': session } });
    expect(ended.status).toBe(200);
    const gone = await raw(url, { token: alice, headers: { 'mcp-session-id': session }, body: LIST });
    expect(gone.status).toBe(404);
  });
});

describe('stateful edges', () => {
  it('a request without a session id that is not initialize: 400', async () => {
    const res = await raw(url, { token: await token('alice'), body: LIST });
    expect(res.status).toBe(400);
  });

  it('an unknown session id: 404, so the client starts over', async () => {
    const res = await raw(url, {
      token: await token('alice'),
      headers: { 'mcp-session-id': '00000000-0000-0000-0000-000000000000' },
      body: LIST,
    });
    expect(res.status).toBe(404);
  });

  it('GET without a token: 401 with the challenge', async () => {
    const res = await raw(url, { method: 'GET', headers: { accept: 'text/event-stream' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('resource_metadata=');
  });

  it('more sessions than maxSessions: 503 instead of unbounded memory', async () => {
    const bearer = await token('bob');
    const opened: string[] = [];
    while (handler.sessions < 3) opened.push(await openSession(bearer));
    const res = await raw(url, { token: bearer, body: INITIALIZE });
    expect(res.status).toBe(503);
    for (const id of opened) {
      await raw(url, { method: 'DELETE', token: bearer, headers: { 'mcp-session-id': id } });
    }
  });
});
