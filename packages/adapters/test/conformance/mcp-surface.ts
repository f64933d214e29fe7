import { createServer } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Public, RequiresScope, Tool, Toolset, registerToolsets } from '@valet/decorators';
import { bindToolsets, createMcpHttpHandler, type ToolContext } from '@valet/adapters/mcp';
import { listen } from '../support/fixture.js';
import type { ConformanceCase, Expectation, Tokens } from './cases.js';
import type { Reached, Surface, Target } from './surfaces.js';

/** The MCP tool behind each target. */
const TOOLS: Record<Target, string> = { read: 'read_file', write: 'write_file', public: 'health' };

/** No arguments, but the tools want their context: an empty DTO. */
class NoInput {}

const reached = (target: Target, ctx: ToolContext): Reached => ({
  target,
  subject: ctx.principal?.subject ?? null,
});

@Toolset()
class ConformanceTools {
  @Tool({ name: 'read_file', description: 'read' })
  @RequiresScope('files:read')
  read(_input: NoInput, ctx: ToolContext): Reached {
    return reached('read', ctx);
  }

  @Tool({ name: 'write_file', description: 'write' })
  @RequiresScope('files:read', 'files:write')
  write(_input: NoInput, ctx: ToolContext): Reached {
    return reached('write', ctx);
  }

  @Tool({ name: 'health', description: 'public' })
  @Public()
  health(_input: NoInput, ctx: ToolContext): Reached {
    return reached('public', ctx);
  }
}

/**
 * Where the MCP transport fixes a different answer than a plain HTTP route:
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
 * The MCP handler: each target is a `tools/call` POSTed to the resource's path (`/api`), JSON
 * responses, anonymous callers allowed so that public tools need no token (protected ones then
 * answer 401 with their scopes, as a route would).
 */
export const mcpSurface: Surface = {
  name: 'MCP Streamable HTTP',
  async start(valet) {
    const toolsets = registerToolsets(valet.registry, [ConformanceTools]);
    const handler = createMcpHttpHandler({
      valet,
      allowAnonymous: true,
      enableJsonResponse: true,
      server: () =>
        bindToolsets(new McpServer({ name: 'conformance', version: '1.0.0' }), { toolsets, valet }),
    });
    return listen(createServer((req, res) => void handler(req, res)));
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
    const message = JSON.parse(body) as { result?: { structuredContent?: Partial<Reached> } };
    const content = message.result?.structuredContent;
    return typeof content?.target === 'string' ? (content as Reached) : undefined;
  },
  label: (target) => `Tool "${TOOLS[target]}"`,
  adapt,
  operations: { kind: 'tool', ids: Object.values(TOOLS) },
};
