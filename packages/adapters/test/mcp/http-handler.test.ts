import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { READ_TOOLS, calls } from './support/file-toolsets.js';
import {
  OTHER_RESOURCE,
  challenge,
  raw,
  startMcpHttp,
  toolCall,
  type McpHttpFixture,
} from './support/mcp-http.js';

let mcp: McpHttpFixture;
let readToken: string;
let writeToken: string;
let metadataUrl: string;

beforeAll(async () => {
  mcp = await startMcpHttp();
  readToken = await mcp.token(['files:read']);
  writeToken = await mcp.token(['files:read', 'files:write']);
  metadataUrl = `${mcp.baseUrl}/.well-known/oauth-protected-resource/mcp`;
});

afterAll(() => mcp.close());

async function connect(token: string): Promise<Client> {
  const client = new Client({ name: 'test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(mcp.url), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return client;
}

describe('MCP over HTTP with the SDK client and real tokens', () => {
  it('a read-only token lists only the read tools and calls them', async () => {
    const client = await connect(readToken);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(READ_TOOLS);
    const result = await client.callTool({ name: 'read_file', arguments: { path: 'a.txt' } });
    expect(result.content).toEqual([{ type: 'text', text: 'contents of a.txt for dev-client' }]);
    await client.close();
  });

  it('a write tool called with a read-only token fails with HTTP 403 before reaching the server', async () => {
    const client = await connect(readToken);
    const before = calls.writeFile;
    const error = await client
      .callTool({ name: 'write_file', arguments: { path: 'a', content: 'x' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamableHTTPError);
    expect((error as StreamableHTTPError).code).toBe(403);
    expect(calls.writeFile).toBe(before);
    await client.close();
  });

  it('the 403 carries the step-up challenge: insufficient_scope, every scope needed, resource_metadata', async () => {
    const res = await raw(mcp.url, {
      token: readToken,
      body: toolCall(1, 'write_file', { path: 'a', content: 'x' }),
    });
    expect(res.status).toBe(403);
    expect(challenge(res.headers.get('www-authenticate'))).toEqual({
      error: 'insufficient_scope',
      error_description: `Tool 'write_file' requires files:read and files:write; the token grants 'files:read', missing 'files:write'.`,
      scope: 'files:read files:write',
      resource_metadata: metadataUrl,
    });
    expect(JSON.parse(res.text)).toEqual({
      error: 'insufficient_scope',
      error_description: `Tool "write_file" requires files:read and files:write; the token grants "files:read", missing "files:write".`,
    });
  });

  it('a token with the write scope succeeds, with structured content', async () => {
    const client = await connect(writeToken);
    const result = await client.callTool({ name: 'write_file', arguments: { path: 'a', content: 'x' } });
    expect(result.structuredContent).toEqual({ written: 'a', by: 'dev-client' });
    await client.close();
  });

  it('invalid input over HTTP is a tool error listing each violation', async () => {
    const client = await connect(writeToken);
    const result = await client.callTool({ name: 'write_file', arguments: { path: 7 } });
    expect(result).toEqual({
      content: [
        {
          type: 'text',
          text: 'Invalid input (3 violations):\n- path: must be shorter than or equal to 64 characters\n- path: must be a string\n- content: is required',
        },
      ],
      isError: true,
    });
    await client.close();
  });
});

describe('Security: tokens that are not for this endpoint', () => {
  it('a token issued for another resource is refused with 401 invalid_token (RFC 8707 audience)', async () => {
    const foreign = await mcp.token(['files:read'], OTHER_RESOURCE);
    await expect(connect(foreign)).rejects.toMatchObject({ code: 401 });
    const res = await raw(mcp.url, { token: foreign, body: toolCall(1, 'read_file', { path: 'a' }) });
    expect(res.status).toBe(401);
    expect(challenge(res.headers.get('www-authenticate'))).toMatchObject({
      error: 'invalid_token',
      resource_metadata: metadataUrl,
    });
  });

  it('no token: 401 asking for the basic scope, pointing at the metadata (MCP discovery)', async () => {
    const res = await raw(mcp.url, { body: toolCall(1, 'read_file', { path: 'a' }) });
    expect(res.status).toBe(401);
    expect(challenge(res.headers.get('www-authenticate'))).toEqual({
      scope: 'files:read',
      resource_metadata: metadataUrl,
    });
  });

  it('a token in the query string is refused with 400 invalid_request, and never echoed', async () => {
    const res = await raw(`${mcp.url}?access_token=${readToken}`, {
      body: toolCall(1, 'read_file', { path: 'a' }),
    });
    expect(res.status).toBe(400);
    expect(challenge(res.headers.get('www-authenticate'))).toMatchObject({ error: 'invalid_request' });
    expect(res.text).not.toContain(readToken);
    expect(JSON.stringify([...res.headers])).not.toContain(readToken.split('.')[2]);
  });

  it("an operation the registry does not know gets the protocol's JSON-RPC error and runs nothing (unknown-operations.test.ts)", async () => {
    const res = await raw(mcp.url, { token: writeToken, body: toolCall(1, 'rm_rf') });
    expect(res.status).toBe(200);
    expect(res.messages[0]).toMatchObject({ error: { code: -32602, message: 'Unknown tool "rm_rf".' } });
  });
});

describe('Security: batches are checked call by call', () => {
  it('refuses the whole batch with one challenge carrying the union of the scopes refused calls need', async () => {
    const res = await raw(mcp.url, {
      token: readToken,
      body: [
        toolCall(1, 'read_file', { path: 'a' }),
        toolCall(2, 'write_file', { path: 'a', content: 'x' }),
        toolCall(3, 'purge'),
      ],
    });
    expect(res.status).toBe(403);
    expect(challenge(res.headers.get('www-authenticate')).scope).toBe('files:read files:write admin');
  });

  it('lets a batch through when every call is allowed', async () => {
    const res = await raw(mcp.url, {
      token: writeToken,
      body: [toolCall(1, 'read_file', { path: 'a' }), toolCall(2, 'list_files')],
    });
    expect(res.status).toBe(200);
    expect(res.messages.map((m) => m['id']).sort()).toEqual([1, 2]);
  });

  it('refuses a resources/read beyond the scopes (resources are checked too)', async () => {
    const res = await raw(mcp.url, {
      token: readToken,
      body: { jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'audit://log' } },
    });
    expect(res.status).toBe(403);
    expect(challenge(res.headers.get('www-authenticate')).scope).toBe('files:read admin');
  });

  it('refuses a checked method without a name instead of passing it on unchecked', async () => {
    const res = await raw(mcp.url, {
      token: readToken,
      body: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { arguments: {} } },
    });
    expect(res.status).toBe(400);
    expect(res.messages[0]).toMatchObject({ error: { code: -32600 } });
  });
});

describe('Mcp-Method and Mcp-Name headers (MCP 2026-07-28)', () => {
  const call = toolCall(1, 'read_file', { path: 'a' });

  it('accepts headers that match the body, plain or =?base64?...?= encoded', async () => {
    const plain = await raw(mcp.url, {
      token: readToken,
      headers: { 'mcp-method': 'tools/call', 'mcp-name': 'read_file' },
      body: call,
    });
    expect(plain.status).toBe(200);
    const encoded = `=?base64?${Buffer.from('read_file').toString('base64')}?=`;
    const b64 = await raw(mcp.url, {
      token: readToken,
      headers: { 'mcp-method': 'tools/call', 'mcp-name': encoded },
      body: call,
    });
    expect(b64.status).toBe(200);
  });

  it('Security: a header naming an allowed tool cannot smuggle another in the body (400)', async () => {
    const res = await raw(mcp.url, {
      token: writeToken,
      headers: { 'mcp-method': 'tools/call', 'mcp-name': 'read_file' },
      body: toolCall(1, 'write_file', { path: 'a', content: 'x' }),
    });
    expect(res.status).toBe(400);
    expect(res.messages[0]).toMatchObject({
      error: { code: -32020, message: "Mcp-Name does not match the body's params.name." },
    });
  });

  it('refuses a method header that disagrees with the body', async () => {
    const res = await raw(mcp.url, { token: readToken, headers: { 'mcp-method': 'tools/list' }, body: call });
    expect(res.status).toBe(400);
    expect(res.messages[0]).toMatchObject({ error: { code: -32020 } });
  });
});

describe('HTTP edges: never a 500 for bad input', () => {
  it('malformed JSON: 400 with a JSON-RPC parse error', async () => {
    const res = await raw(mcp.url, { token: readToken, body: '{"jsonrpc": "2.0", ' });
    expect(res.status).toBe(400);
    expect(res.messages[0]).toEqual({
      jsonrpc: '2.0',
      error: { code: -32700, message: 'Parse error: the body is not valid JSON.' },
      id: null,
    });
  });

  it('a body over the limit: 413', async () => {
    const res = await raw(mcp.url, {
      token: readToken,
      body: toolCall(1, 'read_file', { path: 'x'.repeat(1024 * 1024) }),
    });
    expect(res.status).toBe(413);
  });

  it('a body that is not JSON: 415', async () => {
    const res = await raw(mcp.url, {
      token: readToken,
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(res.status).toBe(415);
  });

  it.each([
    ['null', 'null'],
    ['a string', '"tools/call"'],
    ['numbers in a batch', '[1, 2]'],
    ['params: null', '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":null}'],
    [
      'arguments that are not an object',
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"own_file","arguments":"x"}}',
    ],
    [
      'a resource URI that is not a string',
      '{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":42}}',
    ],
  ])('%s: a 4xx or a JSON-RPC error, never a 500', async (_name, body) => {
    const res = await raw(mcp.url, { token: readToken, body });
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(500);
    if (res.status === 200) expect(res.messages[0]).toHaveProperty('error');
  });

  it('an empty batch: 400 invalid request', async () => {
    const res = await raw(mcp.url, { token: readToken, body: [] });
    expect(res.status).toBe(400);
    expect(res.messages[0]).toMatchObject({ error: { code: -32600 } });
  });

  it.each(['GET', 'DELETE', 'PUT'])(
    '%s on a stateless endpoint: 405 with Allow (not 404: clients probe it)',
    async (method) => {
      const res = await raw(mcp.url, { token: readToken, method });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST, OPTIONS');
    },
  );

  it('serves the RFC 9728 metadata at the path-aware and the root well-known URL', async () => {
    for (const url of [metadataUrl, `${mcp.baseUrl}/.well-known/oauth-protected-resource`]) {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        resource: mcp.url,
        authorization_servers: [mcp.as.issuer],
        scopes_supported: ['admin', 'files:read', 'files:write'],
        bearer_methods_supported: ['header'],
        resource_name: 'Files (test)',
      });
    }
  });

  it('answers another path with 404', async () => {
    const res = await raw(`${mcp.baseUrl}/elsewhere`, { token: readToken, body: toolCall(1, 'read_file') });
    expect(res.status).toBe(404);
  });
});
