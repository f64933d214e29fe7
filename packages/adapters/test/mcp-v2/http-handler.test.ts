import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InsufficientScopeError } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  StreamableHTTPClientTransport as V1Transport,
  StreamableHTTPError as V1HttpError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { McpHttpHandler } from '@valet/adapters/mcp-v2';
import { READ_TOOLS, calls } from '../mcp/support/file-toolsets.js';
import { text } from '../mcp/support/in-memory.js';
import { challenge, raw, startMcpHttp, toolCall, type McpHttpFixture } from '../mcp/support/mcp-http.js';
import { MODERN, connectV2, modernRequest, v2Endpoint } from './support/v2-http.js';

let mcp: McpHttpFixture<McpHttpHandler>;
let readToken: string;
let writeToken: string;
let metadataUrl: string;

beforeAll(async () => {
  mcp = await startMcpHttp({ endpoint: v2Endpoint() });
  readToken = await mcp.token(['files:read']);
  writeToken = await mcp.token(['files:read', 'files:write']);
  metadataUrl = `${mcp.baseUrl}/.well-known/oauth-protected-resource/mcp`;
});

afterAll(() => mcp.close());

/** A raw 2026-07-28 exchange with the endpoint. */
function modern(token: string | undefined, id: number, method: string, params?: Record<string, unknown>) {
  const { headers, body } = modernRequest(id, method, params);
  return raw(mcp.url, { ...(token === undefined ? {} : { token }), headers, body });
}

describe('the SDK v2 client in the 2026-07-28 era, against the SDK v2 binding', () => {
  it('negotiates the modern era through server/discover, with Valet in front', async () => {
    const client = await connectV2(mcp.url, readToken);
    expect(client.getProtocolEra()).toBe('modern');
    expect(client.getDiscoverResult()).toMatchObject({
      supportedVersions: expect.arrayContaining([MODERN]),
      capabilities: { tools: {}, resources: {}, prompts: {} },
    });
    await client.close();
  });

  it('tools/list shows each caller what it may call, marked cacheScope private', async () => {
    const reader = await connectV2(mcp.url, readToken);
    const writer = await connectV2(mcp.url, writeToken);
    const readList = await reader.listTools();
    expect(readList.tools.map((t) => t.name)).toEqual(READ_TOOLS);
    expect(readList).toMatchObject({ cacheScope: 'private' });
    expect((await writer.listTools()).tools.map((t) => t.name)).toContain('write_file');
    await reader.close();
    await writer.close();
  });

  it('resources/list and prompts/list are per caller and private too', async () => {
    const res = await modern(readToken, 1, 'resources/list');
    expect(res.status).toBe(200);
    expect(res.messages[0]?.['result']).toMatchObject({
      cacheScope: 'private',
      resources: [{ uri: 'files://index' }],
    });
    const prompts = await modern(readToken, 2, 'prompts/list');
    expect(prompts.messages[0]?.['result']).toMatchObject({
      cacheScope: 'private',
      prompts: [{ name: 'summarize' }],
    });
  });

  it('an allowed tools/call reaches the method with the caller as ctx.principal', async () => {
    const client = await connectV2(mcp.url, writeToken);
    const read = await client.callTool({ name: 'read_file', arguments: { path: 'a.txt' } });
    expect(read.content).toEqual([{ type: 'text', text: 'contents of a.txt for dev-client' }]);
    const written = await client.callTool({ name: 'write_file', arguments: { path: 'a', content: 'x' } });
    expect(written.structuredContent).toEqual({ written: 'a', by: 'dev-client' });
    await client.close();
  });

  it('resources/read and prompts/get work in the modern era', async () => {
    const client = await connectV2(mcp.url, readToken);
    const file = await client.readResource({ uri: 'files:///notes.txt' });
    expect(JSON.parse((file.contents[0] as { text: string }).text)).toEqual({
      name: 'notes.txt',
      href: 'files:///notes.txt',
    });
    const prompt = await client.getPrompt({ name: 'summarize', arguments: { path: 'a.txt' } });
    expect(prompt.messages).toEqual([{ role: 'user', content: { type: 'text', text: 'Summarize a.txt.' } }]);
    await client.close();
  });

  it('invalid input is a tool error listing each violation; the method never runs', async () => {
    const client = await connectV2(mcp.url, writeToken);
    const before = calls.writeFile;
    const result = await client.callTool({ name: 'write_file', arguments: { path: 7 } });
    expect(result.isError).toBe(true);
    expect(text(result)).toBe(
      'Invalid input (3 violations):\n- path: must be shorter than or equal to 64 characters\n- path: must be a string\n- content: is required',
    );
    expect(calls.writeFile).toBe(before);
    await client.close();
  });
});

describe('Security: step-up and discovery challenges in the 2026-07-28 era', () => {
  it('a call the token does not allow fails with the 403 step-up before reaching the server', async () => {
    const client = await connectV2(mcp.url, readToken);
    const before = calls.writeFile;
    const error = await client
      .callTool({ name: 'write_file', arguments: { path: 'a', content: 'x' } })
      .catch((e: unknown) => e);
    // The v2 client reads the 403's challenge: the scopes to ask for, and where to ask.
    expect(error).toBeInstanceOf(InsufficientScopeError);
    expect(error).toMatchObject({
      requiredScope: 'files:read files:write',
      resourceMetadataUrl: new URL(metadataUrl),
    });
    expect(calls.writeFile).toBe(before);
    await client.close();
  });

  it('the 403 is insufficient_scope naming every scope the tool needs, with resource_metadata', async () => {
    const res = await modern(readToken, 1, 'tools/call', {
      name: 'write_file',
      arguments: { path: 'a', content: 'x' },
    });
    expect(res.status).toBe(403);
    expect(challenge(res.headers.get('www-authenticate'))).toMatchObject({
      error: 'insufficient_scope',
      scope: 'files:read files:write',
      resource_metadata: metadataUrl,
    });
  });

  it('no token: 401 asking for the basic scope, pointing at the metadata', async () => {
    const res = await modern(undefined, 1, 'server/discover');
    expect(res.status).toBe(401);
    expect(challenge(res.headers.get('www-authenticate'))).toEqual({
      scope: 'files:read',
      resource_metadata: metadataUrl,
    });
    const metadata = await fetch(metadataUrl);
    expect(await metadata.json()).toMatchObject({ resource: mcp.url });
  });

  it('the SDK v2 client without a token cannot connect (401)', async () => {
    await expect(connectV2(mcp.url, 'not-a-token')).rejects.toMatchObject({ status: 401 });
  });
});

describe('2026-07-28 protocol errors the SDK answers behind Valet', () => {
  it('an unsupported protocol version is -32022 listing the supported versions', async () => {
    const { headers, body } = modernRequest(7, 'tools/list', {}, '2099-01-01');
    const res = await raw(mcp.url, { token: readToken, headers, body });
    expect(res.status).toBe(400);
    expect(res.messages[0]).toMatchObject({
      id: 7,
      error: {
        code: -32022,
        data: { supported: expect.arrayContaining([MODERN]), requested: '2099-01-01' },
      },
    });
  });

  /** A modern `tools/call` whose routing headers are overridden to disagree with its body. */
  function mismatched(token: string, params: Record<string, unknown>, override: Record<string, string>) {
    const { headers, body } = modernRequest(1, 'tools/call', params);
    return raw(mcp.url, { token, headers: { ...headers, ...override }, body });
  }

  it('Mcp-Method that disagrees with the body is a 400 (-32020), never authorized as the header says', async () => {
    const res = await mismatched(
      readToken,
      { name: 'read_file', arguments: { path: 'a' } },
      { 'mcp-method': 'tools/list' },
    );
    expect(res.status).toBe(400);
    expect(res.messages[0]).toMatchObject({ error: { code: -32020 } });
  });

  it('Mcp-Name that disagrees with the body is a 400 (-32020): a readable name cannot smuggle a write', async () => {
    const before = calls.writeFile;
    const write = { name: 'write_file', arguments: { path: 'a', content: 'x' } };
    const res = await mismatched(writeToken, write, { 'mcp-name': 'read_file' });
    expect(res.status).toBe(400);
    expect(res.messages[0]).toMatchObject({ error: { code: -32020 } });
    expect(calls.writeFile).toBe(before);
  });

  it("an unknown tool is the protocol's JSON-RPC error in both eras, not an HTTP 403", async () => {
    const modernCall = await modern(readToken, 1, 'tools/call', { name: 'no_such_tool', arguments: {} });
    expect(modernCall.status).toBe(200);
    expect(modernCall.messages[0]).toMatchObject({ id: 1, error: { code: -32602 } });
    const legacy = await raw(mcp.url, { token: readToken, body: toolCall(2, 'no_such_tool') });
    expect(legacy.status).toBe(200);
    expect(legacy.messages[0]).toMatchObject({ id: 2, error: { code: -32602 } });
  });

  it('a body that is not JSON reaches the SDK only after the caller is admitted', async () => {
    expect((await raw(mcp.url, { body: '{not json' })).status).toBe(401);
    const res = await raw(mcp.url, { token: readToken, body: '{not json' });
    expect(res.status).toBe(400);
    expect(res.messages[0]).toMatchObject({ error: { code: -32700 } });
    const form = await raw(mcp.url, {
      token: readToken,
      body: 'a=1',
      headers: { 'content-type': 'text/plain' },
    });
    expect(form.status).toBe(415);
  });

  it('a body over maxBodyBytes is 413 once the caller is admitted', async () => {
    const huge = JSON.stringify(toolCall(1, 'read_file', { path: 'x'.repeat(2 * 1024 * 1024) }));
    expect((await raw(mcp.url, { body: huge })).status).toBe(401);
    expect((await raw(mcp.url, { token: readToken, body: huge })).status).toBe(413);
  });

  it('GET and DELETE are answered 405 by the SDK (stateless), never 404', async () => {
    for (const method of ['GET', 'DELETE']) {
      const res = await raw(mcp.url, { token: readToken, method });
      expect(res.status).toBe(405);
    }
  });
});

describe('a 2025 client (SDK v1, initialize) against the SDK v2 binding', () => {
  async function connectV1(token: string): Promise<V1Client> {
    const client = new V1Client({ name: 'v1', version: '1.0.0' });
    await client.connect(
      new V1Transport(new URL(mcp.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
    );
    return client;
  }

  it('initializes, lists per caller and calls what the token allows', async () => {
    const client = await connectV1(readToken);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(READ_TOOLS);
    const result = await client.callTool({ name: 'read_file', arguments: { path: 'b.txt' } });
    expect(result.content).toEqual([{ type: 'text', text: 'contents of b.txt for dev-client' }]);
    await client.close();
  });

  it('a call the token does not allow is the same HTTP 403 step-up', async () => {
    const client = await connectV1(readToken);
    const error = await client.callTool({ name: 'purge', arguments: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(V1HttpError);
    expect((error as V1HttpError).code).toBe(403);
    await client.close();
  });

  it('a legacy batch refused for several scopes gets one challenge with their union', async () => {
    const res = await raw(mcp.url, {
      token: readToken,
      body: [toolCall(1, 'write_file', { path: 'a', content: 'x' }), toolCall(2, 'purge')],
    });
    expect(res.status).toBe(403);
    expect(challenge(res.headers.get('www-authenticate'))).toMatchObject({
      error: 'insufficient_scope',
      scope: 'files:read files:write admin',
    });
  });

  it('the SDK v2 client in legacy mode works the same', async () => {
    const client = await connectV2(mcp.url, readToken, 'legacy');
    expect(client.getProtocolEra()).toBe('legacy');
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(READ_TOOLS);
    await client.close();
  });
});

describe('the SDK v2 client against the SDK v1 binding', () => {
  let v1: McpHttpFixture;

  beforeAll(async () => {
    v1 = await startMcpHttp();
  });

  afterAll(() => v1.close());

  it('falls back to the legacy era and works', async () => {
    const token = await v1.token(['files:read']);
    const client = await connectV2(v1.url, token, 'auto');
    expect(client.getProtocolEra()).toBe('legacy');
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(READ_TOOLS);
    const result = await client.callTool({ name: 'read_file', arguments: { path: 'c.txt' } });
    expect(result.content).toEqual([{ type: 'text', text: 'contents of c.txt for dev-client' }]);
    const error = await client.callTool({ name: 'purge', arguments: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsufficientScopeError);
    expect(error).toMatchObject({ requiredScope: 'files:read admin' });
    await client.close();
  });
});

describe('Security: a 2026-07-28 request is authorized from its Mcp-Method / Mcp-Name headers', () => {
  /** Sends the headers and a first piece of a longer body, never the rest; resolves with the status. */
  function headersOnly(token: string, name: string): Promise<number> {
    const { headers } = modernRequest(1, 'tools/call', { name });
    return new Promise((resolve, reject) => {
      const req = request(mcp.url, {
        method: 'POST',
        headers: {
          ...headers,
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'content-length': '100000',
        },
      });
      req.on('response', (res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.write('{"jsonrpc":"2.0",');
    });
  }

  it('refuses a call the token does not allow before its body is read (403 while the body is still coming)', async () => {
    await expect(headersOnly(readToken, 'write_file')).resolves.toBe(403);
  });

  it('waits for the body of a call it may allow, and never takes the headers for what the body does', async () => {
    const status = await Promise.race([
      headersOnly(writeToken, 'write_file'),
      new Promise((resolve) => setTimeout(() => resolve('still reading the body'), 300)),
    ]);
    expect(status).toBe('still reading the body');
  });
});
