import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/client';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { InMemoryTransport, McpServer, createMcpHandler, type AuthInfo } from '@modelcontextprotocol/server';
import { McpServer as V1McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Authorizer, OptionsError, memoryAuditSink, type Principal, type Valet } from '@valet/core';
import { bindToolsets as bindV1 } from '@valet/adapters/mcp';
import { bindToolsets, createMcpHttpHandler } from '@valet/adapters/mcp-v2';
import { adapterFixture, listen, type AdapterFixture } from '../support/fixture.js';
import { fileToolsets } from '../mcp/support/file-toolsets.js';
import { principal, text } from '../mcp/support/in-memory.js';
import { raw, toolCall } from '../mcp/support/mcp-http.js';
import { modernRequest } from './support/v2-http.js';

const server = () => new McpServer({ name: 'files', version: '1.0.0' });

/** The SDK v2 client connected in memory (no HTTP request: what stdio looks like to the binding). */
async function inMemory(bound: McpServer): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await bound.connect(serverSide);
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(clientSide);
  return client;
}

describe('bindToolsets on an SDK v2 server: set-up', () => {
  it('refuses an SDK v1 server, naming the subpath to import instead', () => {
    const { registry, toolsets } = fileToolsets();
    const v1 = new V1McpServer({ name: 'files', version: '1.0.0' });
    expect(() => bindToolsets(v1 as never, { toolsets, authorizer: new Authorizer(registry) })).toThrow(
      /@valet\/adapters\/mcp\b/,
    );
  });

  it('the SDK v1 binding refuses an SDK v2 server, naming @valet/adapters/mcp-v2', () => {
    const { registry, toolsets } = fileToolsets();
    expect(() => bindV1(server() as never, { toolsets, authorizer: new Authorizer(registry) })).toThrow(
      /@valet\/adapters\/mcp-v2/,
    );
  });

  it('fails with the options error of the shared set-up (no decider)', () => {
    const { toolsets } = fileToolsets();
    expect(() => bindToolsets(server(), { toolsets })).toThrow(OptionsError);
  });

  it('refuses a server that registers its own tools, in either order (they would bypass Valet)', () => {
    const { registry, toolsets } = fileToolsets();
    const authorizer = new Authorizer(registry);
    const before = server();
    before.registerTool('own', { description: 'unchecked' }, () => ({ content: [] }));
    expect(() => bindToolsets(before, { toolsets, authorizer })).toThrow(/already handles tools\/list/);
    const after = bindToolsets(server(), { toolsets, authorizer });
    expect(() => after.registerTool('own', { description: 'unchecked' }, () => ({ content: [] }))).toThrow();
  });
});

describe('bindToolsets on an SDK v2 server, without HTTP (stdio, in memory)', () => {
  it('authorizes every call for the configured principal and lists what it may use', async () => {
    const { registry, toolsets } = fileToolsets();
    const client = await inMemory(
      bindToolsets(server(), {
        toolsets,
        authorizer: new Authorizer(registry),
        principal: principal(['files:read']),
      }),
    );
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('write_file');
    expect(text(await client.callTool({ name: 'read_file', arguments: { path: 'a' } }))).toBe(
      'contents of a for alice',
    );
    const refused = await client.callTool({ name: 'write_file', arguments: { path: 'a', content: 'x' } });
    expect(refused).toMatchObject({ isError: true });
    expect(text(refused)).toMatch(/missing "files:write"/);
    await client.close();
  });

  it('audits the decision there: it is the only one', async () => {
    const { registry, toolsets } = fileToolsets();
    const audit = memoryAuditSink();
    const client = await inMemory(
      bindToolsets(server(), {
        toolsets,
        authorizer: new Authorizer(registry, { audit }),
        principal: principal(['files:read']),
      }),
    );
    await client.callTool({ name: 'read_file', arguments: { path: 'a' } });
    expect(audit.events.filter((e) => e.operationId === 'read_file')).toHaveLength(1);
    await client.close();
  });
});

describe('Audit: each call over HTTP recorded once, whichever entry serves it', () => {
  let fixture: AdapterFixture;
  let valet: Valet;
  const audit = memoryAuditSink();
  let toolsets: ReturnType<typeof fileToolsets>['toolsets'];

  beforeAll(async () => {
    fixture = await adapterFixture();
    const files = fileToolsets();
    toolsets = files.toolsets;
    valet = fixture.valet({ registry: files.registry, audit });
  });

  afterAll(() => fixture.close());

  const reads = () => audit.events.filter((e) => e.operationId === 'read_file').length;

  it('through Valet’s handler, in both eras: decided and recorded by the flow, not again by the handler', async () => {
    const handler = createMcpHttpHandler({
      valet,
      server: () => bindToolsets(server(), { toolsets, valet }),
    });
    const running = await listen(createServer((req, res) => void handler(req, res)));
    const url = `${running.baseUrl}/api`;
    const token = await fixture.token(['files:read']);
    audit.clear();
    const modern = modernRequest(1, 'tools/call', { name: 'read_file', arguments: { path: 'a' } });
    expect((await raw(url, { token, ...modern })).status).toBe(200);
    expect(reads()).toBe(1);
    expect((await raw(url, { token, body: toolCall(2, 'read_file', { path: 'a' }) })).status).toBe(200);
    expect(reads()).toBe(2);
    await running.close();
  });

  it('through the SDK’s own createMcpHandler (no Valet in front): the handler’s check is recorded', async () => {
    const sdk = toNodeHandler(createMcpHandler(() => bindToolsets(server(), { toolsets, valet })));
    const caller: AuthInfo = {
      token: 'opaque',
      clientId: 'cli',
      scopes: ['files:read'],
      extra: { subject: 'bob' },
    };
    const running = await listen(
      createServer((req, res) => void sdk(Object.assign(req, { auth: caller }), res)),
    );
    audit.clear();
    const modern = modernRequest(1, 'tools/call', { name: 'read_file', arguments: { path: 'a' } });
    const res = await raw(`${running.baseUrl}/mcp`, modern);
    expect(res.messages[0]).toMatchObject({ result: { content: [{ text: 'contents of a for bob' }] } });
    expect(audit.events.filter((e) => e.operationId === 'read_file')).toMatchObject([
      { allowed: true, subject: 'bob' },
    ]);
    await running.close();
  });
});

describe('Security: the stdio principal never stands in for an HTTP caller', () => {
  it('an HTTP request without authInfo is anonymous, even when the binding has a principal', async () => {
    const { registry, toolsets } = fileToolsets();
    const stdio: Principal = principal(['files:read', 'files:write', 'admin']);
    const sdk = toNodeHandler(
      createMcpHandler(() =>
        bindToolsets(server(), { toolsets, authorizer: new Authorizer(registry), principal: stdio }),
      ),
    );
    const running = await listen(createServer((req, res) => void sdk(req, res)));
    const res = await raw(
      `${running.baseUrl}/mcp`,
      modernRequest(1, 'tools/call', { name: 'purge', arguments: {} }),
    );
    expect(res.messages[0]).toMatchObject({ result: { isError: true } });
    await running.close();
  });
});
