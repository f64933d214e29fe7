import type { IncomingMessage, ServerResponse } from 'node:http';
import { McpServer as McpServerV2 } from '@modelcontextprotocol/server';
import { McpServer as McpServerV1 } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as mcpV1 from '@valet/adapters/mcp';
import * as mcpV2 from '@valet/adapters/mcp-v2';
import type { McpSdk } from './config.js';
import type { FilesApp } from './container.js';

/** The MCP endpoint on either SDK: a Node request handler that can be closed. */
export interface McpEndpoint {
  (req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Closes the sessions (SDK v1) or the exchanges in flight (SDK v2). */
  close(): Promise<void>;
}

const SERVER_INFO = { name: 'files-mcp', version: '0.1.0' };

/**
 * The files toolsets served over Streamable HTTP on the resource URL's path, with Valet in front
 * of the SDK `VALET_MCP_SDK` names: `v1` (`@valet/adapters/mcp`, 2025-era clients) or `v2`
 * (`@valet/adapters/mcp-v2`, 2026-07-28 clients and `initialize` ones on the same path). Each
 * request gets a fresh `McpServer` bound to the same compiled toolsets; the app's exchanger, when
 * there is a backup API, obtains `backup_file`'s downstream tokens.
 */
export function createMcpEndpoint(sdk: McpSdk, app: FilesApp): McpEndpoint {
  const { valet, toolsets, container } = app;
  const exchanger = app.exchanger === undefined ? {} : { exchanger: app.exchanger };
  if (sdk === 'v2') {
    return mcpV2.createMcpHttpHandler({
      valet,
      ...exchanger,
      server: () => mcpV2.bindToolsets(new McpServerV2(SERVER_INFO), { toolsets, container, valet }),
    });
  }
  return mcpV1.createMcpHttpHandler({
    valet,
    ...exchanger,
    server: () => mcpV1.bindToolsets(new McpServerV1(SERVER_INFO), { toolsets, container, valet }),
  });
}
