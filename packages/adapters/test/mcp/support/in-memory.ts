import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Authorizer, createPrincipal, type Principal } from '@valet/core';
import { bindToolsets, type BindToolsetsOptions } from '@valet/adapters/mcp';
import { fileToolsets } from './file-toolsets.js';

/** A principal as a verifier would make it: alice, client `cli`, with these scopes. */
export function principal(
  granted: readonly string[],
  extra: Partial<Parameters<typeof createPrincipal>[0]> = {},
): Principal {
  return createPrincipal({
    subject: 'alice',
    clientId: 'cli',
    issuer: 'https://issuer.example.test',
    scopes: granted,
    token: 'not-a-real-token',
    ...extra,
  });
}

/**
 * An SDK client connected to a server with the file toolsets bound, over an in-memory pair:
 * what stdio looks like to the binding (no HTTP request; the caller is `options.principal`).
 */
export async function connectInMemory(options: Partial<BindToolsetsOptions> = {}): Promise<Client> {
  const { registry, toolsets } = fileToolsets();
  const server = bindToolsets(new McpServer({ name: 'files', version: '1.0.0' }), {
    toolsets,
    authorizer: new Authorizer(registry),
    ...options,
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(clientSide);
  return client;
}

/** The text of a result's first content item. */
export const text = (result: unknown): string =>
  (result as { content: { text?: string }[] }).content[0]?.text ?? '';
