import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { JwtVerifier, createValet, type TokenVerifier, type Valet } from '@valet/core';
import type { ToolsetDefinition } from '@valet/decorators';
import { startDevAuthorizationServer, type DevAuthorizationServer } from '@valet/testing';
import {
  bindToolsets,
  createMcpHttpHandler,
  type McpHttpHandler,
  type McpHttpHandlerOptions,
} from '@valet/adapters/mcp';
import { listen } from '../../support/fixture.js';
import { fileToolsets } from './file-toolsets.js';

/** A resource the dev authorization server also issues tokens for: the wrong audience here. */
export const OTHER_RESOURCE = 'http://127.0.0.1:9/other';

/** What serves the endpoint: a Node handler that can be closed (either binding's `createMcpHttpHandler`). */
export type McpEndpoint = ((req: IncomingMessage, res: ServerResponse) => Promise<void>) & {
  close(): Promise<void>;
};

/** A real MCP endpoint on 127.0.0.1 behind Valet, and a real authorization server issuing its tokens. */
export interface McpHttpFixture<H extends McpEndpoint = McpHttpHandler> {
  readonly as: DevAuthorizationServer;
  /** The MCP endpoint, `http://127.0.0.1:<port>/mcp`: also the resource identifier. */
  readonly url: string;
  readonly baseUrl: string;
  readonly valet: Valet;
  readonly handler: H;
  /** A client_credentials token (client `dev-client`) with these scopes, for `resource` (default: this endpoint). */
  token(scopes: readonly string[], resource?: string): Promise<string>;
  close(): Promise<void>;
}

export type McpHttpFixtureOptions<H extends McpEndpoint = McpHttpHandler> = Omit<
  McpHttpHandlerOptions,
  'valet' | 'server'
> & {
  /** Builds the endpoint (default: the SDK v1 binding with these options). */
  readonly endpoint?: (valet: Valet, toolsets: readonly ToolsetDefinition[]) => H;
  /** Wraps the verifier (e.g. in a CachingVerifier). */
  readonly verifier?: (inner: TokenVerifier) => TokenVerifier;
  /** More clients for the authorization server. */
  readonly clients?: Parameters<typeof startDevAuthorizationServer>[0]['clients'];
};

export async function startMcpHttp<H extends McpEndpoint = McpHttpHandler>(
  options: McpHttpFixtureOptions<H> = {},
): Promise<McpHttpFixture<H>> {
  const { verifier: wrap, clients, endpoint, ...handlerOptions } = options;
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  const running = await listen(createServer((req, res) => handle(req, res)));
  const url = `${running.baseUrl}/mcp`;
  const as = await startDevAuthorizationServer({
    resources: [
      { url, scopes: ['files:read', 'files:write', 'admin'] },
      { url: OTHER_RESOURCE, scopes: ['files:read'] },
    ],
    ...(clients === undefined ? {} : { clients }),
  });
  const { registry, toolsets } = fileToolsets();
  const jwt = new JwtVerifier({ issuer: as.issuer, audience: url, jwksUri: as.jwksUri });
  const valet = createValet({
    registry,
    resource: url,
    verifier: wrap === undefined ? jwt : wrap(jwt),
    authorizationServers: [as.issuer],
    metadata: { resourceName: 'Files (test)' },
  });
  const handler =
    endpoint?.(valet, toolsets) ??
    (createMcpHttpHandler({
      valet,
      server: () => bindToolsets(new McpServer({ name: 'files', version: '1.0.0' }), { toolsets, valet }),
      ...handlerOptions,
    }) as McpEndpoint as H);
  handle = (req, res) => void handler(req, res);
  return {
    as,
    url,
    baseUrl: running.baseUrl,
    valet,
    handler,
    token: (scopes, resource = url) => as.clientCredentialsToken({ resource, scope: [...scopes] }),
    async close() {
      await handler.close();
      await running.close();
      await as.close();
    },
  };
}

/** A raw exchange with the endpoint, for what the SDK client hides: status, headers, JSON-RPC messages. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The JSON-RPC messages of a JSON or SSE body. */
  readonly messages: readonly Record<string, unknown>[];
}

export interface RawRequest {
  readonly token?: string;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  /** A value to send as JSON, or a string to send as is. */
  readonly body?: unknown;
}

export async function raw(url: string, request: RawRequest): Promise<RawResponse> {
  const headers: Record<string, string> = {
    accept: 'application/json, text/event-stream',
    'content-type': 'application/json',
    ...(request.token === undefined ? {} : { authorization: `Bearer ${request.token}` }),
    ...request.headers,
  };
  const body =
    typeof request.body === 'string' || request.body === undefined
      ? request.body
      : JSON.stringify(request.body);
  const response = await fetch(url, {
    method: request.method ?? 'POST',
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, messages: messagesOf(text) };
}

function messagesOf(text: string): Record<string, unknown>[] {
  if (text.startsWith('{') || text.startsWith('[')) {
    const parsed = JSON.parse(text) as Record<string, unknown> | Record<string, unknown>[];
    return Array.isArray(parsed) ? parsed : [parsed];
  }
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: ') && line.length > 6)
    .map((line) => JSON.parse(line.slice(6)) as Record<string, unknown>);
}

/** A `tools/call` request message. */
export function toolCall(
  id: number,
  name: string,
  args: Record<string, unknown> = {},
): Record<string, unknown> {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } };
}

/**
 * The auth-params of the `Bearer` challenge, which Valet writes first (every value quoted); a
 * `DPoP` challenge after it (DPoP allowed) is left out.
 */
export function challenge(header: string | null): Record<string, string> {
  if (header === null || !header.startsWith('Bearer ')) throw new Error(`not a Bearer challenge: ${header}`);
  const bearer = header.split(/, (?=DPoP )/)[0]!;
  return Object.fromEntries([...bearer.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}
