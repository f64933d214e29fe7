import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { McpServer } from '@modelcontextprotocol/server';
import type { Valet } from '@valet/core';
import type { ToolsetDefinition } from '@valet/decorators';
import {
  bindToolsets,
  createMcpHttpHandler,
  type McpHttpHandler,
  type McpHttpHandlerOptions,
} from '@valet/adapters/mcp-v2';

/** The 2026-07-28 revision: what a modern client sends in `_meta` and `MCP-Protocol-Version`. */
export const MODERN = '2026-07-28';

/** An endpoint factory for `startMcpHttp`: the SDK v2 binding, both eras on one path. */
export function v2Endpoint(
  options: Omit<McpHttpHandlerOptions, 'valet' | 'server'> = {},
): (valet: Valet, toolsets: readonly ToolsetDefinition[]) => McpHttpHandler {
  return (valet, toolsets) =>
    createMcpHttpHandler({
      valet,
      server: () => bindToolsets(new McpServer({ name: 'files', version: '1.0.0' }), { toolsets, valet }),
      ...options,
    });
}

/**
 * The SDK v2 client over Streamable HTTP with a bearer token: `'auto'` probes with
 * `server/discover` and speaks 2026-07-28 when the server does (else falls back to `initialize`);
 * `'legacy'` is a 2025 client.
 */
export async function connectV2(
  url: string,
  token: string,
  mode: 'auto' | 'legacy' = 'auto',
): Promise<Client> {
  const client = new Client({ name: 'test', version: '1.0.0' }, { versionNegotiation: { mode } });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return client;
}

/** A 2026-07-28 request, as a modern client sends it: the envelope in `_meta` and the routing headers. */
export function modernRequest(
  id: number,
  method: string,
  params: Record<string, unknown> = {},
  version = MODERN,
): { headers: Record<string, string>; body: Record<string, unknown> } {
  const name = typeof params['name'] === 'string' ? params['name'] : params['uri'];
  return {
    headers: {
      'mcp-protocol-version': version,
      'mcp-method': method,
      ...(typeof name === 'string' ? { 'mcp-name': name } : {}),
    },
    body: {
      jsonrpc: '2.0',
      id,
      method,
      params: {
        ...params,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': version,
          'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1.0.0' },
          'io.modelcontextprotocol/clientCapabilities': {},
        },
      },
    },
  };
}
