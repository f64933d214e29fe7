import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { McpServer as McpServerV1 } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpServer as McpServerV2 } from '@modelcontextprotocol/server';
import type { Principal, Valet } from '@valet/core';
import {
  Public,
  RequiresScope,
  Tool,
  Toolset,
  registerToolsets,
  type ToolsetDefinition,
} from '@valet/decorators';
import * as v1 from '@valet/adapters/mcp';
import * as v2 from '@valet/adapters/mcp-v2';
import { listen } from '../support/fixture.js';
import type { ConformanceCase, Expectation, Tokens } from './cases.js';
import type { Reached, Surface, Target } from './surfaces.js';

/** The MCP tool behind each target. */
const TOOLS: Record<Target, string> = { read: 'read_file', write: 'write_file', public: 'health' };

/** No arguments, but the tools want their context: an empty DTO. */
class NoInput {}

/** What both bindings' `ToolContext` give a tool, which is all these tools read. */
interface CallerContext {
  readonly principal: Principal | null;
}

const reached = (target: Target, ctx: CallerContext): Reached => ({
  target,
  subject: ctx.principal?.subject ?? null,
});

@Toolset()
class ConformanceTools {
  @Tool({ name: 'read_file', description: 'read' })
  @RequiresScope('files:read')
  read(_input: NoInput, ctx: CallerContext): Reached {
    return reached('read', ctx);
  }

  @Tool({ name: 'write_file', description: 'write' })
  @RequiresScope('files:read', 'files:write')
  write(_input: NoInput, ctx: CallerContext): Reached {
    return reached('write', ctx);
  }

  @Tool({ name: 'health', description: 'public' })
  @Public()
  health(_input: NoInput, ctx: CallerContext): Reached {
    return reached('public', ctx);
  }
}

/**
 * Where the MCP transport fixes a different answer than a plain HTTP route, on both SDKs:
 * - HEAD: the endpoint takes POST (and, with sessions, GET and DELETE); MCP Streamable HTTP
 *   answers a method it does not serve with 405 Method Not Allowed, needing no credentials
 *   (after the Origin and Host check, which comes first on every request to the endpoint).
 * - a form-encoded body without `access_token`: the credentials are fine, but MCP messages are
 *   JSON-RPC in `application/json` (Streamable HTTP), so the request is 415, not a call.
 */
/** Only the shape of a case's form matters here, not its token values. */
const ANY_TOKENS = {} as Tokens;

function adapt(c: ConformanceCase): Expectation | undefined {
  if (c.method === 'HEAD' && c.target !== 'metadata' && c.target !== 'metadata-root') {
    return { status: 405, challenge: null, body: 'empty' };
  }
  if (c.form !== undefined && c.authorization !== undefined && !c.form(ANY_TOKENS).includes('access_token')) {
    return { status: 415, challenge: null, body: 'unchecked' };
  }
  return undefined;
}

/**
 * The one JSON-RPC message of a response body: JSON (SDK v1 with `enableJsonResponse`) or a
 * single-event SSE stream (SDK v2, whose stateless 2025-era leg always streams its answer).
 */
function jsonRpcMessage(body: string): unknown {
  if (!body.startsWith('event:') && !body.startsWith('data:')) return JSON.parse(body);
  const data = body.split('\n').filter((line) => line.startsWith('data: '));
  if (data.length !== 1) throw new Error(`expected one SSE message, got ${data.length}: ${body}`);
  return JSON.parse(data[0]!.slice('data: '.length));
}

/** A binding's Node handler for the suite's Valet, serving the conformance toolset. */
type McpEndpoint = ((req: IncomingMessage, res: ServerResponse) => Promise<void>) & {
  close(): Promise<void>;
};

/**
 * An MCP binding's handler: each target is a `tools/call` POSTed to the resource's path (`/api`)
 * as a 2025-era client sends it, anonymous callers allowed so that public
 * tools need no token (protected ones then answer 401 with their scopes, as a route would).
 */
function mcpSurface(
  name: string,
  endpoint: (valet: Valet, toolsets: readonly ToolsetDefinition[]) => McpEndpoint,
): Surface {
  return {
    name,
    async start(valet) {
      const handler = endpoint(valet, registerToolsets(valet.registry, [ConformanceTools]));
      const running = await listen(createServer((req, res) => void handler(req, res)));
      return {
        baseUrl: running.baseUrl,
        async close() {
          await handler.close();
          await running.close();
        },
      };
    },
    request(target) {
      const body = {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: TOOLS[target], arguments: {} },
      };
      return {
        method: 'POST',
        path: '/api',
        headers: [
          ['Content-Type', 'application/json'],
          ['Accept', 'application/json, text/event-stream'],
        ],
        body: JSON.stringify(body),
      };
    },
    reached(body) {
      const message = jsonRpcMessage(body) as { result?: { structuredContent?: Partial<Reached> } };
      const content = message.result?.structuredContent;
      return typeof content?.target === 'string' ? (content as Reached) : undefined;
    },
    label: (target) => `Tool "${TOOLS[target]}"`,
    adapt,
    operations: { kind: 'tool', ids: Object.values(TOOLS) },
  };
}

/** `@valet/adapters/mcp` on the MCP SDK v1, JSON responses. */
export const mcpV1Surface = mcpSurface('MCP Streamable HTTP (SDK v1)', (valet, toolsets) =>
  v1.createMcpHttpHandler({
    valet,
    allowAnonymous: true,
    enableJsonResponse: true,
    server: () =>
      v1.bindToolsets(new McpServerV1({ name: 'conformance', version: '1.0.0' }), { toolsets, valet }),
  }),
);

/** `@valet/adapters/mcp-v2` on the MCP SDK v2, both eras on one path; the cases speak the 2025 era. */
export const mcpV2Surface = mcpSurface('MCP Streamable HTTP (SDK v2)', (valet, toolsets) =>
  v2.createMcpHttpHandler({
    valet,
    allowAnonymous: true,
    server: () =>
      v2.bindToolsets(new McpServerV2({ name: 'conformance', version: '1.0.0' }), { toolsets, valet }),
  }),
);
