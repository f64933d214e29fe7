import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { McpServer } from '@modelcontextprotocol/server';
import { JwtVerifier, PolicyRegistry, createValet, defineScopes } from '@valet/core';
import { Downstream, RequiresScope, Tool, Toolset, registerToolsets } from '@valet/decorators';
import {
  bindToolsets,
  createMcpHttpHandler,
  type McpHttpHandler,
  type ToolContext,
} from '@valet/adapters/mcp-v2';
import { startDownstreamSetup, type DownstreamSetup } from '../support/downstream-apis.js';
import { listen } from '../support/fixture.js';
import { raw } from '../mcp/support/mcp-http.js';
import { connectV2, modernRequest } from './support/v2-http.js';

/** No arguments. */
class Empty {}

describe('@Downstream on SDK v2: one exchange per call, though a 2026-07-28 request is admitted from its headers first', () => {
  let setup: DownstreamSetup;
  let server: { baseUrl: string; close(): Promise<void> };
  let handler: McpHttpHandler;
  let url: string;
  let token: string;

  beforeAll(async () => {
    let handle = (_req: IncomingMessage, res: ServerResponse): void => void res.end();
    server = await listen(createServer((req, res) => handle(req, res)));
    url = `${server.baseUrl}/mcp`;
    setup = await startDownstreamSetup([{ url, scopes: ['files:read'] }]);
    const backupUrl = setup.backup.url;

    @Toolset()
    @RequiresScope('files:read')
    class BackupTools {
      @Tool({ name: 'backup', description: 'Back up' })
      @Downstream(backupUrl, ['backup:write'])
      async backup(_input: Empty, ctx: ToolContext): Promise<string> {
        return String((await ctx.downstream!.fetch(`${backupUrl}/blobs`, { method: 'PUT' })).status);
      }
    }

    const registry = new PolicyRegistry({ catalog: defineScopes({ 'files:read': { description: 'Read' } }) });
    const toolsets = registerToolsets(registry, [BackupTools]);
    const valet = createValet({
      registry,
      resource: url,
      verifier: new JwtVerifier({ issuer: setup.as.issuer, audience: url }),
      authorizationServers: [setup.as.issuer],
    });
    handler = createMcpHttpHandler({
      valet,
      exchanger: setup.exchanger,
      server: () => bindToolsets(new McpServer({ name: 'backup', version: '1' }), { toolsets, valet }),
    });
    handle = (req, res) => void handler(req, res);
    token = await setup.userToken(url, 'files:read');
  });

  afterAll(async () => {
    await handler?.close();
    await server?.close();
    await setup?.close();
  });

  it('a modern request naming its tool in Mcp-Method / Mcp-Name exchanges once', async () => {
    setup.exchanges.length = 0;
    setup.backup.received.length = 0;
    const modern = modernRequest(1, 'tools/call', { name: 'backup', arguments: {} });
    const res = await raw(url, { token, headers: modern.headers, body: modern.body });
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.messages)).toContain('"text":"200"');
    expect(setup.exchanges).toHaveLength(1);
    expect(setup.backup.received).toEqual([expect.objectContaining({ scope: 'backup:write' })]);
  });

  it("the SDK v2 client's modern call exchanges once", async () => {
    const client = await connectV2(url, token);
    try {
      setup.exchanges.length = 0;
      const result = await client.callTool({ name: 'backup', arguments: {} });
      expect(result.isError).not.toBe(true);
      expect(setup.exchanges).toHaveLength(1);
    } finally {
      await client.close();
    }
  });
});
