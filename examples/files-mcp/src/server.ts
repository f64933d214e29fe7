import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuditSink } from '@valet/core';
import type { FilesConfig } from './config.js';
import { prepareFilesServer, type FilesServerParts } from './files-server.js';
import { createMcpEndpoint } from './mcp-endpoint.js';

/** A running files server. */
export interface RunningFilesServer {
  readonly parts: FilesServerParts;
  /** The MCP endpoint (the resource URL). */
  readonly url: string;
  /** Stops listening, closes sessions, the development authorization server and a temporary sandbox. */
  close(): Promise<void>;
}

/**
 * Starts the files MCP server: the parts from {@link prepareFilesServer}, a stateless MCP
 * Streamable HTTP endpoint on the resource URL's path (Valet in front of the SDK `config.mcpSdk`
 * names, see {@link createMcpEndpoint}), and the RFC 9728 metadata at its well-known paths,
 * listening on `config.listen`.
 */
export async function startFilesServer(
  config: FilesConfig,
  options: { readonly log?: (line: string) => void; readonly audit?: AuditSink } = {},
): Promise<RunningFilesServer> {
  const parts = await prepareFilesServer(config, options);
  const handler = createMcpEndpoint(config.mcpSdk, parts.app);
  const http = createServer((req, res) => void handler(req, res));
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(config.listen.port, config.listen.host, () => resolve());
    });
  } catch (error) {
    await parts.close();
    throw error;
  }
  const { port } = http.address() as AddressInfo;
  (options.log ?? console.log)(
    `files-mcp: MCP endpoint ${config.resource} on MCP SDK ${config.mcpSdk} (listening on ${config.listen.host}:${port}).`,
  );
  return {
    parts,
    url: config.resource,
    async close() {
      await handler.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await parts.close();
    },
  };
}
