/**
 * MCP `tools/call` on SDK v1: the bare SDK (`McpServer.registerTool` with a zod schema, no auth,
 * served by `StreamableHTTPServerTransport`) next to Valet (`@valet/adapters/mcp`:
 * `createMcpHttpHandler` + `bindToolsets`: the token verified by a CachingVerifier hit, the scope
 * checked before the SDK and again in the handler, the input validated as a DTO). Both stateless
 * (a server per request, as the SDK recommends for scale-out) with JSON responses; see
 * mcp-harness.ts for how they are compared.
 *
 *   pnpm --filter @valet/core --filter @valet/decorators --filter @valet/testing --filter @valet/adapters build
 *   pnpm --filter ./bench build && pnpm --filter ./bench mcp
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { bindToolsets, createMcpHttpHandler } from '@valet/adapters/mcp';
import { z } from 'zod';
import { benchValet, compareMcp, serveMcp } from './mcp-harness.js';

/** Built once, as Valet's DTO schema is: the bare server pays only for what it does per request. */
const BARE_INPUT = { path: z.string().max(64) };

function bareServer(): McpServer {
  const server = new McpServer({ name: 'files', version: '1.0.0' });
  server.registerTool('read_file', { description: 'Read a file', inputSchema: BARE_INPUT }, ({ path }) => ({
    content: [{ type: 'text', text: `contents of ${path}` }],
  }));
  return server;
}

async function bare(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const server = bareServer();
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  res.once('close', () => void server.close());
  await server.connect(transport);
  await transport.handleRequest(req, res);
}

function valet(): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { valet, toolsets } = benchValet();
  return createMcpHttpHandler({
    valet,
    enableJsonResponse: true,
    server: () => bindToolsets(new McpServer({ name: 'files', version: '1.0.0' }), { toolsets, valet }),
  });
}

if (process.argv[2] === 'serve') serveMcp(process.argv[3] === 'bare' ? bare : valet());
else
  await compareMcp({
    title: 'MCP SDK v1, tools/call, stateless, JSON responses',
    script: fileURLToPath(import.meta.url),
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'read_file', arguments: { path: 'notes.txt' } },
    }),
    labels: ['bare SDK v1 (no auth)', 'Valet (CachingVerifier hit)'],
  });
