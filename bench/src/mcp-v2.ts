/**
 * MCP `tools/call` on SDK v2, in the 2026-07-28 era (no `initialize`: the version in `_meta` and
 * `MCP-Protocol-Version`, the method and tool in `Mcp-Method` / `Mcp-Name`): the bare SDK
 * (`McpServer.registerTool` with a zod schema, no auth, served by the SDK's `createMcpHandler`
 * through `toNodeHandler`) next to Valet (`@valet/adapters/mcp-v2`: `createMcpHttpHandler` +
 * `bindToolsets`, a CachingVerifier hit, the scope checked before the SDK and again in the
 * handler, the input validated as a DTO). Both stateless (a server per request) with JSON
 * responses (`responseMode: 'json'`); see mcp-harness.ts for how they are compared.
 *
 *   pnpm --filter @valet/core --filter @valet/decorators --filter @valet/testing --filter @valet/adapters build
 *   pnpm --filter ./bench build && pnpm --filter ./bench mcp:v2
 */
import { fileURLToPath } from 'node:url';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { McpServer, createMcpHandler } from '@modelcontextprotocol/server';
import { bindToolsets, createMcpHttpHandler } from '@valet/adapters/mcp-v2';
import { z } from 'zod';
import { benchValet, compareMcp, serveMcp } from './mcp-harness.js';

const VERSION = '2026-07-28';

/** Built once, as Valet's DTO schema is: the bare server pays only for what it does per request. */
const BARE_INPUT = z.object({ path: z.string().max(64) });

function bareServer(): McpServer {
  const server = new McpServer({ name: 'files', version: '1.0.0' });
  server.registerTool('read_file', { description: 'Read a file', inputSchema: BARE_INPUT }, ({ path }) => ({
    content: [{ type: 'text', text: `contents of ${path}` }],
  }));
  return server;
}

function valet(): ReturnType<typeof createMcpHttpHandler> {
  const { valet, toolsets } = benchValet();
  return createMcpHttpHandler({
    valet,
    responseMode: 'json',
    server: () => bindToolsets(new McpServer({ name: 'files', version: '1.0.0' }), { toolsets, valet }),
  });
}

if (process.argv[2] === 'serve')
  serveMcp(
    process.argv[3] === 'bare'
      ? toNodeHandler(createMcpHandler(bareServer, { responseMode: 'json' }))
      : valet(),
  );
else
  await compareMcp({
    title: `MCP SDK v2, tools/call (${VERSION}), stateless, JSON responses`,
    script: fileURLToPath(import.meta.url),
    headers: { 'mcp-protocol-version': VERSION, 'mcp-method': 'tools/call', 'mcp-name': 'read_file' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: {
        name: 'read_file',
        arguments: { path: 'notes.txt' },
        _meta: {
          'io.modelcontextprotocol/protocolVersion': VERSION,
          'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1.0.0' },
          'io.modelcontextprotocol/clientCapabilities': {},
        },
      },
    }),
    labels: ['bare SDK v2 (no auth)', 'Valet (CachingVerifier hit)'],
  });
