import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, InsufficientScopeError, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { memoryAuditSink } from '@valet/core';
import { loadConfig } from '../src/config.js';
import { freePort } from '../src/free-port.js';
import { startFilesServer, type RunningFilesServer } from '../src/server.js';
import { postToolCall } from './support/tool-call.js';

/** The 2026-07-28 revision, the modern era a v2 client pinned to it speaks. */
const MODERN = '2026-07-28';
const READ_TOOLS = ['list_files', 'read_file', 'search_files'];

/** The SDK v2 client in the modern era only: no `initialize` fallback. */
async function modernClient(url: string, token: string): Promise<Client> {
  const client = new Client(
    { name: 'modern', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: MODERN } } },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

/** The SDK v1 client: a 2025-era client that starts with `initialize`. */
async function legacyClient(url: string, token: string): Promise<V1Client> {
  const client = new V1Client({ name: 'legacy', version: '1.0.0' });
  await client.connect(
    new V1Transport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
  );
  return client;
}

describe('startFilesServer with VALET_MCP_SDK=v2: both protocol eras on /mcp', () => {
  const audit = memoryAuditSink();
  const lines: string[] = [];
  let server: RunningFilesServer;
  let readToken: string;
  let writeToken: string;

  beforeAll(async () => {
    const port = await freePort();
    const config = loadConfig({ VALET_MCP_SDK: 'v2', PORT: String(port) });
    server = await startFilesServer(config, { audit, log: (line) => lines.push(line) });
    const as = server.parts.devAuthorizationServer!;
    readToken = await as.clientCredentialsToken({ resource: server.url, scope: 'files:read' });
    writeToken = await as.clientCredentialsToken({ resource: server.url, scope: 'files:read files:write' });
  });

  afterAll(async () => {
    await server.close();
  });

  it('says which SDK the endpoint runs on', () => {
    expect(lines).toContainEqual(expect.stringContaining(`MCP endpoint ${server.url} on MCP SDK v2`));
  });

  it('a modern v2 client discovers the server with server/discover, no initialize', async () => {
    const client = await modernClient(server.url, readToken);
    expect(client.getProtocolEra()).toBe('modern');
    expect(client.getDiscoverResult()).toMatchObject({
      supportedVersions: expect.arrayContaining([MODERN]),
      capabilities: { tools: {} },
    });
    await client.close();
  });

  it('a modern v2 client with a read-only token lists only the read tools, marked private', async () => {
    const client = await modernClient(server.url, readToken);
    const list = await client.listTools();
    expect(list.tools.map((t) => t.name)).toEqual(READ_TOOLS);
    expect(list).toMatchObject({ cacheScope: 'private' });
    const read = await client.callTool({ name: 'read_file', arguments: { path: 'notes/todo.md' } });
    expect(read.isError).not.toBe(true);
    await client.close();
  });

  it('Security: step-up: a modern write with a read-only token is refused with 403 insufficient_scope', async () => {
    const client = await modernClient(server.url, readToken);
    const error = await client
      .callTool({ name: 'write_file', arguments: { path: 'notes/plan.md', content: 'ship it' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsufficientScopeError);
    expect(error).toMatchObject({
      requiredScope: 'files:write',
      resourceMetadataUrl: new URL(`${new URL(server.url).origin}/.well-known/oauth-protected-resource/mcp`),
    });
    await expect(server.parts.app.sandbox.read('notes/plan.md')).rejects.toThrow();
    await client.close();
  });

  it('a modern v2 client with files:write writes', async () => {
    const client = await modernClient(server.url, writeToken);
    const wrote = await client.callTool({
      name: 'write_file',
      arguments: { path: 'notes/modern.md', content: 'from a modern client' },
    });
    expect(wrote.isError).not.toBe(true);
    await expect(server.parts.app.sandbox.read('notes/modern.md')).resolves.toMatchObject({
      content: 'from a modern client',
    });
    await client.close();
  });

  it('a legacy v1 client initializes on the same endpoint and gets the same filtered list', async () => {
    const client = await legacyClient(server.url, readToken);
    expect(client.getServerVersion()).toMatchObject({ name: 'files-mcp' });
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(READ_TOOLS);
    const read = await client.callTool({ name: 'read_file', arguments: { path: 'notes/todo.md' } });
    expect(read.isError).not.toBe(true);
    await client.close();
  });

  it('Security: step-up: a legacy write with a read-only token gets the same 403 challenge', async () => {
    const res = await postToolCall(server.url, { authorization: `Bearer ${readToken}` }, 'write_file', {
      path: 'a.md',
      content: 'x',
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
    expect(res.headers.get('www-authenticate')).toContain('scope="files:write"');
  });
});

describe('startFilesServer by default (VALET_MCP_SDK unset: SDK v1, the legacy era)', () => {
  let server: RunningFilesServer;

  beforeAll(async () => {
    server = await startFilesServer(loadConfig({ PORT: String(await freePort()) }), { log: () => undefined });
  });

  afterAll(async () => {
    await server.close();
  });

  it('serves a legacy client the tools its token allows; a client pinned to 2026-07-28 cannot connect (SDK v1 speaks the legacy era only)', async () => {
    const as = server.parts.devAuthorizationServer!;
    const token = await as.clientCredentialsToken({ resource: server.url, scope: 'files:read' });
    const client = await legacyClient(server.url, token);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(READ_TOOLS);
    await client.close();
    await expect(modernClient(server.url, token)).rejects.toThrow();
  });
});
