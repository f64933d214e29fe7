import type { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/** The MCP SDK client classes the headless OAuth flow uses. */
export interface McpClientSdk {
  readonly Client: typeof Client;
  readonly StreamableHTTPClientTransport: typeof StreamableHTTPClientTransport;
  readonly StreamableHTTPError: typeof StreamableHTTPError;
  readonly UnauthorizedError: typeof UnauthorizedError;
}

/**
 * Loads the MCP SDK client on first use: the SDK is an optional peer dependency, so importing
 * `@valet/testing` for the test issuer must not require it.
 */
export async function loadMcpClientSdk(): Promise<McpClientSdk> {
  const [client, transport, auth] = await Promise.all([
    import('@modelcontextprotocol/sdk/client/index.js'),
    import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
    import('@modelcontextprotocol/sdk/client/auth.js'),
  ]);
  return {
    Client: client.Client,
    StreamableHTTPClientTransport: transport.StreamableHTTPClientTransport,
    StreamableHTTPError: transport.StreamableHTTPError,
    UnauthorizedError: auth.UnauthorizedError,
  };
}
